"""What is owed: payments, disputes, credit notes and termination, recorded in the ledger.

Every command is one write transaction that checks before it records, so a refused command
leaves the ledger unchanged. An issued invoice is never edited: a credit note is a numbered
document of its own. The open balance of an invoice on a date is its total less the payments
and credit notes dated on or before it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from invoices.ledger import schema as s
from invoices.ledger.chain import append
from invoices.ledger.store import Ledger, now
from invoices.receivables.positions import (Balance, Where, balances,  # noqa: F401 (re-exported)
                                             ledger_termination, positions)
from invoices.receivables.positions import termination_date as positions_termination
from invoices.receivables.terms import TerminationRule, dispute_period
from pricing.errors import PricingError
from pricing.money import from_cents, to_cents
from pricing.tables.loader import TableSet
from pricing.values import parse_amount


def _amount(text: str | Decimal, what: str) -> Decimal:
    """An amount as a user typed it (`1,250.00`, `$1,250.00`), or an exact Decimal."""
    try:
        if isinstance(text, Decimal):
            return parse_amount(f"{text:f}")
        return parse_amount(text)
    except ValueError as error:
        raise PricingError(f"{what}: {error}") from None


def termination_date(ledger: Ledger | None, conn=None) -> dt.date | None:
    """The termination in force: the last entry of the log, unless it is a withdrawal."""
    if conn is None:
        return ledger_termination(ledger)
    return positions_termination(conn)


def standing(day: dt.date):
    """The condition a payment stands on `day`: not voided by a reversal dated on or before
    it (a payment voided later still stood until then)."""
    v = s.payment_voids.c
    return ~select(v.id).where(v.payment == s.payments.c.id, v.date <= day).exists()


def balance(ledger: Ledger, number: int, as_of: dt.date, tables: TableSet | None,
            conn=None) -> Balance:
    """One invoice's balance on `as_of`, its due date in force under `tables`' termination
    rule (None: due date as issued, for callers that need only the amounts)."""
    if conn is None:
        with ledger.read() as conn:
            return balance(ledger, number, as_of, tables, conn)
    rule = TerminationRule.of(tables) if tables is not None else None
    found = positions(conn, as_of, rule, Where.of("i.number = :number", number=number))
    if not found:
        raise PricingError(f"no invoice number {number} in {ledger.path}")
    return found[0]


def _invoice_date(ledger: Ledger, conn, number: int) -> dt.date:
    date = conn.execute(select(s.invoices.c.invoice_date)
                        .where(s.invoices.c.number == number)).scalar()
    if date is None:
        raise PricingError(f"no invoice number {number} in {ledger.path}")
    return date


def _not_before_invoice(ledger: Ledger, conn, number: int, date: dt.date, what: str) -> None:
    """A payment, dispute or credit cannot predate the invoice it concerns."""
    issued = _invoice_date(ledger, conn, number)
    if date < issued:
        raise PricingError(f"a {what} dated {date} is before invoice {number:06d} was issued "
                           f"({issued})")


def _latest(ledger: Ledger, number: int, conn) -> Balance:
    """The balance after everything recorded so far (any date); amounts only."""
    return balance(ledger, number, dt.date.max, None, conn)


def _open_from(ledger: Ledger, number: int, date: dt.date, conn) -> tuple[Decimal, str]:
    """The least open balance of the invoice on any day from `date` on: what a payment or credit
    dated `date` may take without the invoice being overpaid on some later day, and the words
    that say when. Without voids that is the balance after everything; a payment voided later
    was counted until the day before its void, so those days count too."""
    v, p = s.payment_voids.c, s.payments.c
    days = {date: (2, f" on {date}"), dt.date.max: (0, "")}    # (rank on a tie, words)
    for day, payment in conn.execute(
            select(v.date, v.payment).select_from(s.VOIDED_PAYMENTS)
            .where(p.invoice == number, v.date > date)):
        days[day - dt.timedelta(days=1)] = (1, f" on {day - dt.timedelta(days=1)}, while "
                                               f"payment {payment} stands (it is voided from {day})")
    open_on = {day: balance(ledger, number, day, None, conn).open for day in days}
    least = min(days, key=lambda day: (open_on[day], days[day][0], day))
    return open_on[least], days[least][1]


def _refuse_overpaying(ledger: Ledger, number: int, date: dt.date, value: Decimal, conn) -> None:
    """A payment or credit note of `value` dated `date` must fit the invoice's open balance on
    every day from then on."""
    room, when = _open_from(ledger, number, date, conn)
    if value > room:
        raise PricingError(f"{value:,} is more than invoice {number:06d}'s open balance of "
                           f"{room:,}{when}")


def record_payment(ledger: Ledger, number: int, amount: str | Decimal, date: dt.date
                   ) -> tuple[int, Balance]:
    """Record a payment; return its id (to void it by) and the invoice's balance after it."""
    value = _amount(amount, "amount")
    with ledger.write() as conn:
        _not_before_invoice(ledger, conn, number, date, "payment")
        _refuse_overpaying(ledger, number, date, value, conn)
        made = conn.execute(s.payments.insert().values(
            invoice=number, date=date, amount_cents=to_cents(value), recorded_at=now(),
            recorded_by=ledger.recorder))
        append(conn, "payment", made.inserted_primary_key[0])
        return made.inserted_primary_key[0], _latest(ledger, number, conn)


