"""The annual service level review (PSA Amendment 1, Appendix A, note 3): the pack for the
meeting held sixty days before the preceding period ends.

For the period starting October 1 of YEAR: per city, its counts at the start and the end of the
previous period, which components changed, the level the two-component rule gives (the answer
of `pricing relevel`, from pricing.reports.levels), the annual price before and after, the hours
used in the previous period and the blocks the same hours would buy again; and the budget for
the period against the previous one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from pricing.rules.components import Counts
from pricing.errors import PricingError
from pricing.rules.hours import price_hours
from pricing.rules.periods import annual_period
from pricing.reports.levels import _start_and_end, levels_for_period, meeting_date
from pricing.reports.load import Reports
from pricing.tables.loader import TableSet
from pricing.values import parse_month

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CityReview:
    """One city in the review. Attributes: city, counts_start and counts_end (of the previous
    period; None when it had no report then), changed, previous_level and level, the annual
    price before and after, hours used in the previous period with their cost, and the blocks
    and cost the same hours give in this period."""

    city: str
    counts_start: Counts | None
    counts_end: Counts | None
    changed: tuple[str, ...]
    previous_level: str | None
    level: str
    price_before: Decimal
    price: Decimal
    reason: str
    hours_used: Decimal
    hours_cost_before: Decimal
    forecast_blocks: int
    forecast_hours_cost: Decimal

    @property
    def budget_before(self) -> Decimal:
        return self.price_before + self.hours_cost_before

    @property
    def budget(self) -> Decimal:
        return self.price + self.forecast_hours_cost

    def as_dict(self) -> dict:
        return {"city": self.city,
                "counts_start": self.counts_start.as_dict() if self.counts_start else None,
                "counts_end": self.counts_end.as_dict() if self.counts_end else None,
                "changed": list(self.changed), "previous_level": self.previous_level,
                "level": self.level, "price_before": str(self.price_before),
                "price": str(self.price), "price_change": str(self.price - self.price_before),
                "reason": self.reason, "hours_used": str(self.hours_used),
                "hours_cost_before": str(self.hours_cost_before),
                "forecast_blocks": self.forecast_blocks,
                "forecast_hours_cost": str(self.forecast_hours_cost),
                "budget_before": str(self.budget_before), "budget": str(self.budget)}


@dataclass(frozen=True)
class Review:
    """Attributes: period (the year it starts), start, end, meeting_date (None for the first
    period), cities, and the totals."""

    period: int
    start: dt.date
    end: dt.date
    meeting_date: dt.date | None
    cities: tuple[CityReview, ...]

    @property
    def totals(self) -> dict[str, Decimal]:
        def total(name: str) -> Decimal:
            return sum((getattr(c, name) for c in self.cities), ZERO)

        found = {name: total(name) for name in ("price_before", "price", "hours_cost_before",
                                                "forecast_hours_cost", "budget_before", "budget")}
        found["budget_change"] = found["budget"] - found["budget_before"]
        return found

    def as_dict(self) -> dict:
        return {"period": self.period, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "meeting_date": self.meeting_date.isoformat() if self.meeting_date else None,
                "cities": [c.as_dict() for c in self.cities],
                "totals": {k: str(v) for k, v in self.totals.items()}}


def _hours_cost(monthly: Mapping[int, Decimal], tables: TableSet, year: int) -> tuple[Decimal, int]:
    """What these monthly hours cost in period `year`, and the blocks they buy."""
    if not monthly:
        return ZERO, 0
    period = annual_period(tables, year)
    result = price_hours(monthly, tables, period.start, period)
    return sum((line.amount for line in result.lines), ZERO), result.blocks_bought


def review(reports: Reports, year: int, tables: TableSet,
           hours: Mapping[str, Mapping[str, Decimal]] | None = None,
           current_levels: dict[str, str] | None = None) -> Review:
    """The review pack for the period starting in `year`. `hours` gives each city's hours by
    month ("YYYY-MM") of the previous period (other months are not used)."""
    period = annual_period(tables, year)
    before = annual_period(tables, year - 1)
    levels_before = {r.level: r.annual_price for r in tables.rows("service_levels", before.start)} \
        if before.start >= tables.versions("service_levels")[0].effective_from else {}
    cities = []
    for found in levels_for_period(reports, year, tables, current_levels):
        decision = found.decision
        start, end = _start_and_end(reports, found.city, year - 1, tables)
        monthly: dict[int, Decimal] = {}
        for month, value in (hours or {}).get(found.city, {}).items():
            try:
                number = before.month_number(*parse_month(month))
            except PricingError:
                continue                                 # a month outside the previous period
            monthly[number] = monthly.get(number, ZERO) + Decimal(value)
        cost_before, _ = _hours_cost(monthly, tables, year - 1)
        forecast, blocks = _hours_cost(monthly, tables, year)
        previous = decision.previous_level
        cities.append(CityReview(
            found.city, start, end, decision.changed, previous, decision.level.level,
            levels_before.get(previous, ZERO) if previous else ZERO, decision.level.annual_price,
            decision.reason, sum(monthly.values(), ZERO), cost_before, blocks, forecast))
    return Review(year, period.start, period.end, meeting_date(tables, year), tuple(cities))
