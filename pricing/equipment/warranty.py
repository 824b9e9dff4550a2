"""Warranty end dates from the ship date and the periods GA Amendment 3 gives (004 L292-342);
7R/E quote components (Section A-1.26) from their installation date (`seven_re_warranty`);
every period of one product asked by name (`product_warranty`, `pricing warranty`).

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
from pricing.equipment.names import UnknownProductError, match_product, product_key
from pricing.equipment.order import OrderLine
from pricing.errors import MissingPriceError, PricingError
from pricing.rules.lines import Source
from pricing.tables.loader import TableSet
from pricing.values import shown

UNKNOWN = "no warranty period for this product in the filed texts (base GA Warranty clause)"


@dataclass(frozen=True)
class Warranty:
    """A line's warranty: the last covered day (None if unknown) and why."""

    end: dt.date | None
    note: str
    source: Source | None = None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's last day (Jan 31 + 1 -> Feb 28/29)."""
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
    product = match_product(tables, line.product).product or line.product
    row = _period_row(version, product, _schedule(tables, product), line.kind, condition)
    if row is None:
        return Warranty(None, UNKNOWN)
    return Warranty(last_covered_day(line.ship_date, row), f"{period_text(row)} {line.kind} "
                    f"warranty from shipment ({row.section})", Source.of(version))


def _schedule(tables: TableSet, product: str) -> str | None:
    """The warranties table's schedule of a product: its discount schedule's short name, or
    the 7R/E schedule for a Packet Solution component; None when it is in neither."""
    table = find_schedule(tables, product)
    if table:
        return SCHEDULES[table]
    if "packet_solution_components" not in tables.names:
        return None
    key = product_key(product)
    components = [r.component for v in tables.versions("packet_solution_components")
                  for r in v.rows]
    return SEVEN_RE_SCHEDULE if any(product_key(c) == key for c in components) else None


def _own_rows(version, product: str, part: str) -> list:
    """The rows that give this product its own period for the part (a row for "both" too)."""
    key = product_key(product)
    return [r for r in version.rows if r.product and product_key(r.product) == key
            and r.part in (part, "both")]


def _period_row(version, product: str, schedule: str | None, part: str,
                condition: str | None = None):
    """A product's own row for the part, else its schedule's default row, else None."""
    own = _own_rows(version, product, part)
    default = [r for r in version.rows if not r.product and r.schedule == schedule
               and r.part in (part, "both") and (r.condition or None) == condition]
    rows = own or default
    return rows[0] if rows else None


def last_covered_day(start: dt.date, row) -> dt.date:
    """The day before the period's anniversary of `start` (a warranties row: months or days)."""
    expires = add_months(start, row.months) if row.months is not None else \
        start + dt.timedelta(days=row.days)
    return expires - dt.timedelta(days=1)


def period_text(row) -> str:
    return f"{row.months} months" if row.months is not None else f"{row.days} days"


# 7R/E (GA Amendment 3 Section, 004 L342): hardware, software licensed with a new Packet
# Solution installation, any other 7R/E software. The periods are the warranties table's
# schedule "packet_solution" rows; the code only picks the row.
SEVEN_RE_SCHEDULE = "packet_solution"
SEVEN_RE_PARTS = ("hardware", "software")
NEW_INSTALLATION, OTHER_SOFTWARE = "new_installation", "other"


@dataclass(frozen=True)
class ComponentWarranty:
    """One 7R/E quote component's warranty.

    The warranty runs from the component's installation date: the texts name no start event
    (FACTS.md ambiguity 33(d)), a 7R/E quote carries only installation dates, and A-1.26 ties
    the software period to the installation. The last covered day is the day before the
    period's anniversary of that date, as for every other warranty (`last_covered_day`).

    Attributes:
      index: the component's position in the quote's list.
      component: its name as quoted.
      part: "hardware" or "software".
      installed_on: its installation date (None: not given).
      months: the period in months the table gives (None: given in days, or no rule applies).
      days: the period in days the table gives (None: given in months, or no rule applies).
      end: the last covered day (None: no installation date, or no period).
      reason: the rule applied, why, and its citation from the table row.
      source: the warranties table version read (None when no row was read).
    """

    index: int
    component: str
    part: str
    installed_on: dt.date | None
    months: int | None
    days: int | None
    end: dt.date | None
    reason: str
    source: Source | None

    def as_dict(self) -> dict:
        return {"index": self.index, "component": self.component, "part": self.part,
                "installed_on": self.installed_on, "warranty_months": self.months,
                "warranty_days": self.days, "warranty_end": self.end, "reason": self.reason,
                "source": str(self.source) if self.source else None}


