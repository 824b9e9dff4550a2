"""One city's charges for one month: its share of the annual service price, the hour blocks
and hourly hours of that month, and integration cut over in it.

The monthly share is one twelfth of the annual price rounded to the cent; the period's last
month takes the remainder, so the twelve months sum exactly to the annual price (README
"Contract rules": the contract states an annual price and no billing frequency).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from pricing.rules.components import Counts
from pricing.rules.hours import price_hours
from pricing.rules.integration import integration_line
from pricing.rules.lines import Line
from pricing.money import round_cents
from pricing.rules.periods import AnnualPeriod
from pricing.rules.service_level import billed_level
from pricing.tables.loader import TableSet

MONTHS_IN_PERIOD = 12


@dataclass(frozen=True)
class CityMonth:
    """What is known of one city for a month's invoice.

    Attributes:
      city, bill_to: the city and the entity billed for it.
      counts: its component counts; level: a carried-over level, if given.
      hours: {month number of the period (October = 1): hours}, for every month of the period
        up to the billed one (earlier months decide how many block hours are left).
      integration_sites: switch sites cut over in the billed month.
    """

    city: str
    bill_to: str
    counts: Counts
    level: str | None
    hours: Mapping[int, Decimal]
    integration_sites: int


def monthly_share(annual: Decimal, month_number: int) -> Decimal:
    """The month's share of an annual price: a rounded twelfth, the last month the rest."""
    share = round_cents(annual / MONTHS_IN_PERIOD)
    if month_number == MONTHS_IN_PERIOD:
        return annual - share * (MONTHS_IN_PERIOD - 1)
    return share


def city_month_lines(city: CityMonth, period: AnnualPeriod, month_number: int,
                     tables: TableSet) -> list[Line]:
    """The city's priced lines for the period's month `month_number`."""
    return city_month(city, period, month_number, tables)[1]


def city_month(city: CityMonth, period: AnnualPeriod, month_number: int,
               tables: TableSet) -> tuple[str, list[Line]]:
    """(the level billed, the city's priced lines) for the period's month `month_number`."""
    as_of = dt.date(*period.month(month_number), 1)
    level, _ = billed_level(city.counts, city.level, period, tables, as_of)
    label = period.label(month_number)
    share = "the rest of" if month_number == MONTHS_IN_PERIOD else "a twelfth of"
    lines = [Line.priced("service_level", f"Service level {level.level} for {label}: {share} "
                         f"its annual price of {level.annual_price:,} (month {month_number} of "
                         f"{MONTHS_IN_PERIOD} of the annual period)", Decimal(1),
                         monthly_share(level.annual_price, month_number), level.source)]
    hours = {m: h for m, h in city.hours.items() if m <= month_number}
    lines.extend(price_hours(hours, tables, as_of, period).lines_of_month(month_number))
    integration = integration_line(city.integration_sites, tables, as_of)
    if integration:
        lines.append(Line(integration.kind, f"{integration.description}, cut over in {label}",
                          integration.quantity, integration.unit_price, integration.amount,
                          integration.unrounded, integration.source))
    return level.level, lines
