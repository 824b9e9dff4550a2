"""Warranty end dates from the ship date and the periods GA Amendment 3 gives (004 L292-342).

A product's own row wins over its schedule's default (Data Networking: 12 months hardware,
90 days software). The last covered day is the day before the period's anniversary of the
ship date. Where the texts give no period (the base GA "Warranty" clause is not in the filed
texts) there is no date, and the note says so: never a guessed date.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from pricing.equipment.discounts import SCHEDULES, find_schedule
from pricing.equipment.names import product_key
from pricing.equipment.order import OrderLine
from pricing.lines import Source
from pricing.tables.loader import TableSet

UNKNOWN = "no warranty period for this product in the filed texts (base GA Warranty clause)"


@dataclass(frozen=True)
class Warranty:
    """A line's warranty: the last covered day (None if unknown) and why."""

    end: dt.date | None
    note: str
    source: Source | None = None


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def warranty_for(line: OrderLine, tables: TableSet, condition: str | None = None) -> Warranty:
    if line.ship_date is None:
        return Warranty(None, "not shipped: no warranty date yet")
    versions = tables.versions("warranties")
    if line.ship_date < versions[0].effective_from or line.kind == "cable":
        return Warranty(None, UNKNOWN)
    version = tables.version("warranties", line.ship_date)
    table = find_schedule(tables, line.product)
    schedule = SCHEDULES.get(table) if table else None
    key = product_key(line.product)
    parts = (line.kind, "both")
    own = [r for r in version.rows if r.product and product_key(r.product) == key
           and r.part in parts]
    default = [r for r in version.rows if not r.product and r.schedule == schedule
               and r.part in parts and (r.condition or None) == condition]
    rows = own or default
    if not rows:
        return Warranty(None, UNKNOWN)
    row = rows[0]
    start = line.ship_date
    expires = add_months(start, row.months) if row.months is not None else \
        start + dt.timedelta(days=row.days)
    period = f"{row.months} months" if row.months is not None else f"{row.days} days"
    return Warranty(expires - dt.timedelta(days=1), f"{period} {line.kind} warranty from shipment "
                    f"({row.section})", Source.of(version))
