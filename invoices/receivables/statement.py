"""A statement of account for one bill-to, from the ledger alone: what a customer reads to see
what it owes and why.

Opening balance, then every invoice, credit note and payment dated in the period with the
running balance, the closing balance (the amount due on the last day), and the aging of what is
open on that day, so the customer sees which invoices are past due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from invoices.ledger import schema as s
from invoices.receivables.reports import BUCKETS, bucket_of
from invoices.ledger.store import Ledger
from invoices.receivables.accounts import balances
from invoices.receivables.terms import DueDate
from pricing.errors import PricingError
from pricing.money import from_cents
from pricing.tables.loader import TableSet

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class StatementEntry:
    """One entry. Attributes: date, kind ("invoice", "credit note", "payment", "payment
    voided"), document (its label), reference (the invoice a credit or payment applies to,
    else ""), due (invoices only: the DueDate on the statement's last day, the one in force
    with the one issued and why they differ), charge (an invoice's total, or a payment voided)
    or credit (a payment or credit note), the balance after it, and number (an invoice's
    number; None for other entries)."""

    date: dt.date
    kind: str
    document: str
    reference: str
    due: DueDate | None
    charge: Decimal | None
    credit: Decimal | None
    balance: Decimal
    number: int | None = None

    @property
    def due_date(self) -> dt.date | None:
        """The due date in force (invoices only)."""
        return self.due.in_force if self.due else None

    @property
    def amount(self) -> Decimal:
        """Signed: + an invoice, - a payment or credit note."""
        return self.charge if self.charge is not None else -(self.credit or ZERO)

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "kind": self.kind, "document": self.document,
                "reference": self.reference,
                **(self.due.as_dict() if self.due else
                   {"due_date": None, "due_date_as_issued": None, "due_reason": None}),
                "charge": str(self.charge) if self.charge is not None else None,
                "credit": str(self.credit) if self.credit is not None else None,
                "balance": str(self.balance)}


@dataclass(frozen=True)
class OpenInvoice:
    """An invoice open on the statement's last day: its due date (DueDate), open amount, days
    past due and aging bucket."""

    number: int
    invoice_date: dt.date
    due: DueDate
    open: Decimal
    disputed: Decimal
    days_past_due: int
    bucket: str

    @property
    def due_date(self) -> dt.date:
        return self.due.in_force


@dataclass(frozen=True)
class Statement:
    """Attributes: bill_to, customer_address, seller, seller_address, contract (from the
    latest invoice to the bill-to), start, end, opening, entries, closing (the amount due on
    `end`), open_invoices, aging (bucket -> undisputed open amount), disputed, past_due."""

    bill_to: str
    customer_address: str
    seller: str
    seller_address: str
    contract: str
    start: dt.date
    end: dt.date
    opening: Decimal
    entries: tuple[StatementEntry, ...]
    closing: Decimal
    open_invoices: tuple[OpenInvoice, ...]
    aging: dict[str, Decimal]
    disputed: Decimal
    past_due: Decimal
    unapplied: Decimal = ZERO

    @property
    def changed_due_dates(self) -> list[tuple[int, DueDate]]:
        """(invoice number, DueDate) of every invoice on the statement (an entry or open) whose
        due date in force differs from the one it was issued with, in number order."""
        found = {e.number: e.due for e in self.entries if e.due is not None and e.due.changed}
        found.update((o.number, o.due) for o in self.open_invoices if o.due.changed)
        return sorted(found.items())

    def as_dict(self) -> dict:
        return {"bill_to": self.bill_to, "customer_address": self.customer_address,
                "seller": self.seller, "seller_address": self.seller_address,
                "contract": self.contract, "from": self.start.isoformat(),
                "to": self.end.isoformat(), "opening": str(self.opening),
                "entries": [e.as_dict() for e in self.entries], "closing": str(self.closing),
                "amount_due": str(self.closing), "past_due": str(self.past_due),
                "disputed": str(self.disputed), "unapplied": str(self.unapplied),
                "aging": {k: str(v) for k, v in self.aging.items()},
                "open_invoices": [{"number": o.number, "invoice_date": o.invoice_date.isoformat(),
                                   **o.due.as_dict(), "open": str(o.open),
                                   "disputed": str(o.disputed),
                                   "days_past_due": o.days_past_due, "bucket": o.bucket}
                                  for o in self.open_invoices]}


def _entries(conn, bill_to: str) -> list[tuple]:
    """(date, order, number, kind, document, reference, signed amount) of every entry. On one
    day: invoices, credit notes, voids, then payments, so a payment made the day an earlier one
    is voided never shows the customer in credit."""
    i, c, p = s.invoices.c, s.credits.c, s.payments.c
    found = []
    for number, date, cents in conn.execute(
            select(i.number, i.invoice_date, i.total_cents).where(i.bill_to == bill_to)):
        found.append((date, 0, number, "invoice", f"Invoice {number:06d}", "", from_cents(cents)))
    for credit, invoice, date, cents in conn.execute(
            select(c.number, c.invoice, c.date, c.amount_cents)
            .join_from(s.credits, s.invoices, i.number == c.invoice).where(i.bill_to == bill_to)):
        found.append((date, 1, credit, "credit note", f"Credit note {credit:06d}",
                      f"Invoice {invoice:06d}", -from_cents(cents)))
    for pid, invoice, date, cents in conn.execute(
            select(p.id, p.invoice, p.date, p.amount_cents)
            .join_from(s.payments, s.invoices, i.number == p.invoice).where(i.bill_to == bill_to)):
        found.append((date, 3, pid, "payment", f"Payment {pid}", f"Invoice {invoice:06d}",
                      -from_cents(cents)))
    v = s.payment_voids.c
    for pid, invoice, date, cents in conn.execute(
            select(p.id, p.invoice, v.date, p.amount_cents)
            .select_from(s.VOIDED_PAYMENTS.join(s.invoices, i.number == p.invoice))
            .where(i.bill_to == bill_to)):
        found.append((date, 2, pid, "payment voided", f"Payment {pid} voided",
                      f"Invoice {invoice:06d}", from_cents(cents)))
    found.sort(key=lambda e: e[:3])
    return found


def build_statement(ledger: Ledger, bill_to: str, start: dt.date, end: dt.date,
                    tables: TableSet) -> Statement:
    """The statement of `bill_to` from `start` to `end` (inclusive); every due date on it is
    the one in force on `end` (invoices.receivables.terms.due_in_force), shown once."""
    if end < start:
        raise PricingError(f"the statement ends {end}, before it starts ({start})")
    i = s.invoices.c
    with ledger.read() as conn:
        parties = conn.execute(
            select(i.seller, i.seller_address, i.customer_address, i.contract)
            .where(i.bill_to == bill_to).order_by(i.invoice_date.desc(), i.number.desc())
            .limit(1)).first()
        if parties is None:
            raise PricingError(f"no invoices to {bill_to!r} in {ledger.path}")
        found = _entries(conn, bill_to)
        from invoices.receivables.unapplied import Cash, cash_of

        unapplied = cash_of(conn, end).get(bill_to, Cash(bill_to, ZERO, ZERO, ZERO)).unapplied
    positions = balances(ledger, end, tables, bill_to)
    due = {b.number: b.due for b in positions}
    opening = sum((e[6] for e in found if e[0] < start), ZERO)
    running, entries = opening, []
    for date, _, number, kind, document, reference, amount in found:
        if start <= date <= end:
            running += amount
            charge = kind in ("invoice", "payment voided")      # what adds to the balance
            entries.append(StatementEntry(date, kind, document, reference,
                                          due[number] if kind == "invoice" else None,
                                          amount if charge else None,
                                          None if charge else -amount, running,
                                          number if kind == "invoice" else None))
    aging = {name: ZERO for name, _, _ in BUCKETS}
    open_invoices, disputed = [], ZERO
    for b in positions:
        if b.open <= 0:
            continue
        days = b.days_past_due(end)
        bucket = bucket_of(days)
        aging[bucket] += b.undisputed
        disputed += b.disputed
        open_invoices.append(OpenInvoice(b.number, b.invoice_date, b.due, b.open,
                                         b.disputed, days, bucket))
    past_due = sum((v for k, v in aging.items() if k != "current"), ZERO)
    return Statement(bill_to, parties.customer_address, parties.seller, parties.seller_address,
                     parties.contract, start, end, opening, tuple(entries), running,
                     tuple(open_invoices), aging, disputed, past_due, unapplied)