def _seven_re_row(version, part: str, condition: str | None, where: str):
    rows = [r for r in version.rows if r.schedule == SEVEN_RE_SCHEDULE and not r.product
            and r.part == part and (r.condition or None) == condition]
    if not rows:
        raise MissingPriceError(
            f"{where}: table warranties {version.effective_from.isoformat()} ({version.file}) has "
            f"no row for schedule {SEVEN_RE_SCHEDULE}, part {part}, condition "
            f"{condition or '(blank)'} ({version.source})")
    return rows[0]


def _seven_re_section(version) -> str:
    """Where the 7R/E periods come from: the section of the table's 7R/E rows, else the
    version's own citation."""
    sections = [r.section for r in version.rows if r.schedule == SEVEN_RE_SCHEDULE]
    return sections[0] if sections else version.citation


def seven_re_warranty(index: int, component: str, part: str, installed_on: dt.date | None,
                      solution_installed_on: dt.date | None, tables: TableSet, as_of: dt.date,
                      access_vehicle: bool = False) -> ComponentWarranty:
    """The warranty of one component of a 7R/E quote (GA Amendment 3 Section A-1.26).

    A product with its own period in the table (the 7 R/E Connection Gateway: 12 months
    hardware, 18 months software, 004 L325) keeps it: a footnote naming one product is more
    specific than A-1.26's periods for 7R/E equipment in general (FACTS.md ambiguity 33(a)).
    Otherwise: hardware: the hardware row, whether or not it is part of a Packet Solution. Software
    installed on `solution_installed_on` (the day the quote's Packet Solution was installed;
    None when the quote is not one): the new-installation row. Any other software, including
    software installed later (upgrades, updates, new releases): the "other" row. Software with
    no installation date gets no period: whether it came with the new installation cannot be
    told. Access vehicles are not 7R/E equipment (A-1.26 excludes them from 7R/E pricing) and
    A-1.26 gives them no period. The table version is the one in force on the installation
    date (the quote's date when there is none); a missing row is a MissingPriceError naming
    the table, its version and the row.
    """
    where = f"components[{index}] ({shown(component)})"
    if access_vehicle:
        return ComponentWarranty(index, component, part, installed_on, None, None, None,
                                 "access vehicle: not 7R/E equipment; the 7R/E warranty periods "
                                 "do not cover it", None)
    try:
        version = tables.version("warranties", installed_on or as_of)
    except MissingPriceError as error:
        raise MissingPriceError(f"{where}: {error}") from None
    found = match_product(tables, component)
    if found.ambiguous:
        raise PricingError(f"{where}: {found.problem()}")
    own = _own_rows(version, found.product, part) if found.product else []
    if own:
        row = own[0]
        why = (f"{found.product}: the product's own {part} period, which the general 7R/E "
               f"periods do not replace")
    elif part == "hardware":
        row = _seven_re_row(version, "hardware", None, where)
        why = "7R/E hardware, whether or not part of a Packet Solution"
    elif installed_on is None:
        return ComponentWarranty(index, component, part, None, None, None, None,
                                 "7R/E software without an installation date: whether it was "
                                 "licensed with a new Packet Solution installation cannot be told "
                                 f"({_seven_re_section(version)})", None)
    elif solution_installed_on is not None and installed_on == solution_installed_on:
        row = _seven_re_row(version, "software", NEW_INSTALLATION, where)
        why = (f"software licensed with the new 7R/E Packet Solution installation of "
               f"{solution_installed_on.isoformat()}")
    else:
        row = _seven_re_row(version, "software", OTHER_SOFTWARE, where)
        if solution_installed_on is None:
            why = "other 7R/E software: the quote is not a new 7R/E Packet Solution installation"
        elif installed_on > solution_installed_on:
            why = (f"other 7R/E software: installed after the Packet Solution's installation of "
                   f"{solution_installed_on.isoformat()}")
        else:
            why = (f"other 7R/E software: installed before the Packet Solution's installation of "
                   f"{solution_installed_on.isoformat()}")
    end = last_covered_day(installed_on, row) if installed_on else None
    tail = "" if installed_on else "; no installation date, so no end date yet"
    return ComponentWarranty(index, component, part, installed_on, row.months, row.days, end,
                             f"{why}: {period_text(row)} from installation ({row.section}){tail}",
                             Source.of(version))


