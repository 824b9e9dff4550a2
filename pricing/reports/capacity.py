"""Cities at or over the capacity of the level they are billed at, and when each will outgrow
it on its own growth trend.

A level's capacity is the limits its next level raises (Very Small: gateway elements 15 and
SLC 8; SM, DACS II and DACS IV are 1 in both, so they are configuration, not room to grow).
"At capacity": such a component's count equals its limit. "Over": the counts already belong
to a higher level. The forecast fits a least-squares line to each bounded component's
monthly counts (exact fractions, no floats) and finds the first month the line passes the limit.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

from pricing.rules.agreements import check_in_term
from pricing.rules.components import BOUND_COLUMNS
from pricing.rules.periods import period_containing
from pricing.reports.levels import city_level
from pricing.reports.load import Month, Reports, month_index, month_label, month_of
from pricing.rules.service_level import pick_level
from pricing.tables.loader import TableSet


@dataclass(frozen=True)
class CapacityRow:
    """Attributes: city, billed level, level its counts give, status (within, at, over), the
    components at or over their limit, and the forecast month the trend passes a limit (None:
    no growth toward any limit) with the component that decides it."""

    city: str
    billed_level: str
    counts_level: str
    status: str
    at_limit: tuple[str, ...]
    forecast: Month | None
    forecast_component: str | None
    last_report: Month

    def as_dict(self) -> dict:
        return {"city": self.city, "billed_level": self.billed_level,
                "counts_level": self.counts_level, "status": self.status,
                "at_limit": list(self.at_limit),
                "forecast_month": month_label(self.forecast) if self.forecast else None,
                "forecast_component": self.forecast_component,
                "last_report": month_label(self.last_report)}


def capacity_limits(levels, level: str) -> dict[str, int]:
    """{component: limit} of the level for the components whose limit the next level raises
    (or lifts entirely)."""
    ordered = sorted(levels, key=lambda r: r.rank)
    names = [r.level for r in ordered]
    here = ordered[names.index(level)]
    above = ordered[names.index(level) + 1] if names.index(level) + 1 < len(ordered) else None
    limits = {}
    for component, column in BOUND_COLUMNS.items():
        limit = getattr(here, column)
        if limit is None or above is None:
            continue
        next_limit = getattr(above, column)
        if next_limit is None or next_limit > limit:
            limits[component] = limit
    return limits


def trend(points: list[tuple[int, int]]) -> tuple[Fraction, Fraction] | None:
    """Least-squares line (intercept, slope) through (month index, count); None if one point."""
    n = len(points)
    if n < 2:
        return None
    mean_x = Fraction(sum(x for x, _ in points), n)
    mean_y = Fraction(sum(y for _, y in points), n)
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / sxx
    return mean_y - slope * mean_x, slope


def outgrow_month(points: list[tuple[int, int]], limit: int) -> int | None:
    """The first month index after the last point at which the trend exceeds the limit."""
    line = trend(points)
    if line is None or line[1] <= 0:
        return None
    intercept, slope = line
    # The smallest whole month t with intercept + slope * t > limit.
    month = math.floor((limit - intercept) / slope) + 1
    return max(month, points[-1][0] + 1)


def capacity(reports: Reports, as_of: dt.date, tables: TableSet,
             current_levels: dict[str, str] | None = None) -> list[CapacityRow]:
    """Each reported city's capacity as of a date; a date outside the PSA's term is an error
    naming it (the same check as quote and batch)."""
    period = period_containing(tables, as_of)
    check_in_term(tables, "PSA", as_of)
    check_in_term(tables, "PSA", period.start)
    year = period.year
    cutoff: Month = (as_of.year, as_of.month)
    rows = []
    for city in reports.cities:
        history = [r for r in reports.by_city[city] if r[0] <= cutoff]
        if not history:
            continue
        billed = city_level(reports, city, year, tables, (current_levels or {}).get(city))
        if billed is None:
            continue
        level = billed.decision.level
        limits = capacity_limits(tables.rows("service_levels", as_of), level.level)
        last_month, counts = history[-1]
        by_counts = pick_level(counts, tables, as_of)
        at_limit = tuple(c for c, limit in limits.items() if getattr(counts, c) >= limit)
        status = "over" if by_counts.rank > level.rank else ("at" if at_limit else "within")
        forecast, component = None, None
        if status != "over":
            for name, limit in limits.items():
                points = [(month_index(m), getattr(c, name)) for m, c in history]
                month = outgrow_month(points, limit)
                if month is not None and (forecast is None or month < forecast):
                    forecast, component = month, name
        rows.append(CapacityRow(city, level.level, by_counts.level, status, at_limit,
                                month_of(forecast) if forecast is not None else None, component,
                                last_month))
    return rows
