"""The level billed in an annual period, from a city's reports and the two-component rule.

Without a known current level, a city's chain starts in its first reported period at the level
the contract gives (Very Small in the first annual period, Very Small for a new city) and the
rule is applied period by period. With a current level (the one billed in the period before),
the rule is applied once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from pricing.rules.agreements import check_in_term
from pricing.rules.components import Counts
from pricing.rules.periods import annual_period, period_containing
from pricing.rules.relevel import LevelDecision, level_for_period
from pricing.reports.load import Month, Reports, month_label
from pricing.tables.loader import TableSet


@dataclass(frozen=True)
class CityLevel:
    """One city's level for a period, and why.

    Attributes:
      city: the city.
      decision: the level billed, the previous level, the components that changed, the reason.
    """

    city: str
    decision: LevelDecision

    def as_dict(self) -> dict:
        d = self.decision
        return {"city": self.city, "previous_level": d.previous_level, "level": d.level.level,
                "annual_price": str(d.level.annual_price), "changed": list(d.changed),
                "reason": d.reason}


def _start_and_end(reports: Reports, city: str, year: int, tables: TableSet
                   ) -> tuple[Counts | None, Counts | None]:
    """The counts before period `year` began (else its first report in it) and at its end."""
    period = annual_period(tables, year)
    first: Month = (period.start.year, period.start.month)
    last: Month = (period.end.year, period.end.month)
    inside = reports.within(city, first, last)
    if not inside:
        return None, None
    before = reports.last_before(city, first)
    return (before[1] if before else inside[0][1]), inside[-1][1]


def meeting_date(tables: TableSet, year: int) -> dt.date | None:
    """The parties meet this many days before the preceding period ends (note 3); None for the
    first annual period, which no period precedes (every city is billed at its first-period
    level, so there is nothing to meet about)."""
    days = meeting_days(tables, year)
    if days is None:
        return None
    return annual_period(tables, year - 1).end - dt.timedelta(days=days)


def meeting_days(tables: TableSet, year: int) -> int | None:
    """How many days before the preceding period ends the parties meet about period `year`
    (the annual_periods table's meeting_days_before_end); None for the first annual period."""
    if annual_period(tables, year).is_first:
        return None
    before = annual_period(tables, year - 1)
    return tables.rows("annual_periods", before.start)[0].meeting_days_before_end


def city_level(reports: Reports, city: str, year: int, tables: TableSet,
               current_level: str | None = None) -> CityLevel | None:
    """The city's level in period `year`; None when it has no report by the period's end."""
    first_month = reports.by_city[city][0][0]
    first_year = period_containing(tables, dt.date(*first_month, 1)).year
    if first_year > year:
        return None
    known = {year - 1: current_level} if current_level is not None and year > first_year else {}
    return level_from_history(reports, city, year, tables, known)


def level_from_history(reports: Reports, city: str, year: int, tables: TableSet,
                       known: Mapping[int, str]) -> CityLevel | None:
    """The city's level in period `year` from its reports and the levels known for earlier
    periods (the ones billed, or agreed at an annual meeting): the two-component rule applied
    period by period from the latest known level; without one, from the city's first reported
    period at the level the contract gives. A period with no report changes nothing. None
    when nothing is known of the city before `year` (a new city: the caller decides).

    The monthly run (invoices.billing.levels) and `pricing relevel` both decide here, so they
    agree by construction."""
    earlier = [p for p in known if p < year]
    if earlier:
        start_year = max(earlier)
        level = known[start_year]
    elif reports.by_city.get(city):
        first = reports.by_city[city][0]
        start_year = period_containing(tables, dt.date(*first[0], 1)).year
        if start_year > year:
            return None
        decision = level_for_period(tables, start_year, None, None, first[1])
        level = decision.level.level
        if start_year == year:
            return CityLevel(city, decision)
    else:
        return None
    for later in range(start_year + 1, year + 1):
        start, end = (_start_and_end(reports, city, later - 1, tables)
                      if reports.by_city.get(city) else (None, None))
        decision = level_for_period(tables, later, level, start, end)
        level = decision.level.level
    return CityLevel(city, decision)


def levels_for_period(reports: Reports, year: int, tables: TableSet,
                      current_levels: dict[str, str] | None = None) -> list[CityLevel]:
    """Each reported city's level in period `year`; a period starting outside the PSA's term
    is an error naming it (the same check as quote and batch)."""
    check_in_term(tables, "PSA", annual_period(tables, year).start)
    results = []
    for city in reports.cities:
        found = city_level(reports, city, year, tables, (current_levels or {}).get(city))
        if found:
            results.append(found)
    return results


def frame(levels: list[CityLevel]):
    import pandas as pd

    return pd.DataFrame([l.as_dict() for l in levels],
                        columns=["city", "previous_level", "level", "annual_price", "changed", "reason"])


__all__ = ["CityLevel", "city_level", "level_from_history", "frame", "levels_for_period", "meeting_date", "meeting_days", "month_label"]