@dataclass(frozen=True)
class Payment:
    """A payment as recorded, with its reversal if it was voided.

    Attributes: id, invoice, bill_to, date, amount, recorded_at, recorded_by; voided (the
    reversal's date), void_reason, voided_at, voided_by (None while it stands)."""

    id: int
    invoice: int
    bill_to: str
    date: dt.date
    amount: Decimal
    recorded_at: str
    recorded_by: str
    voided: dt.date | None = None
    void_reason: str | None = None
    voided_at: str | None = None
    voided_by: str | None = None


def _payment_rows(conn, *where) -> list[Payment]:
    p, v, i = s.payments.c, s.payment_voids.c, s.invoices.c
    query = (select(p.id, p.invoice, i.bill_to, p.date, p.amount_cents, p.recorded_at,
                    p.recorded_by, v.date, v.reason, v.recorded_at, v.recorded_by)
             .select_from(s.payments.join(s.invoices, i.number == p.invoice)
                          .outerjoin(s.payment_voids, v.payment == p.id))
             .where(*where).order_by(p.id))
    return [Payment(r[0], r[1], r[2], r[3], from_cents(r[4]), *r[5:7], *r[7:])
            for r in conn.execute(query)]


def payment_list(ledger: Ledger, invoice: int | None = None) -> list[Payment]:
    """Every payment (of one invoice, if given), voided ones included, in the order recorded."""
    where = [] if invoice is None else [s.payments.c.invoice == invoice]
    with ledger.read() as conn:
        if invoice is not None:
            _invoice_date(ledger, conn, invoice)           # no such invoice: say so
        return _payment_rows(conn, *where)


def void_payment(ledger: Ledger, payment_id: int, date: dt.date, reason: str
                 ) -> tuple[Payment, Balance]:
    """Reverse a payment recorded by mistake (or one that bounced), from `date`: the payment
    and its reversal both stay in the ledger, and the invoice is open again by the amount from
    that day. Returns the payment voided and the invoice's balance after."""
    if not reason.strip():
        raise PricingError("--reason: say why the payment is voided")
    with ledger.write() as conn:
        found = _payment_rows(conn, s.payments.c.id == payment_id)
        if not found:
            raise PricingError(f"no payment {payment_id} in {ledger.where}")
        payment = found[0]
        if payment.voided is not None:
            raise PricingError(f"payment {payment_id} was already voided on {payment.voided} "
                               f"by {payment.voided_by} ({payment.void_reason})")
        if date < payment.date:
            raise PricingError(f"a void dated {date} is before payment {payment_id} was made "
                               f"({payment.date})")
        voided = replace(payment, voided=date, void_reason=reason, voided_at=now(),
                         voided_by=ledger.recorder)
        made = conn.execute(s.payment_voids.insert().values(
            payment=payment_id, date=date, reason=reason, recorded_at=voided.voided_at,
            recorded_by=voided.voided_by))
        append(conn, "void", made.inserted_primary_key[0])
        return voided, _latest(ledger, payment.invoice, conn)


@dataclass(frozen=True)
class Dispute:
    """A good-faith dispute of part of an invoice.

    Attributes: id, invoice, date (raised), amount, reason, discussion_until (the discussion
    period's last day; None: withheld until finally settled, the PSA before Amendment 3), rule
    (that period in words), resolved_date, resolution, recorded_by, resolved_by."""

    id: int
    invoice: int
    date: dt.date
    amount: Decimal
    reason: str
    discussion_until: dt.date | None
    rule: str
    resolved_date: dt.date | None = None
    resolution: str | None = None
    recorded_by: str | None = None
    resolved_by: str | None = None


