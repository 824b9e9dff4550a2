"""Load monthly component reports: city, month, and the six component counts.

CSV, XLSX or Parquet by extension. Every problem is collected and reported with file, row and
column: a bad count, a bad month, the same city and month twice, and a gap (a month missing
between a city's first and last report, which would hide a change from the re-leveling rule).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from pricing.components import COMPONENTS, Counts
from pricing.errors import PricingError, Problem, ProblemsError
from pricing.periods import parse_month
from pricing.tables.columns import count

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


def _rows(path: Path) -> list[dict[str, object]]:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise PricingError(f"{path}: no such file")
    import pandas as pd

    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        elif suffix == ".xlsx":
            frame = pd.read_excel(path, dtype=str, keep_default_na=False)
        elif suffix in (".parquet", ".pq"):
            frame = pd.read_parquet(path).astype(str)
        else:
            raise PricingError(f"{path}: expected a .csv, .xlsx or .parquet file")
    except (ValueError, OSError) as error:
        raise PricingError(f"{path}: cannot read ({error})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ProblemsError([Problem(str(path), 1, c, "missing column") for c in missing],
                            f"{path}: not a component report")
    return frame.to_dict("records")


def _month(text: str) -> Month | None:
    """A report month; a spreadsheet date ("2000-01-01 00:00:00") counts by its month."""
    try:
        return parse_month(text.strip()[:7])
    except ValueError:
        return None


def load_reports(path: str | Path) -> Reports:
    """Read and check a reports file; ProblemsError lists every problem."""
    path = Path(path)
    problems: list[Problem] = []
    by_city: dict[str, dict[Month, tuple[int, Counts]]] = defaultdict(dict)
    for number, row in enumerate(_rows(path), start=2):
        city = str(row["city"]).strip()
        if not city:
            problems.append(Problem(str(path), number, "city", "missing"))
            continue
        month = _month(str(row["month"]))
        if month is None:
            problems.append(Problem(str(path), number, "month",
                                    f"expected a month YYYY-MM, got {row['month']!r}"))
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
