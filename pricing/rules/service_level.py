"""Pick a city's service level from its component counts (PSA Amdt 1, Appendix A).

Rule (README "Contract rules"): the smallest level whose every stated bound holds for the
city's counts. A blank bound is no limit. A range such as "16 to 25" gateway elements bounds the
count from above only, so a city with 10 gateway elements but 12 SLCs is Small. Every level is
configured with one 5ESS/VCDX; a city with none or several is an error, not a guess.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pricing.rules.components import BOUND_COLUMNS, Counts
from pricing.errors import MissingPriceError, PricingError
from pricing.rules.lines import Source
from pricing.rules.periods import AnnualPeriod, period_containing
from pricing.tables.loader import TableSet


@dataclass(frozen=True)
class Exceeded:
    """A bound of a lower level that the city's counts break.

    Attributes:
      level: the lower level.
      component: the component whose count is over the level's limit.
      count: the city's count.
      limit: the level's stated upper bound.
    """

    level: str
    component: str
    count: int
    limit: int

    def __str__(self) -> str:
        return f"{self.component} {self.count} is over {self.level}'s limit of {self.limit}"


@dataclass(frozen=True)
class LevelChoice:
    """The level a city's counts give, its price, and why.

    Attributes:
      level: the level's name.
      rank: 1 for the smallest level.
      annual_price: the level's annual price.
      decided_by: the bounds of the level just below that the counts break (empty for the
        smallest level).
      source: the service_levels version that priced it.
    """

    level: str
    rank: int
    annual_price: Decimal
    decided_by: tuple[Exceeded, ...]
    source: Source

    @property
    def reason(self) -> str:
        if not self.decided_by:
            return f"every count is within {self.level}'s bounds"
        return "; ".join(str(e) for e in self.decided_by)

    def _repr_html_(self) -> str:
        from pricing.fileio.html_views import level_html

        return level_html(self)


def _exceeded(row, counts: Counts) -> list[Exceeded]:
    broken = []
    for component, column in BOUND_COLUMNS.items():
        limit = getattr(row, column)
        count = getattr(counts, component)
        if limit is not None and count > limit:
            broken.append(Exceeded(row.level, component, count, limit))
    return broken


def switch_count_problem(five_ess: int, levels) -> str | None:
    """Why a 5ESS/VCDX count matches no level (each is configured with one), or None."""
    configured = {row.five_ess for row in levels}
    if five_ess in configured:
        return None
    expected = " or ".join(str(n) for n in sorted(configured))
    return (f"five_ess: a city's service level is priced for {expected} 5ESS/VCDX switch "
            f"(the service_levels table's five_ess), got {five_ess}; "
            + ("a city without a 5ESS/VCDX has no service level" if five_ess == 0
               else "price each switch site as its own city"))


def check_one_switch(counts: Counts, levels) -> None:
    """Each level is configured with one 5ESS/VCDX: another number matches no level."""
    problem = switch_count_problem(counts.five_ess, levels)
    if problem:
        raise PricingError(problem)


def pick_level(counts: Counts, tables: TableSet, as_of: dt.date) -> LevelChoice:
    """The smallest level whose every stated bound holds for the counts."""
    version = tables.version("service_levels", as_of)
    levels = sorted(version.rows, key=lambda row: row.rank)
    check_one_switch(counts, levels)
    below = None
    for row in levels:
        if row.five_ess == counts.five_ess and not _exceeded(row, counts):
            decided = tuple(_exceeded(below, counts)) if below is not None else ()
            return LevelChoice(row.level, row.rank, row.annual_price, decided, Source.of(version))
        below = row
    raise MissingPriceError(
        f"no service level in {version.file} fits the counts {counts.as_dict()}: "
        f"the largest level, {levels[-1].level}, has limits the city exceeds")


def level_by_name(name: str, tables: TableSet, as_of: dt.date) -> LevelChoice:
    """A level named by the user (a carried-over level), priced from the table."""
    version = tables.version("service_levels", as_of)
    for row in version.rows:
        if row.level.casefold() == name.strip().casefold():
            return LevelChoice(row.level, row.rank, row.annual_price, (), Source.of(version))
    known = ", ".join(row.level for row in sorted(version.rows, key=lambda r: r.rank))
    raise PricingError(f"level: unknown service level {name!r} (levels: {known})")


def billed_level(counts: Counts, level: str | None, period: AnnualPeriod, tables: TableSet,
                 as_of: dt.date) -> tuple[LevelChoice, str]:
    """The level billed in an annual period, and why: the contract's first-period level in the
    first period (PSA Amendment 1 Appendix A, note 3), else the level given (carried over),
    else the level the counts give."""
    rules_version = tables.version("annual_periods", period.start)
    rules = rules_version.rows[0]
    if period.is_first or level:
        check_one_switch(counts, tables.rows("service_levels", as_of))
    if period.is_first:
        first = level_by_name(rules.first_period_level, tables, as_of)
        if level and level_by_name(level, tables, as_of).level != first.level:
            raise PricingError(f"level: the first annual period bills every city at {first.level} "
                               f"({rules_version.citation}), not {level}")
        return first, f"the first annual period bills every city at {first.level}"
    if level:
        chosen = level_by_name(level, tables, as_of)
        return chosen, f"{chosen.level} as given (carried over from an earlier period)"
    chosen = pick_level(counts, tables, as_of)
    return chosen, f"from the counts: {chosen.reason}"


def level_fixed_on(counts: Counts, tables: TableSet, day: dt.date) -> tuple[LevelChoice, str] | None:
    """The level billed on `day` whatever the counts give, and why, where the contract fixes it:
    the first annual period (1998-10-01 to 1999-09-30) bills every city at its first-period level
    (PSA Amendment 1 Appendix A, note 3). None on any other day, where the level billed depends
    on the city's history (the two-component rule, pricing.rules.relevel)."""
    first_start = tables.versions("annual_periods")[0].rows[0].first_period_start
    if day < first_start:
        return None
    period = period_containing(tables, day)
    if not period.is_first:
        return None
    level, reason = billed_level(counts, None, period, tables, day)
    rules = tables.version("annual_periods", period.start)
    return level, (f"{reason} ({period.start.isoformat()} to {period.end.isoformat()}, "
                   f"{rules.citation})")
