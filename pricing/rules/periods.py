"""Annual service periods: 1 October to 30 September (PSA Amdt 1, Appendix A, note 3).

Months of a period are numbered from its first month (October = 1), because the hour-block
rule speaks of "the tenth (10th) month of the annual period".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pricing.errors import PricingError
from pricing.tables.loader import TableSet


@dataclass(frozen=True)
class AnnualPeriod:
    """One annual period.

    Attributes:
      year: the calendar year it starts in (period 2000 runs 2000-10-01 to 2001-09-30).
      start: its first day.
      end: its last day.
      is_first: whether it is the contract's first annual period (billed at Very Small).
    """

    year: int
    start: dt.date
    end: dt.date
    is_first: bool

    def month_number(self, year: int, month: int) -> int:
        """The month's number within the period (1-12), or an error if outside it."""
        number = (year - self.start.year) * 12 + month - self.start.month + 1
        if not 1 <= number <= 12:
            raise PricingError(f"{year:04d}-{month:02d} is outside the annual period "
                               f"{self.start.isoformat()} to {self.end.isoformat()}")
        return number

    def month(self, number: int) -> tuple[int, int]:
        """(year, month) of the period's month number 1-12."""
        index = self.start.month - 1 + number - 1
        return self.start.year + index // 12, index % 12 + 1

    def label(self, number: int) -> str:
        year, month = self.month(number)
        return f"{year:04d}-{month:02d}"


def annual_period(tables: TableSet, year: int) -> AnnualPeriod:
    """The annual period starting in `year`, with the rules in force on its first day."""
    first = tables.versions("annual_periods")[0].rows[0]
    if year < first.first_period_start.year:
        raise PricingError(f"period {year}: the first annual period starts "
                           f"{first.first_period_start.isoformat()}; there is none before it")
    # The rules in force by the end of the calendar year the period starts in.
    rules = tables.rows("annual_periods", dt.date(year, 12, 31))[0]
    start = dt.date(year, rules.period_start_month, rules.period_start_day)
    if start < rules.first_period_start:
        raise PricingError(f"period {year}: the first annual period starts "
                           f"{rules.first_period_start.isoformat()}; there is none before it")
    next_start = dt.date(year + 1, rules.period_start_month, rules.period_start_day)
    return AnnualPeriod(year, start, next_start - dt.timedelta(days=1),
                        start == rules.first_period_start)


def period_containing(tables: TableSet, day: dt.date) -> AnnualPeriod:
    """The annual period a date falls in."""
    rules = tables.rows("annual_periods", day)[0]
    start_this_year = dt.date(day.year, rules.period_start_month, rules.period_start_day)
    return annual_period(tables, day.year if day >= start_this_year else day.year - 1)
