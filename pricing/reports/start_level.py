"""A new city's starting level (PSA Amendment 1, Appendix A, note 4): "Historical data can be
used to determine if a new Customer 5ESS/VCDX location should begin at the Small Service Level
instead of the Very Small Service Level based on the period of time it took for a Customer's
5ESS/VCDX Location to reach its Service Level Capacity in a similar size city."

The project's rule: a city is similar when its size (a component count at its Nth month of
reports, gateway elements at month 12 by default) is within the tolerance of the new city's
size; it reached Very Small's capacity within its first annual period when, within its first
twelve monthly reports, a component reached a limit of Very Small's capacity (the limits Small
raises: gateway elements 15, SLC 8; see capacity.capacity_limits). Small is recommended
when more than half of the similar cities did; otherwise, or with no similar city, Very Small.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pricing.rules.components import COMPONENTS
from pricing.errors import PricingError
from pricing.reports.capacity import capacity_limits
from pricing.reports.load import Month, Reports, month_label
from pricing.tables.loader import TableSet

FIRST_PERIOD_MONTHS = 12


@dataclass(frozen=True)
class SimilarCity:
    city: str
    size: int
    reached: Month | None           # the month it reached Very Small's capacity, if it did


@dataclass(frozen=True)
class StartLevel:
    level: str
    reason: str
    similar: tuple[SimilarCity, ...]

    def as_dict(self) -> dict:
        return {"level": self.level, "reason": self.reason,
                "similar": [{"city": s.city, "size": s.size,
                             "reached_capacity": month_label(s.reached) if s.reached else None}
                            for s in self.similar]}


def start_level(reports: Reports, city_size: int, tables: TableSet, as_of: dt.date,
                measure: str = "gateway_elements", at_month: int = 12,
                tolerance: int = 5) -> StartLevel:
    if measure not in COMPONENTS:
        raise PricingError(f"--measure: expected one of {', '.join(COMPONENTS)}, got {measure!r}")
    levels = sorted(tables.rows("service_levels", as_of), key=lambda r: r.rank)
    rules = tables.rows("annual_periods", as_of)[0]
    start = next(r for r in levels if r.level == rules.new_city_level)
    higher = next(r for r in levels if r.rank > start.rank)
    limits = capacity_limits(levels, start.level)
    similar = []
    for city in reports.cities:
        history = reports.by_city[city]
        if len(history) < at_month:
            continue
        size = getattr(history[at_month - 1][1], measure)
        if abs(size - city_size) > tolerance:
            continue
        reached = None
        for month, counts in history[:FIRST_PERIOD_MONTHS]:
            if any(getattr(counts, component) >= limit for component, limit in limits.items()):
                reached = month
                break
        similar.append(SimilarCity(city, size, reached))
    quick = [s for s in similar if s.reached]
    if not similar:
        return StartLevel(start.level, f"no city of size {city_size} +/- {tolerance} "
                          f"({measure} at month {at_month}) in the reports", ())
    if len(quick) * 2 > len(similar):
        return StartLevel(higher.level, f"{len(quick)} of {len(similar)} similar cities reached "
                          f"{start.level}'s capacity within their first annual period",
                          tuple(similar))
    return StartLevel(start.level, f"only {len(quick)} of {len(similar)} similar cities reached "
                      f"{start.level}'s capacity within their first annual period",
                      tuple(similar))