def record_dispute(ledger: Ledger, number: int, amount: str | Decimal, date: dt.date, reason: str,
                   tables: TableSet) -> Dispute:
    """Record a dispute of any date: its period follows the PSA as in force on that date
    (invoices.receivables.terms.dispute_period)."""
    value = _amount(amount, "amount")
    if not reason.strip():
        raise PricingError("--reason: say what is disputed")
    period = dispute_period(date, tables)
    with ledger.write() as conn:
        _not_before_invoice(ledger, conn, number, date, "dispute")
        current = _latest(ledger, number, conn)         # every open dispute, whatever its date
        room = current.open - current.disputed
        if value > room:
            raise PricingError(f"{value:,} is more than invoice {number:06d}'s open balance not "
                               f"already disputed ({room:,})")
        found = conn.execute(s.disputes.insert().values(
            invoice=number, date=date, amount_cents=to_cents(value), reason=reason,
            recorded_at=now(), recorded_by=ledger.recorder))
        dispute_id = found.inserted_primary_key[0]
        append(conn, "dispute", dispute_id)
    return Dispute(dispute_id, number, date, value, reason, period.until, period.text,
                   recorded_by=ledger.recorder)


def resolve_dispute(ledger: Ledger, dispute_id: int, date: dt.date, resolution: str) -> None:
    if not resolution.strip():
        raise PricingError("--resolution: say how the dispute was settled")
    d = s.disputes.c
    with ledger.write() as conn:
        row = conn.execute(select(d.date, d.resolved_date).where(d.id == dispute_id)).first()
        if row is None:
            raise PricingError(f"no dispute {dispute_id} in {ledger.path}")
        if row.resolved_date:
            raise PricingError(f"dispute {dispute_id} was resolved on {row.resolved_date}")
        if date < row.date:
            raise PricingError(f"dispute {dispute_id} was raised on {row.date}, after {date}")
        conn.execute(s.disputes.update().where(d.id == dispute_id)
                     .values(resolved_date=date, resolution=resolution, resolved_at=now(),
                             resolved_by=ledger.recorder))
        append(conn, "resolution", dispute_id)


def disputes(ledger: Ledger, tables: TableSet) -> list[Dispute]:
    """Every dispute, each with the period of the PSA as in force on the day it was raised, or
    the latest extension agreed since."""
    e = s.dispute_extensions.c
    with ledger.read() as conn:
        rows = conn.execute(s.disputes.select().order_by(s.disputes.c.id)).all()
        extended = {r.dispute: r for r in conn.execute(
            s.dispute_extensions.select().order_by(e.id))}        # the latest row wins
    found = []
    for r in rows:
        period = dispute_period(r.date, tables)
        until, rule = period.until, period.text
        if r.id in extended:
            x = extended[r.id]
            until, rule = x.until, (f"{rule}; extended by agreement to {x.until} "
                                    f"({x.reason}; recorded by {x.recorded_by})")
        found.append(Dispute(r.id, r.invoice, r.date, from_cents(r.amount_cents), r.reason,
                             until, rule, r.resolved_date, r.resolution,
                             r.recorded_by, r.resolved_by))
    return found


def extend_dispute(ledger: Ledger, dispute_id: int, until: dt.date, reason: str,
                   tables: TableSet) -> Dispute:
    """Record a longer discussion period the parties agreed for a dispute (PSA Section 24 as
    amended: "or such longer period as mutually agreed"). Refused for a dispute that has no
    set period (raised before the amendment: withheld until finally settled), one resolved,
    and an end that is not after the period in force."""
    if not reason.strip():
        raise PricingError("--reason: say what was agreed, and with whom")
    d, e = s.disputes.c, s.dispute_extensions.c
    with ledger.write() as conn:
        row = conn.execute(select(d.date, d.resolved_date).where(d.id == dispute_id)).first()
        if row is None:
            raise PricingError(f"no dispute {dispute_id} in {ledger.path}")
        if row.resolved_date:
            raise PricingError(f"dispute {dispute_id} was resolved on {row.resolved_date}; "
                               f"there is no discussion left to extend")
        period = dispute_period(row.date, tables)
        if period.until is None:
            raise PricingError(f"dispute {dispute_id} has no discussion period to extend: "
                               f"{period.text}")
        latest = conn.execute(select(e.until).where(e.dispute == dispute_id)
                              .order_by(e.id.desc()).limit(1)).scalar()
        in_force = latest or period.until
        if until <= in_force:
            raise PricingError(f"--until {until}: dispute {dispute_id}'s discussion already "
                               f"runs to {in_force}; an extension must end after it")
        made = conn.execute(s.dispute_extensions.insert().values(
            dispute=dispute_id, until=until, reason=reason, recorded_at=now(),
            recorded_by=ledger.recorder))
        append(conn, "extension", made.inserted_primary_key[0])
    return next(x for x in disputes(ledger, tables) if x.id == dispute_id)


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
    """A numbered credit note against an invoice (never more than its open balance), recorded
    as unwritten: the caller writes its document and marks it written. `out_dir` must already
    be checked writable (invoices.ledger.claims.output_dir), and the credit's path must be free."""
    from invoices.ledger.claims import claim, credit_document, output_dir, release
    from invoices.ledger.faults import fault_point

    value = _amount(amount, "amount")
    if not reason.strip():
        raise PricingError("--reason: say why the credit is given")
    out_dir = output_dir(out_dir)
    with ledger.write() as conn:
        _not_before_invoice(ledger, conn, number, date, "credit")
        current = _latest(ledger, number, conn)
        _refuse_overpaying(ledger, number, date, value, conn)
        credit = ledger.next_number(conn, "credit")
        file = out_dir.resolve() / f"credit-{credit:06d}.xlsx"
        made = claim(file, ledger.id, credit_document(credit))   # O_EXCL: one ledger wins
        try:
            conn.execute(s.credits.insert().values(number=credit, invoice=number, date=date,
                                                   amount_cents=to_cents(value), reason=reason,
                                                   file=str(file), written=False,
                                                   recorded_at=now(),
                                                   recorded_by=ledger.recorder))
            append(conn, "credit", credit)
            fault_point("credit-before-commit")
        except BaseException:
            if made:
                release([file])
            raise
    return CreditNote(credit, number, current.bill_to, date, value, reason, str(file))