# A product's warranty asked by name (`pricing warranty`): every period the tables give it.
PARTS = ("hardware", "software")
CONDITIONS = {NEW_INSTALLATION: "licensed with a new 7R/E Packet Solution installation",
              OTHER_SOFTWARE: "any other 7R/E software (upgrades, updates, new releases)"}


@dataclass(frozen=True)
class WarrantyPeriod:
    """One period the warranties table gives a product's part.

    Attributes:
      part: "hardware" or "software".
      condition: when it applies, in words ("" when always; 7R/E software has two).
      months: the period in months (None: in days, or unknown).
      days: the period in days (None: in months, or unknown).
      basis: "the product's own period", "the <schedule> default", or "none".
      section: the row's citation (None when no row gives a period).
      end: the last covered day from the start date asked about (None: no date asked, or no
        period).
      note: why there is no period, when there is none.
    """

    part: str
    condition: str
    months: int | None
    days: int | None
    basis: str
    section: str | None
    end: dt.date | None = None
    note: str = ""

    @property
    def period(self) -> str | None:
        if self.months is None and self.days is None:
            return None
        return f"{self.months} months" if self.months is not None else f"{self.days} days"

    def as_dict(self) -> dict:
        return {"part": self.part, "condition": self.condition or None, "months": self.months,
                "days": self.days, "period": self.period, "basis": self.basis,
                "section": self.section, "warranty_end": self.end, "note": self.note or None}


@dataclass(frozen=True)
class ProductWarranty:
    """The warranty periods of one product, as the tables in force give them.

    Attributes:
      typed: the name as asked.
      product: the contract's name of the product.
      how: which of its names was asked ("contract name", "current name", "former name").
      schedule: its warranties schedule (None: in no schedule the table knows).
      start: the ship date (installation date for 7R/E) the ends run from, or None.
      periods: one per part and condition, hardware first.
      source: the warranties table version read.
    """

    typed: str
    product: str
    how: str
    schedule: str | None
    start: dt.date | None
    periods: tuple[WarrantyPeriod, ...]
    source: Source

    @property
    def unknown(self) -> tuple[str, ...]:
        """The parts the filed texts give no period."""
        return tuple(p.part for p in self.periods if p.period is None)

    def as_dict(self) -> dict:
        return {"product": self.product, "typed": self.typed, "found_by": self.how,
                "schedule": self.schedule, "start": self.start,
                "periods": [p.as_dict() for p in self.periods], "source": str(self.source)}


def product_warranty(tables: TableSet, typed: str, as_of: dt.date, part: str | None = None,
                     start: dt.date | None = None) -> ProductWarranty:
    """The warranty periods the tables give a product, by any of its contract names.

    The table version is the one in force on `start` when given (as for an order line's ship
    date), else on `as_of`. For each part: the product's own rows, else its schedule's default
    rows (7R/E components: the A-1.26 rows, software under two conditions), else no period
    with a note saying the texts give none. An unknown or ambiguous name is an
    UnknownProductError listing the candidates; a date before the table's first version a
    MissingPriceError naming the table.
    """
    if part is not None and part not in PARTS:
        raise PricingError(f"part: expected {' or '.join(PARTS)}, got {shown(part)}")
    found = match_product(tables, typed)
    if found.product is None:
        raise UnknownProductError(found)
    product = found.product
    version = tables.version("warranties", start or as_of)
    schedule = _schedule(tables, product)
    periods = []
    for each in (part,) if part else PARTS:
        own = _own_rows(version, product, each)
        rows = own or [r for r in version.rows if not r.product and r.schedule == schedule
                       and r.part in (each, "both")]
        basis = "the product's own period" if own else \
            f"the {schedule.replace('_', ' ')} default" if rows else "none"
        if not rows:
            periods.append(WarrantyPeriod(each, "", None, None, basis, None, None, UNKNOWN))
        for row in rows:
            end = last_covered_day(start, row) if start else None
            periods.append(WarrantyPeriod(each, CONDITIONS.get(row.condition or "", ""),
                                          row.months, row.days, basis, row.section, end))
    return ProductWarranty(typed, product, found.how, schedule, start, tuple(periods),
                           Source.of(version))
