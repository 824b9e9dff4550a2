"""What the ledger says each city was billed in an annual period, and recording a new month.

A run reads this inside its write transaction, so what it checks is what it commits against:
a second run waiting on the lock sees the first one's months.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from invoices.ledger import schema as s


@dataclass(frozen=True)
class BilledMonth:
    """A city-month billed: to whom, on which invoice, with how many integration sites."""

    bill_to: str
    invoice: int
    integration_sites: int


@dataclass(frozen=True)
class RecordedHours:
    """A month's hours as they priced an invoice (the ledger's, from then on)."""

    hours: Decimal
    invoice: int


@dataclass(frozen=True)
class CityState:
    """One city in one annual period.

    Attributes: level (fixed the first month billed, None before), months ({"YYYY-MM":
    BilledMonth}), hours ({"YYYY-MM": RecordedHours})."""

    level: str | None = None
    months: dict[str, BilledMonth] = field(default_factory=dict)
    hours: dict[str, RecordedHours] = field(default_factory=dict)


def load_states(conn, period: int) -> dict[str, CityState]:
    """Every city's state in the annual period starting in `period`."""
    levels = dict(conn.execute(select(s.city_periods.c.city, s.city_periods.c.level)
                               .where(s.city_periods.c.period == period)).all())
    months: dict[str, dict[str, BilledMonth]] = {}
    for r in conn.execute(select(s.city_months).where(s.city_months.c.period == period)):
        months.setdefault(r.city, {})[r.month] = BilledMonth(r.bill_to, r.invoice,
                                                             r.integration_sites)
    hours: dict[str, dict[str, RecordedHours]] = {}
    for r in conn.execute(select(s.city_hours).where(s.city_hours.c.period == period)):
        hours.setdefault(r.city, {})[r.month] = RecordedHours(Decimal(r.hours), r.invoice)
    return {city: CityState(levels.get(city), months.get(city, {}), hours.get(city, {}))
            for city in set(levels) | set(months) | set(hours)}


def record_month(conn, period: int, month: str, invoice: int, charges, states) -> None:
    """Record the cities an invoice bills for the month: the period's level the first time,
    the city-month, and the hours of the months that priced it not recorded before (one
    statement per table: a run of a thousand cities stays a handful of statements)."""
    levels, months, hours = [], [], []
    for charge in charges:
        state = states.get(charge.city, CityState())
        if state.level is None:
            levels.append({"city": charge.city, "period": period, "level": charge.level,
                           "first_month": month, "invoice": invoice})
        months.append({"city": charge.city, "month": month, "period": period,
                       "bill_to": charge.bill_to, "invoice": invoice,
                       "integration_sites": charge.sites})
        hours.extend({"city": charge.city, "month": label, "period": period, "hours": str(h),
                      "invoice": invoice}
                     for label, h in sorted(charge.hours.items()) if label not in state.hours)
    for table, rows in ((s.city_periods, levels), (s.city_months, months), (s.city_hours, hours)):
        if rows:
            conn.execute(table.insert(), rows)
    h = s.city_hours.c
    for charge in charges:              # months whose hours arrived late: the ledger's hours now
        for (year, label), given in sorted(charge.late.items()):
            done = conn.execute(s.city_hours.update().where(h.city == charge.city, h.month == label)
                                .values(hours=str(given), invoice=invoice)).rowcount
            if not done:
                conn.execute(s.city_hours.insert().values(city=charge.city, month=label,
                                                          period=year, hours=str(given),
                                                          invoice=invoice))


def billed_hours(conn, cities) -> dict[str, dict[str, dict[str, tuple[Decimal, Decimal]]]]:
    """What the ledger billed for each city's hours: {city: {month: {kind: (quantity,
    amount)}}}, late lines counted with the month they belong to."""
    from invoices.ledger.records import HOUR_KINDS, LATE, charge_of
    from pricing.money import from_cents

    l = s.lines.c
    found: dict[str, dict[str, dict[str, tuple[Decimal, Decimal]]]] = {}
    names = sorted(set(cities))
    for start in range(0, len(names), 500):
        for city, month, kind, quantity, cents in conn.execute(
                select(l.city, l.month, l.kind, l.quantity, l.amount_cents).where(
                    l.city.in_(names[start:start + 500]),
                    l.kind.in_(HOUR_KINDS) | l.kind.startswith(LATE, autoescape=True))):
            base, label = charge_of(kind, month)
            months = found.setdefault(city, {}).setdefault(label, {})
            q, a = months.get(base, (Decimal(0), Decimal(0)))
            months[base] = (q + Decimal(quantity), a + from_cents(cents))
    return found


def invoices_of_month(conn, month: str) -> dict[str, int]:
    """{bill_to: the highest supplement issued} for the month."""
    return dict(conn.execute(select(s.invoices.c.bill_to, func.max(s.invoices.c.supplement))
                             .where(s.invoices.c.month == month)
                             .group_by(s.invoices.c.bill_to)).all())


def known_cities(conn) -> dict[str, tuple[str, int]]:
    """Every city the ledger has billed, as spelled there: {city: (its latest month billed,
    the invoice that billed it)}."""
    m = s.city_months.c
    latest = dict(conn.execute(select(m.city, func.max(m.month)).group_by(m.city)).all())
    invoices = {(r.city, r.month): r.invoice for r in conn.execute(
        select(m.city, m.month, m.invoice).where(m.month.in_(set(latest.values()))))} if latest else {}
    return {city: (month, invoices.get((city, month), 0)) for city, month in latest.items()}
