"""An itemized quote for one city and one annual period: every line with its source.

The input is a plain mapping (the CITY.json the CLI reads, documented in the README):
  {"city": "Huntsville", "bill_to": "KMC Telecom III, Inc.", "period": 2000,
   "counts": {"gateway_elements": 20, "five_ess": 1, "slc": 10, "sm": 1, "dacs_ii": 1,
              "dacs_iv": 1},
   "hours": {"2000-10": 1600, "2001-07": 12.5}, "integration_sites": 1, "level": "Small"}
`bill_to`, `hours`, `integration_sites` and `level` are optional.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from pricing.rules.agreements import check_in_term, customer_for
from pricing.rules.components import COMPONENTS, Counts, count_problems
from pricing.fileio.csvfile import CELL_LIMIT
from pricing.equipment.order import COLUMNS as ORDER_COLUMNS
from pricing.equipment.order import OrderLine, parse_order_line
from pricing.equipment.price import price_line
from pricing.errors import PricingError, Problem, ProblemsError
from pricing.rules.hours import price_hours
from pricing.rules.integration import integration_line, sites_problem
from pricing.fileio.jsonfile import as_text, shown_value
from pricing.rules.lines import Line, total_of
from pricing.rules.periods import AnnualPeriod, annual_period
from pricing.values import parse_month
from pricing.rules.service_level import LevelChoice, billed_level
from pricing.tables.loader import TableSet
from pricing.values import DATE_RANGE, canonical_month, parse_hours, shown

FIELDS = ("city", "bill_to", "period", "counts", "hours", "integration_sites", "level",
          "equipment")


@dataclass(frozen=True)
class CityRequest:
    """What to price for one city in one annual period.

    Attributes:
      city: the city's name.
      period: the year its annual period starts in (2000: 2000-10-01 to 2001-09-30).
      counts: its six component counts.
      hours: provisioning/customer care hours incurred, by month "YYYY-MM".
      integration_sites: switch sites cut over (system integration) in the period.
      bill_to: the customer entity billed; if given it must be a PSA customer for the whole
        period (pricing.rules.agreements.customer_for).
      level: a level carried over from an earlier period, overriding the counts.
      equipment: equipment lines ordered under the General Agreement.
    """

    city: str
    period: int
    counts: Counts
    hours: Mapping[str, Decimal] = field(default_factory=dict)
    integration_sites: int = 0
    bill_to: str | None = None
    level: str | None = None
    equipment: tuple[OrderLine, ...] = ()


def parse_city_request(data: object, source: str = "input") -> CityRequest:
    """Check a city mapping field by field; report every problem at once (file, field)."""
    problems: list[Problem] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(source, None, column, message))

    if not isinstance(data, Mapping):
        raise ProblemsError([Problem(source, None, None, "expected a JSON object (the city's "
                                                         f"fields), got {_kind(data)}")],
                            f"{source}: not a city to quote")
    for key in sorted(set(data) - set(FIELDS), key=_key):
        problem(_key(key), f"unknown field (expected {', '.join(FIELDS)})")
    city = data.get("city")
    if not isinstance(city, str) or not city.strip():
        problem("city", f"expected a city name, got {shown_value(city)}")
    elif len(city) > CELL_LIMIT:
        problem("city", f"expected a name of at most {CELL_LIMIT:,} characters, got {len(city):,}")
    period = data.get("period")
    first, last = (day.year for day in DATE_RANGE)
    if isinstance(period, bool) or not isinstance(period, int):
        problem("period", f"expected the year the annual period starts in, e.g. 2000, "
                          f"got {shown_value(period)}")
    elif not first <= period <= last:
        problem("period", f"expected a year from {first} to {last} (the agreements' years), "
                          f"got {shown_value(period)}")
    counts = None
    raw_counts = data.get("counts")
    if not isinstance(raw_counts, Mapping):
        problem("counts", f"expected an object with the six component counts, "
                          f"got {shown_value(raw_counts)}")
    else:
        found = count_problems(raw_counts)
        for name, message in found:
            problem(f"counts.{name}", message)
        if not found:
            counts = Counts(**{name: raw_counts[name] for name in COMPONENTS})
    hours: dict[str, Decimal] = {}
    raw_hours = data.get("hours", {})
    if not isinstance(raw_hours, Mapping):
        problem("hours", f"expected an object of month: hours, got {shown_value(raw_hours)}")
    else:
        for month, value in raw_hours.items():
            where = f"hours.{_key(month)}"
            try:
                label = canonical_month(month)
            except ValueError as error:
                problem(where, str(error))
                continue
            if label in hours:
                problem(where, f"the month {label} is given twice")
                continue
            try:
                hours[label] = parse_hours(as_text(value))
            except ValueError as error:
                problem(where, str(error))
    sites = data.get("integration_sites", 0)
    if sites_problem(sites):
        problem("integration_sites", sites_problem(sites))
    bill_to = data.get("bill_to")
    if bill_to is not None and (not isinstance(bill_to, str) or not bill_to.strip()
                                or len(bill_to) > CELL_LIMIT):
        problem("bill_to", f"expected a customer entity's name, got {shown_value(bill_to)}")
    level = data.get("level")
    if level is not None and (not isinstance(level, str) or not level.strip()
                              or len(level) > CELL_LIMIT):
        problem("level", f"expected a service level's name, got {shown_value(level)}")
    equipment: list[OrderLine] = []
    raw_equipment = data.get("equipment", [])
    if not isinstance(raw_equipment, list):
        problem("equipment", f"expected a list of equipment lines, got {shown_value(raw_equipment)}")
    else:
        for i, item in enumerate(raw_equipment):
            if not isinstance(item, Mapping):
                problem(f"equipment[{i}]", "expected an object")
                continue
            for key in sorted(set(item) - set(ORDER_COLUMNS), key=_key):
                problem(f"equipment[{i}].{_key(key)}",
                        f"unknown field (expected {', '.join(ORDER_COLUMNS)})")
            line, reasons = parse_order_line(i, item)
            for reason in reasons:
                column, _, message = reason.partition(": ")
                problem(f"equipment[{i}].{column}", message)
            if line:
                equipment.append(line)
    if problems:
        raise ProblemsError(problems, f"{source}: {len(problems)} problem(s) in the city")
    return CityRequest(city.strip(), period, counts, hours, sites, bill_to, level,
                       tuple(equipment))


def _kind(value: object) -> str:
    """What a JSON value is, in JSON's words."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return f"the number {shown_value(value)}"
    return shown_value(value)


