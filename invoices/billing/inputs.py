"""The monthly run's input files, checked cell by cell; every problem is collected.

CITIES: city, bill_to, gateway_elements, five_ess, slc, sm, dacs_ii, dacs_iv [, level]
HOURS:  city, month (YYYY-MM), hours (zero or more, up to four decimal places)
EVENTS: city, date (YYYY-MM-DD), kind (integration), quantity
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from pricing.city_key import city_key, name_problem
from pricing.document_font import font_problem
from pricing.rules.components import COMPONENTS, Counts
from pricing.fileio.csvfile import read_records
from pricing.errors import Problem
from pricing.tables.columns import count
from pricing import values
from pricing.values import canonical_month, parse_date, parse_hours

CITY_COLUMNS = ("city", "bill_to") + COMPONENTS
EVENT_KINDS = ("integration",)


@dataclass(frozen=True)
class CityRow:
    row: int
    city: str
    bill_to: str
    counts: Counts
    level: str | None


@dataclass(frozen=True)
class HoursRow:
    row: int
    city: str
    month: str
    hours: Decimal


@dataclass(frozen=True)
class EventRow:
    row: int
    city: str
    date: dt.date
    kind: str
    quantity: int


def _records(path: Path, required: tuple[str, ...], optional: tuple[str, ...],
             problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    return read_records(path, required, optional, problems)


def _count(path, row, column, text, problems) -> int | None:
    try:
        return count(text)
    except ValueError as error:
        problems.append(Problem(str(path), row, column, str(error)))
        return None


NAME_LIMIT = values.NAME_LIMIT


def _unprintable(name: str) -> str | None:
    """Why a name cannot be printed on an invoice (a character the documents' font lacks)."""
    problem = font_problem(unicodedata.normalize("NFC", name))
    return None if problem is None else f"the name {problem}"


def read_cities(path: Path, problems: list[Problem]) -> list[CityRow]:
    rows, seen = [], {}
    for line, cells in _records(path, CITY_COLUMNS, ("level",), problems):
        before = len(problems)
        counts = {c: _count(path, line, c, cells[c], problems) for c in COMPONENTS}
        for column in ("city", "bill_to"):
            problem = "missing" if not cells[column] else (
                name_problem(cells[column], column == "city") or _unprintable(cells[column]))
            if problem:
                problems.append(Problem(str(path), line, column, problem))
        cells["city"] = unicodedata.normalize("NFC", cells["city"])
        key = city_key(cells["city"])
        if key in seen:
            problems.append(Problem(str(path), line, "city",
                                    f"duplicate city {cells['city']!r} (also row {seen[key]})"))
        seen.setdefault(key, line)
        if len(problems) == before:
            rows.append(CityRow(line, cells["city"], cells["bill_to"], Counts(**counts),
                                cells.get("level") or None))
    return rows


def _known_city(path: Path, line: int, cells: dict[str, str], cities: set[str],
                problems: list[Problem]) -> str:
    """The cities file's spelling of a row's city (the one key: NFD or NFC, case, spaces and
    punctuation aside); a city not in the cities file is a problem at the row's city cell."""
    name = _keyed(frozenset(cities)).get(city_key(cells["city"]), cells["city"])
    if name not in cities:
        problems.append(Problem(str(path), line, "city", f"unknown city {name!r} "
                                                         f"(not in the cities file)"))
    return name


@lru_cache(maxsize=4)
def _keyed(cities: frozenset[str]) -> dict[str, str]:
    return {city_key(name): name for name in cities}


def read_hours(path: Path, cities: set[str], problems: list[Problem]) -> list[HoursRow]:
    """The hours rows, each month in its canonical spelling (so ` 2001-04` and `2001-04` are
    one month, and a month listed twice either way is a problem), each city as the cities file
    spells it."""
    rows, seen = [], {}
    for line, cells in _records(path, ("city", "month", "hours"), (), problems):
        before = len(problems)
        cells["city"] = _known_city(path, line, cells, cities, problems)
        try:
            month = canonical_month(cells["month"])
        except ValueError as error:
            problems.append(Problem(str(path), line, "month", str(error)))
            month = cells["month"]
        try:
            hours = parse_hours(cells["hours"])
        except ValueError as error:
            problems.append(Problem(str(path), line, "hours", str(error)))
            hours = None
        key = (cells["city"], month)
        if key in seen:
            problems.append(Problem(str(path), line, "month",
                                    f"{key[0]} {key[1]} appears twice (also row {seen[key]})"))
        seen.setdefault(key, line)
        if len(problems) == before:
            rows.append(HoursRow(line, cells["city"], month, hours))
    return rows


def read_events(path: Path, cities: set[str], problems: list[Problem]) -> list[EventRow]:
    rows = []
    for line, cells in _records(path, ("city", "date", "kind", "quantity"), (), problems):
        before = len(problems)
        cells["city"] = _known_city(path, line, cells, cities, problems)
        try:
            date = parse_date(cells["date"])
        except ValueError as error:
            problems.append(Problem(str(path), line, "date", str(error)))
            date = None
        if cells["kind"] not in EVENT_KINDS:
            problems.append(Problem(str(path), line, "kind", f"expected one of "
                                    f"{', '.join(EVENT_KINDS)}, got {cells['kind']!r}"))
        quantity = _count(path, line, "quantity", cells["quantity"], problems)
        if len(problems) == before:
            rows.append(EventRow(line, cells["city"], date, cells["kind"], quantity))
    return rows
