"""The ledger as a double-entry journal for the accounting system.

Invoices debit receivables and credit revenue by the kind of charge (service levels, hour
blocks, hourly hours, integration); payments debit cash and credit receivables, and a payment
voided is reversed on the day of its void (receivables debited, cash credited); credit notes
are the reverse of invoices: they debit the revenue of the invoice they credit (shared among its
kinds in proportion, to the cent, largest remainders first) and credit receivables. Cash from a
bank statement (invoices.receivables.cash) goes through unapplied cash, a liability to the
customer: a bank line debits cash and credits unapplied cash, each payment made from it debits
unapplied cash (not cash) and credits receivables, its void reverses that, and a refund debits
unapplied cash and credits cash, as does a bank line reversed (its payments' voids, recorded
with it, give their money back to unapplied cash first); the unapplied account's balance is then every customer's
unapplied cash. Every entry balances, so the journal does. Account names come from one small CSV (key, account), by
default invoices/data/accounts.csv.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from invoices.ledger import schema as s
from invoices.ledger.records import charge_of
from invoices.ledger.store import Ledger
from pricing.errors import Problem, ProblemsError
from pricing.money import from_cents

ACCOUNTS = Path(__file__).resolve().parent / "data" / "accounts.csv"
KINDS = ("service_level", "hour_block", "hourly", "integration")
KEYS = ("receivables", "cash", "unapplied") + tuple(f"revenue.{k}" for k in KINDS)
COLUMNS = ("date", "account", "debit", "credit", "document", "bill_to", "memo")


@dataclass(frozen=True)
class Posting:
    """One line of the journal: an amount on one side of one account."""

    date: dt.date
    account: str
    debit: Decimal | None
    credit: Decimal | None
    document: str
    bill_to: str
    memo: str

    def row(self) -> list:
        return [self.date, self.account, self.debit, self.credit, self.document, self.bill_to,
                self.memo]


def read_accounts(path: Path | None = None) -> dict[str, str]:
    """The account name for each key; every key must be there, each named once."""
    from pricing.fileio.csvfile import read_records

    path = path or ACCOUNTS
    accounts, problems = {}, []
    for row, values in read_records(path, ("key", "account"), ()):
        key, name = values["key"], values["account"]
        if key not in KEYS:
            problems.append(Problem(str(path), row, "key", f"unknown key {key!r} (expected one "
                                                           f"of {', '.join(KEYS)})"))
        elif key in accounts:
            problems.append(Problem(str(path), row, "key", f"{key} is named twice"))
        elif not name:
            problems.append(Problem(str(path), row, "account", "expected an account name"))
        else:
            accounts[key] = name
    problems += [Problem(str(path), None, "key", f"missing {key}") for key in KEYS
                 if key not in accounts and not problems]
    if problems:
        raise ProblemsError(problems, f"{path}: the accounts cannot be used")
    return accounts


def _shares(total: int, parts: dict[str, int]) -> dict[str, int]:
    """`total` cents shared in proportion to `parts`, exactly (largest remainders first)."""
    whole = sum(parts.values())
    exact = {k: total * v for k, v in parts.items()}
    shares = {k: e // whole for k, e in exact.items()}
    left = total - sum(shares.values())
    for k in sorted(parts, key=lambda k: (-(exact[k] % whole), k))[:left]:
        shares[k] += 1
    return shares


def journal(ledger: Ledger, start: dt.date, end: dt.date,
            accounts: dict[str, str] | None = None) -> list[Posting]:
    """Every posting dated from `start` to `end`, in date order (invoices, then credit notes,
    then voids, then payments on one day, as on a statement), each document's postings
    together."""
    accounts = accounts or read_accounts()
    i, l, p, c = s.invoices.c, s.lines.c, s.payments.c, s.credits.c
    postings: list[tuple] = []
    with ledger.read() as conn:
        kinds: dict[int, dict[str, int]] = {}
        for number, kind, cents in conn.execute(
                select(l.invoice, l.kind, func.sum(l.amount_cents)).group_by(l.invoice, l.kind)):
            base = charge_of(kind, "")[0]        # late hours are revenue of their kind
            of_invoice = kinds.setdefault(number, {})
            of_invoice[base] = of_invoice.get(base, 0) + int(cents)
        for number, day, bill_to, total in conn.execute(
                select(i.number, i.invoice_date, i.bill_to, i.total_cents)
                .where(i.invoice_date.between(start, end))):
            doc = f"invoice {number:06d}"
            entries = [(accounts["receivables"], total, None, "invoice total")]
            entries += [(accounts[f"revenue.{k}"], None, cents, k.replace("_", " "))
                        for k, cents in sorted(kinds.get(number, {}).items()) if cents]
            postings.append((day, 0, number, doc, bill_to, entries))
        for number, invoice, day, bill_to, cents in conn.execute(
                select(c.number, c.invoice, c.date, i.bill_to, c.amount_cents)
                .join_from(s.credits, s.invoices, i.number == c.invoice)
                .where(c.date.between(start, end))):
            doc = f"credit note {number:06d}"
            shares = _shares(int(cents), {k: v for k, v in kinds.get(invoice, {}).items() if v})
            entries = [(accounts[f"revenue.{k}"], share, None, f"credit of invoice {invoice:06d}")
                       for k, share in sorted(shares.items()) if share]
            entries.append((accounts["receivables"], None, cents, f"credit of invoice {invoice:06d}"))
            postings.append((day, 1, number, doc, bill_to, entries))
        from_cash = set(conn.execute(select(s.cash_applications.c.payment)).scalars())

        def paid_from(pid: int) -> str:
            return accounts["unapplied"] if pid in from_cash else accounts["cash"]

        b, r = s.bank_lines.c, s.refunds.c
        for bid, day, customer, cents, payer in conn.execute(
                select(b.id, b.date, b.customer, b.amount_cents, b.payer)
                .where(b.date.between(start, end))):
            memo = f"received from {payer}"
            postings.append((day, 3, bid, f"bank line {bid}", customer,
                             [(accounts["cash"], cents, None, memo),
                              (accounts["unapplied"], None, cents, memo)]))
        for rid, day, customer, cents, reason in conn.execute(
                select(r.id, r.date, r.customer, r.amount_cents, r.reason)
                .where(r.date.between(start, end))):
            memo = f"refund of unapplied cash: {reason}"
            postings.append((day, 5, rid, f"refund {rid}", customer,
                             [(accounts["unapplied"], cents, None, memo),
                              (accounts["cash"], None, cents, memo)]))
        x = s.bank_line_reversals.c
        for xid, bid, day, customer, cents, reason in conn.execute(
                select(x.id, b.id, x.date, b.customer, b.amount_cents, x.reason)
                .join_from(s.bank_line_reversals, s.bank_lines, b.id == x.bank_line)
                .where(x.date.between(start, end))):
            memo = f"bank line {bid} reversed: {reason}"
            postings.append((day, 6, xid, f"bank line {bid} reversal", customer,
                             [(accounts["unapplied"], cents, None, memo),
                              (accounts["cash"], None, cents, memo)]))
        for pid, invoice, day, bill_to, cents in conn.execute(
                select(p.id, p.invoice, p.date, i.bill_to, p.amount_cents)
                .join_from(s.payments, s.invoices, i.number == p.invoice)
                .where(p.date.between(start, end))):
            entries = [(paid_from(pid), cents, None, f"on invoice {invoice:06d}"),
                       (accounts["receivables"], None, cents, f"on invoice {invoice:06d}")]
            postings.append((day, 4, pid, f"payment {pid}", bill_to, entries))
        v = s.payment_voids.c
        for vid, pid, invoice, day, bill_to, cents, reason in conn.execute(
                select(v.id, p.id, p.invoice, v.date, i.bill_to, p.amount_cents, v.reason)
                .select_from(s.VOIDED_PAYMENTS.join(s.invoices, i.number == p.invoice))
                .where(v.date.between(start, end))):
            memo = f"payment {pid} on invoice {invoice:06d} voided: {reason}"
            entries = [(accounts["receivables"], cents, None, memo),
                       (paid_from(pid), None, cents, memo)]
            postings.append((day, 2, vid, f"payment {pid} void", bill_to, entries))
    postings.sort(key=lambda e: e[:3])
    return [Posting(day, account, None if debit is None else from_cents(debit),
                    None if credit is None else from_cents(credit), doc, bill_to, memo)
            for day, _, _, doc, bill_to, entries in postings
            for account, debit, credit, memo in entries]


def unbalanced(postings: list[Posting]) -> list[tuple[str, Decimal, Decimal]]:
    """Each document whose postings do not balance, as (document, debits, credits), in the
    journal's order: a ledger changed outside the tool (an invoice total that is not the sum
    of its lines) gives one; a journal of the tool's own records never does."""
    sums: dict[str, list[Decimal]] = {}
    for posting in postings:
        pair = sums.setdefault(posting.document, [Decimal(0), Decimal(0)])
        pair[0] += posting.debit or 0
        pair[1] += posting.credit or 0
    return [(doc, debit, credit) for doc, (debit, credit) in sums.items() if debit != credit]
