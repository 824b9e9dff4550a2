"""What is owed: payments, disputes, credit notes and termination, recorded in the ledger.

Every command is one write transaction that checks before it records, so a refused command
leaves the ledger unchanged. An issued invoice is never edited: a credit note is a numbered
document of its own. The open balance of an invoice on a date is its total less the payments
and credit notes dated on or before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from invoices.ledger import Ledger
from pricing.errors import PricingError
from pricing.money import from_cents, to_cents


@dataclass(frozen=True)
class Balance:
    """An invoice's position on a date.

    Attributes: number, bill_to, invoice_date, due_date (accelerated by a termination on or
    before the date), total, paid, credited, open (total - paid - credited), disputed (open
    disputes, at most the open balance).
    """

    number: int
    bill_to: str
    invoice_date: dt.date
    due_date: dt.date
    total: Decimal
    paid: Decimal
    credited: Decimal
    open: Decimal
    disputed: Decimal

    @property
    def undisputed(self) -> Decimal:
        return self.open - self.disputed

    def days_past_due(self, as_of: dt.date) -> int:
        return (as_of - self.due_date).days


def _amount(text: str | Decimal, what: str) -> Decimal:
    try:
        amount = Decimal(str(text))
    except Exception:
        raise PricingError(f"{what}: expected an amount, got {text!r}") from None
    if not amount.is_finite() or amount <= 0:
        raise PricingError(f"{what}: expected an amount above zero, got {text}")
    if amount != amount.quantize(Decimal("0.01")):
        raise PricingError(f"{what}: expected whole cents, got {text}")
    return amount.quantize(Decimal("0.01"))


def termination_date(ledger: Ledger) -> dt.date | None:
    row = ledger.db.execute("SELECT date FROM terminations").fetchone()
    return dt.date.fromisoformat(row[0]) if row else None


def balance(ledger: Ledger, number: int, as_of: dt.date) -> Balance:
    row = ledger.db.execute("SELECT bill_to, invoice_date, due_date, total_cents FROM invoices "
                            "WHERE number = ?", (number,)).fetchone()
    if row is None:
        raise PricingError(f"no invoice number {number} in {ledger.path}")
    day = as_of.isoformat()
    paid = ledger.db.execute("SELECT COALESCE(SUM(amount_cents), 0) FROM payments WHERE invoice = ? "
                             "AND date <= ?", (number, day)).fetchone()[0]
    credited = ledger.db.execute("SELECT COALESCE(SUM(amount_cents), 0) FROM credits WHERE "
                                 "invoice = ? AND date <= ?", (number, day)).fetchone()[0]
    disputed = ledger.db.execute(
        "SELECT COALESCE(SUM(amount_cents), 0) FROM disputes WHERE invoice = ? AND date <= ? "
        "AND (resolved_date IS NULL OR resolved_date > ?)", (number, day, day)).fetchone()[0]
    open_cents = row[3] - paid - credited
    due = dt.date.fromisoformat(row[2])
    terminated = termination_date(ledger)
    if terminated and terminated <= as_of and terminated < due and open_cents > 0:
        due = terminated                                   # PSA Section 20(b)
    return Balance(number, row[0], dt.date.fromisoformat(row[1]), due, from_cents(row[3]),
                   from_cents(paid), from_cents(credited), from_cents(open_cents),
                   from_cents(min(disputed, max(open_cents, 0))))


def balances(ledger: Ledger, as_of: dt.date) -> list[Balance]:
    numbers = [r[0] for r in ledger.db.execute(
        "SELECT number FROM invoices WHERE invoice_date <= ? ORDER BY number", (as_of.isoformat(),))]
    return [balance(ledger, n, as_of) for n in numbers]


def _invoice_date(ledger: Ledger, number: int) -> dt.date:
    row = ledger.db.execute("SELECT invoice_date FROM invoices WHERE number = ?", (number,)).fetchone()
    if row is None:
        raise PricingError(f"no invoice number {number} in {ledger.path}")
    return dt.date.fromisoformat(row[0])


def _not_before_invoice(ledger: Ledger, number: int, date: dt.date, what: str) -> None:
    """A payment, dispute or credit cannot predate the invoice it concerns."""
    issued = _invoice_date(ledger, number)
    if date < issued:
        raise PricingError(f"a {what} dated {date} is before invoice {number:06d} was issued "
                           f"({issued})")


def _latest(ledger: Ledger, number: int) -> Balance:
    """The balance after everything recorded so far (any date)."""
    return balance(ledger, number, dt.date.max)


def record_payment(ledger: Ledger, number: int, amount: str | Decimal, date: dt.date) -> Balance:
    value = _amount(amount, "amount")
    with ledger.write() as db:
        _not_before_invoice(ledger, number, date, "payment")
        current = _latest(ledger, number)
        if value > current.open:
            raise PricingError(f"{value:,} is more than invoice {number:06d}'s open balance of "
                               f"{current.open:,}")
        db.execute("INSERT INTO payments (invoice, date, amount_cents, recorded_at) VALUES (?, ?, ?, ?)",
                   (number, date.isoformat(), to_cents(value), dt.datetime.now().isoformat()))
    return _latest(ledger, number)


@dataclass(frozen=True)
class Dispute:
    id: int
    invoice: int
    date: dt.date
    amount: Decimal
    reason: str
    discussion_until: dt.date
    resolved_date: dt.date | None = None
    resolution: str | None = None


def record_dispute(ledger: Ledger, number: int, amount: str | Decimal, date: dt.date, reason: str,
                   discussion_days: int) -> Dispute:
    value = _amount(amount, "amount")
    if not reason.strip():
        raise PricingError("--reason: say what is disputed")
    with ledger.write() as db:
        _not_before_invoice(ledger, number, date, "dispute")
        current = balance(ledger, number, date)
        room = current.open - current.disputed
        if value > room:
            raise PricingError(f"{value:,} is more than invoice {number:06d}'s open balance not "
                               f"already disputed ({room:,} on {date})")
        cursor = db.execute("INSERT INTO disputes (invoice, date, amount_cents, reason) VALUES "
                            "(?, ?, ?, ?)", (number, date.isoformat(), to_cents(value), reason))
    return Dispute(cursor.lastrowid, number, date, value, reason,
                   date + dt.timedelta(days=discussion_days))


def resolve_dispute(ledger: Ledger, dispute_id: int, date: dt.date, resolution: str) -> None:
    with ledger.write() as db:
        row = db.execute("SELECT date, resolved_date FROM disputes WHERE id = ?", (dispute_id,)).fetchone()
        if row is None:
            raise PricingError(f"no dispute {dispute_id} in {ledger.path}")
        if row[1]:
            raise PricingError(f"dispute {dispute_id} was resolved on {row[1]}")
        if date < dt.date.fromisoformat(row[0]):
            raise PricingError(f"dispute {dispute_id} was raised on {row[0]}, after {date}")
        db.execute("UPDATE disputes SET resolved_date = ?, resolution = ? WHERE id = ?",
                   (date.isoformat(), resolution, dispute_id))


def disputes(ledger: Ledger, discussion_days: int) -> list[Dispute]:
    return [Dispute(r[0], r[1], dt.date.fromisoformat(r[2]), from_cents(r[3]), r[4],
                    dt.date.fromisoformat(r[2]) + dt.timedelta(days=discussion_days),
                    dt.date.fromisoformat(r[5]) if r[5] else None, r[6])
            for r in ledger.db.execute("SELECT id, invoice, date, amount_cents, reason, "
                                       "resolved_date, resolution FROM disputes ORDER BY id")]


@dataclass(frozen=True)
class CreditNote:
    number: int
    invoice: int
    bill_to: str
    date: dt.date
    amount: Decimal
    reason: str
    file: str


def issue_credit(ledger: Ledger, number: int, amount: str | Decimal, date: dt.date, reason: str,
                 out_dir: Path) -> CreditNote:
    """A numbered credit note against an invoice (never more than its open balance)."""
    value = _amount(amount, "amount")
    if not reason.strip():
        raise PricingError("--reason: say why the credit is given")
    with ledger.write() as db:
        _not_before_invoice(ledger, number, date, "credit")
        current = _latest(ledger, number)
        if value > current.open:
            raise PricingError(f"{value:,} is more than invoice {number:06d}'s open balance of "
                               f"{current.open:,}")
        credit = ledger.next_number("credit")
        file = str(out_dir.resolve() / f"credit-{credit:06d}.xlsx")
        db.execute("INSERT INTO credits (number, invoice, date, amount_cents, reason, file) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   (credit, number, date.isoformat(), to_cents(value), reason, file))
    return CreditNote(credit, number, current.bill_to, date, value, reason, file)


def credit_note(ledger: Ledger, credit: int) -> CreditNote:
    row = ledger.db.execute("SELECT c.number, c.invoice, i.bill_to, c.date, c.amount_cents, "
                            "c.reason, c.file FROM credits c JOIN invoices i ON i.number = c.invoice "
                            "WHERE c.number = ?", (credit,)).fetchone()
    if row is None:
        raise PricingError(f"no credit note {credit}")
    return CreditNote(row[0], row[1], row[2], dt.date.fromisoformat(row[3]), from_cents(row[4]),
                      row[5], row[6])


def terminate(ledger: Ledger, date: dt.date) -> None:
    with ledger.write() as db:
        existing = termination_date(ledger)
        if existing:
            raise PricingError(f"the agreement was already terminated on {existing}")
        db.execute("INSERT INTO terminations (id, date, recorded_at) VALUES (1, ?, ?)",
                   (date.isoformat(), dt.datetime.now().isoformat()))


def payments(ledger: Ledger, start: dt.date, end: dt.date) -> list[tuple[int, int, dt.date, Decimal]]:
    """(payment id, invoice, date, amount) with start <= date < end."""
    return [(r[0], r[1], dt.date.fromisoformat(r[2]), from_cents(r[3])) for r in ledger.db.execute(
        "SELECT id, invoice, date, amount_cents FROM payments WHERE date >= ? AND date < ? "
        "ORDER BY date, id", (start.isoformat(), end.isoformat()))]
