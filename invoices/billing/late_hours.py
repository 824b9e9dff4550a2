"""Hours that arrive for a month already invoiced: billed on the next run, as their month would
have priced them.

Design rule 3: hours not given are not zero hours, and a period's hours charges must end where
timely hours would have put them. So when the hours file gives a month more hours than the ledger
recorded for it, the period's hours are priced again with the corrected months (blocks in months
1-9 until the tenth block is completed, hourly after it or from the tenth month, the one-hour
minimum: `pricing.rules.hours`), and for each month whose blocks or hourly hours differ from what the
ledger billed for it, a line bills the difference. The line's kind names the month it belongs
to (`late_hour_block:2000-10`), so the ledger's one-charge-per-city-month-kind key still holds
and a later arrival for the same month goes on a later invoice. A difference can be negative
for a later month: a block bought late can cover hours that were billed hourly.

Fewer hours than billed are never taken back by a run; the refusal names the credit note to
issue instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from invoices.ledger.records import HOUR_KINDS, late_kind
from pricing.rules.hours import hours_text, price_hours
from pricing.rules.lines import Line, Source
from pricing.rules.periods import AnnualPeriod
from pricing.tables.loader import TableSet

ZERO = Decimal(0)

# {month label: {kind: (quantity, amount)}}: what the ledger billed for a city's hours
BilledHours = Mapping[str, Mapping[str, tuple[Decimal, Decimal]]]


@dataclass(frozen=True)
class LateMonth:
    """A month whose hours changed since the ledger last priced them: what the ledger recorded,
    what the hours file gives now, the file's row, and whether the city was invoiced for the
    month at all (a month before its first invoice of the period, or one skipped, was not)."""

    label: str
    recorded: Decimal
    given: Decimal
    row: int | None
    invoiced: bool = True


def late_lines(period: AnnualPeriod, hours: Mapping[int, Decimal], before: int,
               billed: BilledHours, changed: Mapping[str, LateMonth], tables: TableSet,
               as_of: dt.date) -> list[Line]:
    """The lines that bring the hours charges of the period's months 1 to `before` - 1 to what
    timely hours would have billed: for each month and kind, the timely quantity less the
    quantity billed, at the table's price. `hours`: the corrected hours by month number."""
    timely = price_hours({m: h for m, h in hours.items() if m < before}, tables, as_of, period)
    version = tables.version("service_hours", as_of)
    rule = version.rows[0]
    price = {"hour_block": rule.block_price, "hourly": rule.hourly_rate}
    lines: list[Line] = []
    for number in range(1, before):
        label = period.label(number)
        due = {kind: ZERO for kind in HOUR_KINDS}
        for line, month in zip(timely.lines, timely.line_months):
            if month == number:
                due[line.kind] += line.quantity
        for kind in HOUR_KINDS:
            difference = due[kind] - billed.get(label, {}).get(kind, (ZERO, ZERO))[0]
            if difference:
                lines.append(Line.priced(late_kind(kind, label),
                                         _description(kind, label, difference, due[kind],
                                                      rule.block_hours, changed),
                                         difference, price[kind], Source.of(version)))
    return lines


def _description(kind: str, label: str, difference: Decimal, due: Decimal, block_hours: int,
                 changed: Mapping[str, LateMonth]) -> str:
    """What a late line bills, naming its month and the hours that arrived late."""
    late = changed.get(label)
    if late is not None and not late.invoiced:       # nothing billed before: no "late", no "more"
        what = (f"{block_hours:,}-hour blocks" if kind == "hour_block"
                else "Hours at the hourly rate")
        count = difference if kind == "hour_block" else hours_text(difference)
        return (f"{what} for {label}, a month not invoiced before: {count} "
                f"({hours_text(late.given)} reported for {label})")
    why = (f"{label} now has {hours_text(late.given)} reported, {hours_text(late.recorded)} "
           f"when it was invoiced" if late else "re-priced with the hours reported late for "
           + ", ".join(sorted(changed)))
    more = "more" if difference > 0 else "fewer"
    if kind == "hour_block":
        return (f"{block_hours:,}-hour blocks for {label}, billed late: {abs(difference)} "
                f"{more} than billed before ({due} in all; {why})")
    return (f"Hours at the hourly rate for {label}, billed late: {hours_text(abs(difference))} "
            f"{more} than billed before ({hours_text(due)} in all; {why})")


def late_entry(period: AnnualPeriod, corrected: Mapping[int, Decimal], before: int,
               billed: BilledHours, changed: Mapping[str, LateMonth]) -> dict:
    """What late lines are priced from, as an invoice records it (so `invoice explain` prices
    them again): the period's corrected hours, what the ledger had billed for each month before
    `before`, and the months whose hours changed."""
    months = {period.label(m) for m in range(1, before)}
    not_invoiced = sorted(label for label, c in changed.items() if not c.invoiced)
    return {"period": period.year, "before": before,
            "hours": {str(m): str(h) for m, h in sorted(corrected.items()) if m < before and h},
            "billed": {label: {kind: [str(q), str(a)] for kind, (q, a) in sorted(kinds.items())}
                       for label, kinds in sorted(billed.items()) if label in months},
            "changed": {label: [str(c.recorded), str(c.given)]
                        for label, c in sorted(changed.items())},
            **({"not_invoiced": not_invoiced} if not_invoiced else {})}


def lines_of_entry(entry: Mapping, tables: TableSet) -> list[Line]:
    """The late lines an invoice's recorded entry gives."""
    from pricing.rules.periods import annual_period

    period = annual_period(tables, int(entry["period"]))
    before = int(entry["before"])
    billed = {label: {kind: (Decimal(q), Decimal(a)) for kind, (q, a) in kinds.items()}
              for label, kinds in entry["billed"].items()}
    not_invoiced = set(entry.get("not_invoiced", ()))     # absent from entries made before it
    changed = {label: LateMonth(label, Decimal(r), Decimal(g), None, label not in not_invoiced)
               for label, (r, g) in entry["changed"].items()}
    hours = {int(m): Decimal(h) for m, h in entry["hours"].items()}
    as_of = dt.date(*period.month(min(before, 12)), 1)
    return late_lines(period, hours, before, billed, changed, tables, as_of)


def with_late(lines: list[Line], entries: list[Mapping], period: int,
              tables: TableSet) -> list[Line]:
    """A city's month lines with its late lines: an earlier period's first, this period's
    after the service level's share."""
    result = list(lines)
    at = next((i for i, line in enumerate(result) if line.kind != "service_level"), len(result))
    for entry in entries:
        late = lines_of_entry(entry, tables)
        if int(entry["period"]) < period:
            result[:0] = late
            at += len(late)
        else:
            result[at:at] = late
            at += len(late)
    return result
