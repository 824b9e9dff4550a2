"""A customer's cash on a date: received, applied, refunded, and what is left unapplied.

Unapplied cash is what the customer paid in (bank lines, less those reversed by the day: an
import made by mistake, a transfer recalled) less the payments made from it that still stand
less refunds, so cash received = applied + unapplied + refunded, to the cent. One
query each, SQL text (invoices.ledger.plain.rows), so `ar status` and `ar cash` read it without
SQLAlchemy and a statement inside its transaction reads the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from invoices.ledger.plain import rows
from pricing.money import from_cents


@dataclass(frozen=True)
class Cash:
    """A customer's cash: received (bank lines not reversed), applied (payments from cash still standing),
    refunded, and unapplied (received - applied - refunded)."""

    customer: str
    received: Decimal
    applied: Decimal
    refunded: Decimal

    @property
    def unapplied(self) -> Decimal:
        return self.received - self.applied - self.refunded

    def as_dict(self) -> dict:
        return {"customer": self.customer, "received": str(self.received),
                "applied": str(self.applied), "refunded": str(self.refunded),
                "unapplied": str(self.unapplied)}


def cash_of(conn, as_of: dt.date = dt.date.max) -> dict[str, Cash]:
    """Every customer's cash on `as_of` (what is dated on or before it; a payment voided by
    then no longer counts as applied), by customer (either kind of connection)."""
    sums: dict[str, dict[str, int]] = {}
    for (customer,) in rows(conn, "SELECT DISTINCT customer FROM bank_lines WHERE date <= :day",
                            day=as_of):
        sums[customer] = {}             # listed, with 0.00, when its every line was reversed
    for what, sql in (
            ("received", "SELECT b.customer, sum(b.amount_cents) FROM bank_lines b WHERE "
                         "b.date <= :day AND NOT EXISTS (SELECT 1 FROM bank_line_reversals r "
                         "WHERE r.bank_line = b.id AND r.date <= :day) GROUP BY b.customer"),
            ("applied", "SELECT a.customer, sum(p.amount_cents) FROM cash_applications a "
                        "JOIN payments p ON p.id = a.payment WHERE p.date <= :day AND NOT "
                        "EXISTS (SELECT 1 FROM payment_voids v WHERE v.payment = p.id AND "
                        "v.date <= :day) GROUP BY a.customer"),
            ("refunded", "SELECT customer, sum(amount_cents) FROM refunds WHERE date <= :day "
                         "GROUP BY customer")):
        for customer, cents in rows(conn, sql, day=as_of):
            sums.setdefault(customer, {})[what] = int(cents)
    return {c: Cash(c, *(from_cents(v.get(k, 0)) for k in ("received", "applied", "refunded")))
            for c, v in sorted(sums.items())}


def cash_balances(ledger) -> list[Cash]:
    with ledger.read() as conn:
        return list(cash_of(conn).values())


def short_of_cash(owed: dict[str, Decimal], held: dict[str, Decimal]) -> dict[str, Decimal]:
    """What each customer owes beyond its own unapplied cash (`held`): none when the cash on its
    account covers it, since applying that cash pays it. `ar status` and `ar remind` ask it
    alike."""
    zero = Decimal("0.00")
    return {c: max(v - held.get(c, zero), zero) for c, v in owed.items()}