def _key(key: object) -> str:
    """A field name for a message: as written, or shortened when too long to be one."""
    if not isinstance(key, str):
        return shown_value(key)
    return key if len(key) <= 40 and key.isprintable() else shown(key)


@dataclass(frozen=True)
class Quote:
    """A priced city: its level, its lines, and their total.

    Attributes:
      city, bill_to: as requested (bill_to as the contract writes the entity).
      period: the annual period priced.
      as_of: the date whose tables priced it.
      level: the level billed, with its price and source.
      level_reason: why that level is billed.
      lines: the priced lines, each with its source.
      total: the exact sum of the rounded lines.
      tables_sha256: the manifest hash of the tables that priced it.
    """

    city: str
    bill_to: str | None
    period: AnnualPeriod
    as_of: dt.date
    level: LevelChoice
    level_reason: str
    lines: tuple[Line, ...]
    total: Decimal
    tables_sha256: str

    def as_dict(self) -> dict:
        return {"city": self.city, "bill_to": self.bill_to, "period": self.period.year,
                "period_start": self.period.start.isoformat(),
                "period_end": self.period.end.isoformat(), "as_of": self.as_of.isoformat(),
                "level": self.level.level, "level_reason": self.level_reason,
                "lines": [line.as_dict() for line in self.lines], "total": str(self.total),
                "tables_sha256": self.tables_sha256}

    def _repr_html_(self) -> str:
        from pricing.fileio.html_views import quote_html

        return quote_html(self)


def price_city(request: CityRequest | Mapping, tables: TableSet,
               as_of: dt.date | None = None) -> Quote:
    """Price one city's services for one annual period, line by line."""
    if not isinstance(request, CityRequest):
        request = parse_city_request(request)
    period = annual_period(tables, request.period)
    as_of = as_of or period.start
    check_in_term(tables, "PSA", period.start)
    check_in_term(tables, "PSA", as_of)
    # A quote bills the whole annual period: its bill-to must be a customer for all of it.
    bill_to = (customer_for(tables, "PSA", request.bill_to, period.start, period.end)
               if request.bill_to else None)
    level, reason = billed_level(request.counts, request.level, period, tables, as_of)
    lines = [Line.priced("service_level", f"Service level {level.level}, annual period "
                         f"{period.start.isoformat()} to {period.end.isoformat()}",
                         Decimal(1), level.annual_price, level.source)]
    monthly: dict[int, Decimal] = {}
    for month, hours in request.hours.items():
        try:
            number = period.month_number(*parse_month(month))
        except PricingError as error:
            raise PricingError(f"hours.{month}: {error}") from None
        monthly[number] = monthly.get(number, Decimal(0)) + hours
    lines.extend(price_hours(monthly, tables, as_of, period).lines)
    integration = integration_line(request.integration_sites, tables, as_of)
    if integration:
        lines.append(integration)
    for item in request.equipment:
        try:
            lines.append(price_line(item, tables, request.bill_to).as_quote_line())
        except PricingError as error:
            raise PricingError(f"equipment[{item.row}]: {error}") from None
    return Quote(request.city, bill_to, period, as_of, level, reason, tuple(lines),
                 total_of(lines), tables.manifest_sha256)
