"""Read the records of a small CSV input file, with every problem named by file, row, column.

One reader for the input files people write by hand (cities, hours, events, orders, purchases,
quotes, levels): headers are matched ignoring case and surrounding spaces, cells are stripped,
blank lines skipped, and a line with the wrong number of cells is a problem of that row.
"""

from __future__ import annotations

import csv
from pathlib import Path

from pricing.errors import Problem, ProblemsError


def read_records(path: str | Path, required: tuple[str, ...],
                 optional: tuple[str, ...] | None = None,
                 problems: list[Problem] | None = None) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: cell}) for each record; the header is row 1.

    optional: the other columns allowed (None: any other column is allowed and kept).
    problems: where to add problems; without it, any problem raises ProblemsError. A file
    that cannot be read, or lacks a required column, gives no records.
    """
    raising = problems is None
    found: list[Problem] = [] if raising else problems
    records = _read(Path(path), required, optional, found)
    if raising and found:
        raise ProblemsError(found, f"{path}: {len(found)} problem(s)")
    return records


def _read(path: Path, required: tuple[str, ...], optional: tuple[str, ...] | None,
          problems: list[Problem]) -> list[tuple[int, dict[str, str]]]:
    label = str(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        problems.append(Problem(label, None, None, f"cannot read ({error.strerror})"))
        return []
    with handle:
        try:
            reader = csv.reader(handle)
            header = next(reader, None)
            if not header:
                problems.append(Problem(label, None, None, f"empty file: expected a header with "
                                                           f"{', '.join(required)}"))
                return []
            names = [h.strip().lower() for h in header]
            missing = [c for c in required if c not in names]
            for column in missing:
                problems.append(Problem(label, 1, column, "missing column"))
            if optional is not None:
                allowed = required + optional
                for column in names:
                    if column not in allowed:
                        problems.append(Problem(label, 1, column, f"unknown column (expected "
                                                                  f"{', '.join(allowed)})"))
            if missing:
                return []
            records = []
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(names):
                    problems.append(Problem(label, reader.line_num, None,
                                            f"expected {len(names)} cells, got {len(cells)}"))
                    continue
                records.append((reader.line_num, {n: c.strip() for n, c in zip(names, cells)}))
            return records
        except (csv.Error, UnicodeDecodeError) as error:
            problems.append(Problem(label, None, None, f"unreadable CSV: {error}"))
            return []
