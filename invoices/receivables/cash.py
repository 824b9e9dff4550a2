"""Cash received: bank lines imported, applied to invoices, left unapplied, refunded (issue 25).

Importing a bank file is one write transaction: every line is checked first (its payer matches
one customer, its date is within the PSA's term), then each line not imported before is
recorded with where its money went (invoices.receivables.allocation): a payment on each invoice
it pays, linked to the bank line, and the rest left as the customer's unapplied cash. A line's
identity is unique in the ledger, so importing the same file again records nothing, and a line
is never applied twice; a kill before COMMIT records none of the file.

A customer's unapplied cash is what it paid in (bank lines), less the payments made from cash
that still stand (a voided one gives its money back to the account), less refunds. So for every
customer: cash received = applied + unapplied + refunded, to the cent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from invoices.ledger import schema as s
from invoices.ledger.chain import append
from invoices.ledger.plain import day, rows
from invoices.ledger.store import Ledger, now
from invoices.receivables.accounts import _amount, _latest, _open_from
from invoices.receivables.allocation import (Payable, allocate, match_customer,
                                             named_invoices, payer_key)
from invoices.receivables.bank_files import BankLine
from invoices.receivables.unapplied import Cash, cash_of
from pricing.errors import PricingError, Problem, ProblemsError
from pricing.money import from_cents, to_cents
from pricing.tables.loader import TableSet
from pricing.values import TEXT_LIMIT

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Imported:
    """One bank line as imported: its customer, the payments it made (invoice, amount, in
    order), what it left unapplied, whether an earlier import had recorded it already, and
    `unpaid`: why each invoice its reference names got none of its money (a remittance line
    naming another customer's invoice, or one already paid, is worth telling the analyst)."""

    line: BankLine
    customer: str
    applied: tuple[tuple[int, Decimal], ...]
    unapplied: Decimal
    already: bool = False
    unpaid: tuple[str, ...] = ()


def customers_on(tables: TableSet, day: dt.date) -> list[str]:
    """The PSA's customers on `day`, as the customers table names them: the invoices are the
    PSA's, so cash is only a PSA customer's, and only from the day it became one."""
    return sorted({row.entity for row in tables.rows("customers", day)
                   if row.agreement == "PSA" and row.customer_from <= day})


def _place(line: BankLine) -> tuple[str, int | None]:
    """(file, row) of a problem of the line: a CSV's row; a camt.053 entry, named in full
    (its place among the file's entries is no row anyone can find)."""
    if line.where == f"{line.file} line {line.line}":
        return line.file, line.line
    return line.where, None


def _checked(lines: list[BankLine], tables: TableSet) -> list[tuple[BankLine, str]]:
    """Each line with its customer; every line that names no one customer, or is dated outside
    the PSA's term, is a problem of its file and line (ProblemsError: nothing is recorded)."""
    from pricing.rules.agreements import check_in_term

    problems, found = [], []
    for line in lines:
        try:
            check_in_term(tables, "PSA", line.date)
        except PricingError as error:
            problems.append(Problem(*_place(line), "date", f"{line.date}: {error}"))
            continue
        names = customers_on(tables, line.date)
        customer = match_customer(line.payer, names)
        if customer is None:
            problems.append(Problem(*_place(line), "payer",
                                    f"{line.payer!r} is not one customer of the customers table "
                                    f"on {line.date} (its customers: {'; '.join(names)})"))
            continue
        found.append((line, customer))
    if problems:
        raise ProblemsError(problems, f"{len(problems)} bank line(s) cannot be imported; "
                                      f"nothing of the file is recorded")
    return found


def _payable(ledger: Ledger, conn, customer: str, day: dt.date,
             taken: dict[int, Decimal]) -> list[Payable]:
    """The customer's invoices dated on or before `day`, each with what cash dated `day` may
    pay on it: open and not disputed, on every day from then on, less what this import took."""
    found = []
    for number, issued in rows(conn, "SELECT number, invoice_date FROM invoices WHERE "
                                     "bill_to = :customer AND invoice_date <= :day "
                                     "ORDER BY number", customer=customer, day=day):
        latest = _latest(ledger, number, conn)
        room = min(latest.open - latest.disputed, _open_from(ledger, number, day, conn)[0])
        room -= taken.get(number, ZERO)
        if room > 0:
            found.append(Payable(number, issued if isinstance(issued, dt.date)
                                 else dt.date.fromisoformat(issued), room))
    return found


def import_payments(ledger: Ledger, lines: list[BankLine], tables: TableSet,
                    dry_run: bool = False) -> list[Imported]:
    """Record a bank file's lines (all or none) and return what each did; `dry_run`: the same
    answer, recording nothing."""
    matched = _checked(lines, tables)
    found: list[Imported] = []
    transaction = ledger.read() if dry_run else ledger.write()
    with transaction as conn:
        known = {identity: (day(d), int(cents), payer) for identity, d, cents, payer in rows(
            conn, "SELECT identity, date, amount_cents, payer FROM bank_lines")}
        _refuse_changed(matched, known)
        taken: dict[int, Decimal] = {}     # a dry run's payments, which it does not record
        for line, customer in matched:
            if line.identity in known:
                found.append(Imported(line, customer, (), ZERO, already=True))
                continue
            known[line.identity] = (line.date, to_cents(line.amount), line.payer)
            payable = _payable(ledger, conn, customer, line.date, taken)
            allocation = allocate(line.amount, named_invoices(line.reference), payable)
            if dry_run:                    # a real import's payments are in the ledger already
                for number, amount in allocation.applied:
                    taken[number] = taken.get(number, ZERO) + amount
            found.append(Imported(line, customer, allocation.applied, allocation.unapplied,
                                  unpaid=_named_unpaid(conn, line, customer, allocation,
                                                       payable)))
            if not dry_run:
                _record(ledger, conn, line, customer, allocation.applied)
        if not dry_run:
            from invoices.ledger.faults import fault_point

            fault_point("import-before-commit")
    return found


def _named_unpaid(conn, line: BankLine, customer: str, allocation,
                  payable: list[Payable]) -> tuple[str, ...]:
    """Why each invoice the line's reference names got none of its money, in the order named."""
    paid = {number for number, _ in allocation.applied}
    open_ones = {p.number for p in payable}
    said = []
    for number in named_invoices(line.reference):
        if number in paid:
            continue
        found = rows(conn, "SELECT bill_to, invoice_date FROM invoices WHERE number = :n",
                     n=number)
        if not found:
            why = "is not in the ledger"
        elif found[0][0] != customer:
            why = f"is to {found[0][0]}, not {customer}"
        elif day(found[0][1]) > line.date:
            why = f"is dated {day(found[0][1])}, after the payment"
        elif number in open_ones:
            why = "got nothing: the line's money was spent on the invoices named before it"
        else:
            why = "has nothing open and undisputed"
        said.append(f"invoice {number:06d} named in the reference {why}")
    return tuple(said)


def _refuse_changed(matched: list[tuple[BankLine, str]], known: dict) -> None:
    """A line whose identity was imported before with another date, amount or payer is not
    the same line (a bank reusing a reference, two statements with one Id): refused, never
    skipped as already imported."""
    problems = [Problem(*_place(line), None,
                        f"this line has the identity of a bank line imported before "
                        f"({known[line.identity][0]}, {from_cents(known[line.identity][1]):,}, "
                        f"{known[line.identity][2]}) but says {line.date}, {line.amount:,}, "
                        f"{line.payer}: not the same payment; nothing of the file is recorded")
                for line, _ in matched if line.identity in known
                and known[line.identity] != (line.date, to_cents(line.amount), line.payer)]
    if problems:
        raise ProblemsError(problems, f"{len(problems)} bank line(s) clash with lines imported "
                                      f"before; nothing of the file is recorded")


def _record(ledger: Ledger, conn, line: BankLine, customer: str,
            applied: tuple[tuple[int, Decimal], ...]) -> None:
    at, by = now(), ledger.recorder
    made = conn.execute(s.bank_lines.insert().values(
        identity=line.identity, customer=customer, date=line.date,
        amount_cents=to_cents(line.amount), payer=line.payer, reference=line.reference,
        source=line.where, recorded_at=at, recorded_by=by))
    bank_line = made.inserted_primary_key[0]
    append(conn, "bank_line", bank_line)
    for number, amount in applied:
        _pay_from_cash(conn, customer, number, amount, line.date, bank_line, at, by)


def _pay_from_cash(conn, customer: str, number: int, amount: Decimal, day: dt.date,
                   bank_line: int | None, at: str, by: str) -> int:
    paid = conn.execute(s.payments.insert().values(
        invoice=number, date=day, amount_cents=to_cents(amount), recorded_at=at,
        recorded_by=by))
    payment = paid.inserted_primary_key[0]
    append(conn, "payment", payment)
    linked = conn.execute(s.cash_applications.insert().values(
        payment=payment, customer=customer, bank_line=bank_line, recorded_at=at,
        recorded_by=by))
    append(conn, "application", linked.inserted_primary_key[0])
    return payment


def _unapplied_from(conn, customer: str, start: dt.date) -> Decimal:
    """The least unapplied cash the customer holds on any day from `start` on: what an application
    or a refund dated `start` may take (cash received later is not there yet; cash applied
    later is spoken for)."""
    def on(when: dt.date) -> Decimal:
        return cash_of(conn, when).get(customer, Cash(customer, ZERO, ZERO, ZERO)).unapplied

    # The balance changes only on the days of these entries; between them it stays, so its
    # least is on `start` or on one of them (a void gives cash back: the day before it counts).
    later = {day(d) for (d,) in rows(
        conn, "SELECT date FROM bank_lines WHERE customer = :c AND date > :start "
              "UNION SELECT date FROM refunds WHERE customer = :c AND date > :start "
              "UNION SELECT p.date FROM payments p JOIN cash_applications a ON a.payment = p.id "
              "WHERE a.customer = :c AND p.date > :start "
              "UNION SELECT v.date FROM payment_voids v JOIN cash_applications a ON "
              "a.payment = v.payment WHERE a.customer = :c AND v.date > :start "
              "UNION SELECT r.date FROM bank_line_reversals r JOIN bank_lines b ON "
              "b.id = r.bank_line WHERE b.customer = :c AND r.date > :start",
        c=customer, start=start)}
    return min([on(start), on(dt.date.max)] + [on(d) for d in later]
               + [on(d - dt.timedelta(days=1)) for d in later])


def _customer(name: str, tables: TableSet, day: dt.date) -> str:
    from pricing.rules.agreements import check_in_term

    check_in_term(tables, "PSA", day)
    customer = match_customer(name, customers_on(tables, day))
    if customer is None:
        raise PricingError(f"{name!r} is not one customer of the customers table on {day}")
    return customer


def apply_cash(ledger: Ledger, name: str, number: int, amount: str | Decimal | None,
               day: dt.date, tables: TableSet) -> tuple[str, Decimal, Decimal]:
    """Pay invoice `number` from the customer's unapplied cash (all the invoice may take, or
    `amount`); returns (customer, amount applied, unapplied left)."""
    with ledger.write() as conn:
        customer = _customer(name, tables, day)
        left = _unapplied_from(conn, customer, day)
        found = rows(conn, "SELECT bill_to, invoice_date FROM invoices WHERE number = :n",
                     n=number)
        if not found:
            raise PricingError(f"no invoice number {number} in {ledger.where}")
        if found[0][0] != customer:
            raise PricingError(f"invoice {number:06d} is to {found[0][0]}, not {customer}")
        payable = _payable(ledger, conn, customer, day, {})
        room = next((p.room for p in payable if p.number == number), ZERO)
        if room <= 0:
            issued = found[0][1] if isinstance(found[0][1], dt.date) else \
                dt.date.fromisoformat(found[0][1])
            raise PricingError(f"invoice {number:06d} has nothing open and undisputed to pay on "
                               f"{day}" + (f" (it is dated {issued})" if issued > day else ""))
        value = _amount(amount, "amount") if amount is not None else min(left, room)
        if value <= 0 or value > left:
            short = "there is nothing to apply" if value <= 0 else f"{value:,} cannot be applied"
            raise PricingError(f"{customer} holds {left:,} of unapplied cash from {day} on: "
                               f"{short}")
        if value > room:
            raise PricingError(f"{value:,} is more than invoice {number:06d} may take on {day} "
                               f"({room:,}: open and not disputed)")
        _pay_from_cash(conn, customer, number, value, day, None, now(), ledger.recorder)
    return customer, value, left - value


def refund(ledger: Ledger, name: str, amount: str | Decimal, day: dt.date, reason: str,
           tables: TableSet) -> tuple[str, Decimal]:
    """Record unapplied cash paid back to the customer; returns (customer, unapplied left)."""
    value = _amount(amount, "amount")
    if not reason.strip():
        raise PricingError("--reason: say why the cash is paid back")
    with ledger.write() as conn:
        customer = _customer(name, tables, day)
        left = _unapplied_from(conn, customer, day)
        if value > left:
            raise PricingError(f"{value:,} is more than {customer}'s unapplied cash ({left:,})")
        made = conn.execute(s.refunds.insert().values(
            customer=customer, date=day, amount_cents=to_cents(value), reason=reason,
            recorded_at=now(), recorded_by=ledger.recorder))
        append(conn, "refund", made.inserted_primary_key[0])
    return customer, left - value


@dataclass(frozen=True)
class BankLineEntry:
    """A bank line as the ledger holds it: id, date, customer, payer, amount, reference,
    source (file and line it came from), applied (payments from it still standing) and
    reversed (the reversal's date, or None)."""

    id: int
    date: dt.date
    customer: str
    payer: str
    amount: Decimal
    reference: str
    source: str
    applied: Decimal
    reversed: dt.date | None


def bank_line_entries(ledger: Ledger, customer: str | None = None) -> list[BankLineEntry]:
    """Every bank line imported (of `customer`, if given: case, punctuation and "Inc." aside,
    as the other cash commands take a name), in order."""
    with ledger.read() as conn:
        return [e for e in _entries(conn)
                if customer is None or payer_key(e.customer) == payer_key(customer)]


def _entries(conn) -> list[BankLineEntry]:
    """Every bank line, with what stands applied from it and its reversal's date."""
    found = rows(conn, "SELECT b.id, b.date, b.customer, b.payer, b.amount_cents, b.reference, "
                       "b.source, (SELECT sum(p.amount_cents) FROM cash_applications a JOIN "
                       "payments p ON p.id = a.payment WHERE a.bank_line = b.id AND NOT EXISTS "
                       "(SELECT 1 FROM payment_voids v WHERE v.payment = p.id)), (SELECT r.date "
                       "FROM bank_line_reversals r WHERE r.bank_line = b.id) FROM bank_lines b "
                       "ORDER BY b.id")
    return [BankLineEntry(int(i), day(d), c, payer, from_cents(int(cents)), reference, source,
                          from_cents(int(applied or 0)), day(gone) if gone else None)
            for i, d, c, payer, cents, reference, source, applied, gone in found]


@dataclass(frozen=True)
class Reversal:
    """A bank line reversed: the line, the payments made from it that were voided (payment id,
    invoice, amount), and the customer's unapplied cash left from the reversal's date on."""

    line: BankLineEntry
    date: dt.date
    voided: tuple[tuple[int, int, Decimal], ...]
    unapplied: Decimal


def reverse_bank_line(ledger: Ledger, line_id: int, when: dt.date, reason: str,
                      tables: TableSet) -> Reversal:
    """Reverse bank line `line_id` from `when` (an import made by mistake, a transfer the bank
    recalled): the payments made from it are voided on that day, and its money no longer
    counts as received. All in one transaction; refused, recording nothing, when the line's
    cash was spent since (applied to other invoices from the unapplied balance, or refunded):
    those are undone first, each by its own command."""
    from pricing.rules.agreements import check_in_term

    if not reason.strip():
        raise PricingError("--reason: say why the bank line is reversed")
    prefix = f"bank line {line_id} reversed: "          # how the voids of its payments say why
    if len(prefix) + len(reason) > TEXT_LIMIT:
        raise PricingError(f"--reason: at most {TEXT_LIMIT - len(prefix):,} characters here (the "
                           f"voids of the line's payments quote it after {prefix!r})")
    check_in_term(tables, "PSA", when)
    with ledger.write() as conn:
        line = next((e for e in _entries(conn) if e.id == line_id), None)
        if line is None:
            raise PricingError(f"no bank line {line_id} in {ledger.where} (`pricing ar "
                               f"bank-lines` lists them)")
        if line.reversed is not None:
            raise PricingError(f"bank line {line_id} was already reversed on {line.reversed}")
        if when < line.date:
            raise PricingError(f"a reversal dated {when} is before bank line {line_id} was "
                               f"received ({line.date})")
        standing = rows(conn, "SELECT p.id, p.invoice, p.amount_cents, (SELECT v.date FROM "
                              "payment_voids v WHERE v.payment = p.id) FROM cash_applications a "
                              "JOIN payments p ON p.id = a.payment WHERE a.bank_line = :line "
                              "ORDER BY p.id", line=line_id)
        later = [(pid, day(v)) for pid, _, _, v in standing if v is not None and day(v) > when]
        if later:
            raise PricingError(f"payment {later[0][0]} from bank line {line_id} was voided on "
                               f"{later[0][1]}, after {when}: date the reversal on or after it")
        at, by = now(), ledger.recorder
        voided = []
        for pid, invoice, cents, void_date in standing:
            if void_date is not None:
                continue
            made = conn.execute(s.payment_voids.insert().values(
                payment=pid, date=when, reason=prefix + reason,
                recorded_at=at, recorded_by=by))
            append(conn, "void", made.inserted_primary_key[0])
            voided.append((int(pid), int(invoice), from_cents(int(cents))))
        left = _unapplied_from(conn, line.customer, when)
        if left < line.amount:
            raise PricingError(_spent(conn, line, when, left))
        made = conn.execute(s.bank_line_reversals.insert().values(
            bank_line=line_id, date=when, reason=reason, recorded_at=at, recorded_by=by))
        append(conn, "reversal", made.inserted_primary_key[0])
    return Reversal(line, when, tuple(voided), left - line.amount)


def _spent(conn, line: BankLineEntry, when: dt.date, left: Decimal) -> str:
    """Why a bank line cannot be reversed on `when`: where the customer's cash went since."""
    paid = [int(p) for (p,) in rows(
        conn, "SELECT p.id FROM payments p JOIN cash_applications a ON a.payment = p.id WHERE "
              "a.customer = :c AND a.bank_line IS NULL AND p.date >= :d AND NOT EXISTS (SELECT 1 "
              "FROM payment_voids v WHERE v.payment = p.id AND v.date <= :when) ORDER BY p.id",
        c=line.customer, d=line.date, when=when)]
    back = [int(r) for (r,) in rows(conn, "SELECT id FROM refunds WHERE customer = :c AND "
                                          "date >= :d ORDER BY id", c=line.customer, d=line.date)]
    said = [f"{line.customer} holds {left:,} of unapplied cash from {when} on, less than bank "
            f"line {line.id}'s {line.amount:,}: its cash was spent since"]
    if paid:
        said.append(f"payment{'s' * (len(paid) > 1)} {', '.join(map(str, paid))} "
                    f"{'were' if len(paid) > 1 else 'was'} made from the unapplied balance "
                    f"(`pricing ar void-payment ID` undoes one)")
    if back:
        said.append(f"refund{'s' * (len(back) > 1)} {', '.join(map(str, back))} paid cash back "
                    f"(a refund is not undone: reverse the line on a day its customer's "
                    f"unapplied cash covers it)")
    return "; ".join(said) + "; nothing is recorded"