def credit_note(ledger: Ledger, credit: int) -> CreditNote:
    c, i = s.credits.c, s.invoices.c
    with ledger.read() as conn:
        row = conn.execute(select(c.number, c.invoice, i.bill_to, c.date, c.amount_cents,
                                  c.reason, c.file).join_from(s.credits, s.invoices,
                                                              i.number == c.invoice)
                           .where(c.number == credit)).first()
    if row is None:
        raise PricingError(f"no credit note {credit} in {ledger.path}")
    return CreditNote(row.number, row.invoice, row.bill_to, row.date,
                      from_cents(row.amount_cents), row.reason, row.file)


@dataclass(frozen=True)
class Termination:
    """What a termination did. Attributes: date, accelerates (whether a termination on that
    date accelerates invoices, by the psa_remedies table), accelerates_from (the first day one
    does; None: never), accelerated (the balances whose due date it moved, with the new one)."""

    date: dt.date
    accelerates: bool
    accelerates_from: dt.date | None
    accelerated: tuple[Balance, ...]


def terminate(ledger: Ledger, date: dt.date, tables: TableSet) -> Termination:
    """Record the PSA's termination: months starting after `date` are not billed; where the
    tables say a termination on that date accelerates invoices (PSA Section 20(b)), every
    invoice dated on or before it and still open is due that day. The date must be a day the
    PSA is in force and not before the first invoice."""
    from pricing.rules.agreements import check_in_term

    check_in_term(tables, "PSA", date)
    rule = TerminationRule.of(tables)
    with ledger.write() as conn:
        existing = termination_date(ledger, conn)
        if existing:
            raise PricingError(f"the agreement was already terminated on {existing} (withdraw "
                               f"it first with `ar terminate --withdraw --reason TEXT`)")
        first = conn.execute(select(func.min(s.invoices.c.invoice_date))).scalar()
        if first is not None and date < first:
            raise PricingError(f"{date} is before the first invoice's date ({first}): a "
                               f"termination cannot predate what it terminates")
        made = conn.execute(s.terminations.insert().values(kind="terminated", date=date,
                                                           recorded_at=now(),
                                                           recorded_by=ledger.recorder))
        append(conn, "termination", made.inserted_primary_key[0])
        moved = tuple(b for b in positions(conn, dt.date.max, rule) if b.due.changed)
    return Termination(date, rule.accelerates(date), rule.first, moved)


def withdraw_termination(ledger: Ledger, reason: str) -> dt.date:
    """Withdraw the termination in force; both entries stay in the ledger."""
    if not reason.strip():
        raise PricingError("--reason: say why the termination is withdrawn")
    with ledger.write() as conn:
        existing = termination_date(ledger, conn)
        if existing is None:
            raise PricingError("no termination is in force to withdraw")
        made = conn.execute(s.terminations.insert().values(kind="withdrawn", reason=reason,
                                                           recorded_at=now(),
                                                           recorded_by=ledger.recorder))
        append(conn, "withdrawal", made.inserted_primary_key[0])
    return existing


def payments(ledger: Ledger, start: dt.date, end: dt.date) -> list[tuple[int, int, dt.date, Decimal]]:
    """(payment id, invoice, date, amount) with start <= date < end, of the payments standing
    on the day before `end` (one voided by then never paid anything)."""
    p = s.payments.c
    with ledger.read() as conn:
        rows = conn.execute(select(p.id, p.invoice, p.date, p.amount_cents)
                            .where(p.date >= start, p.date < end,
                                   standing(end - dt.timedelta(days=1)))
                            .order_by(p.date, p.id)).all()
    return [(r.id, r.invoice, r.date, from_cents(r.amount_cents)) for r in rows]
