"""Load monthly component reports: city, month, and the six component counts.

CSV, XLSX or Parquet by extension. Every problem is collected and reported with file, row and
column: a bad count, a bad month, the same city and month twice, and a gap (a month missing
between a city's first and last report, which would hide a change from the re-leveling rule).
Months and counts are read by the one parser of each (pricing.values): a month YYYY-MM within
the agreements' years (a spreadsheet date cell counts by its month), a count of ASCII digits
below its bound. A path that is not a regular file is refused before it is opened.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pricing.rules.components import COMPONENTS, Counts
from pricing.fileio.csvfile import CELL_LIMIT, check_input_file, read_records
from pricing.errors import PricingError, Problem, ProblemsError
from pricing.tables.columns import count
from pricing.values import parse_date, parse_month

COLUMNS = ("city", "month") + COMPONENTS

Month = tuple[int, int]


def month_index(month: Month) -> int:
    return month[0] * 12 + month[1] - 1


def month_of(index: int) -> Month:
    return index // 12, index % 12 + 1


def month_label(month: Month) -> str:
    return f"{month[0]:04d}-{month[1]:02d}"


@dataclass(frozen=True)
class Reports:
    """Each city's reports in month order: {city: [(month, counts), ...]}."""

    by_city: dict[str, list[tuple[Month, Counts]]]

    @property
    def cities(self) -> list[str]:
        return sorted(self.by_city)

    def last_before(self, city: str, month: Month) -> tuple[Month, Counts] | None:
        """The city's last report strictly before `month`."""
        earlier = [r for r in self.by_city[city] if r[0] < month]
        return earlier[-1] if earlier else None

    def within(self, city: str, first: Month, last: Month) -> list[tuple[Month, Counts]]:
        return [r for r in self.by_city[city] if first <= r[0] <= last]


def _rows(path: Path, problems: list[Problem]) -> list[dict[str, object]]:
    """The rows as {column: cell} (a CSV row also carries its line as "_row"); a CSV row that
    cannot be read is added to problems and left out."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".parquet", ".pq"):
        raise PricingError(f"{path}: expected a .csv, .xlsx or .parquet file")
    check_input_file(path)                # before any open: a FIFO would block it
    if suffix == ".csv":
        return _csv_rows(path, problems)
    import pandas as pd

    try:
        if suffix == ".xlsx":
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        else:
            frame = pd.read_parquet(path).astype(str)
    except Exception as error:    # pandas, openpyxl and pyarrow raise many kinds for a bad file
        raise PricingError(f"{path}: cannot read ({_first_line(error)})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ProblemsError([Problem(str(path), 1, c, "missing column") for c in missing],
                            f"{path}: not a component report")
    return frame.to_dict("records")


def _csv_rows(path: Path, problems: list[Problem]) -> list[dict[str, object]]:
    """A CSV report through the one CSV reader (pricing.fileio.csvfile): bytes that are not UTF-8, an
    overlong cell or a row of the wrong width is a problem of its row, listed with the others;
    a file that cannot be read or lacks a column is an error at once."""
    found: list[Problem] = []
    records = read_records(path, COLUMNS, None, found)
    whole = [p for p in found if p.row in (None, 1)]
    if whole:
        raise ProblemsError(whole, f"{path}: not a component report")
    problems.extend(found)
    return [dict(values, _row=row) for row, values in records]


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines() or [type(error).__name__]
    return lines[0] if len(lines[0]) <= 200 else lines[0][:200] + "..."


_SPREADSHEET_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?: 00:00:00)?")


def _month(value: str) -> Month:
    """A report month, YYYY-MM (pricing.values.parse_month); a spreadsheet date such as
    "2000-01-01 00:00:00" (how a date cell reads as text) counts by its month. ValueError
    with the parser's message otherwise."""
    date = _SPREADSHEET_DATE.fullmatch(value.strip(" \t\r\n"))
    if date:
        day = parse_date(date.group(1))
        return day.year, day.month
    return parse_month(value)


def load_reports(path: str | Path) -> Reports:
    """Read and check a reports file; ProblemsError lists every problem."""
    path = Path(path)
    problems: list[Problem] = []
    by_city: dict[str, dict[Month, tuple[int, Counts]]] = defaultdict(dict)
    for number, row in enumerate(_rows(path, problems), start=2):
        number = row.get("_row", number)
        city = str(row["city"]).strip()
        if not city:
            problems.append(Problem(str(path), number, "city", "missing"))
            continue
        if len(city) > CELL_LIMIT:
            problems.append(Problem(str(path), number, "city", f"expected at most {CELL_LIMIT:,} "
                                                               f"characters, got {len(city):,}"))
            continue
        try:
            month = _month(str(row["month"]))
        except ValueError as error:
            problems.append(Problem(str(path), number, "month", str(error)))
            continue
        counts = {}
        for name in COMPONENTS:
            try:
                counts[name] = count(str(row[name]).strip())
            except ValueError as error:
                problems.append(Problem(str(path), number, name, str(error)))
        if len(counts) < len(COMPONENTS):
            continue
        if month in by_city[city]:
            problems.append(Problem(str(path), number, "month", f"{city} {month_label(month)} is "
                                    f"reported twice (also row {by_city[city][month][0]})"))
            continue
        by_city[city][month] = (number, Counts(**counts))
    for city, months in by_city.items():
        indexes = sorted(month_index(m) for m in months)
        missing = sorted(set(range(indexes[0], indexes[-1] + 1)) - set(indexes))
        if missing:
            labels = ", ".join(month_label(month_of(i)) for i in missing[:6])
            problems.append(Problem(str(path), None, "month", f"{city}: no report for {labels}"
                                    f"{' ...' if len(missing) > 6 else ''} (a gap between its "
                                    f"first and last reports)"))
    if problems:
        raise ProblemsError(problems, f"{path}: {len(problems)} problem(s) in the reports")
    return Reports({city: [(m, counts) for m, (_, counts) in sorted(months.items())]
                    for city, months in by_city.items()})
