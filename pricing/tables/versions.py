"""Changing the contract's tables safely: add a version, and see what changed between two.

A new version is staged in a copy of the whole tables directory, with its file and manifest row,
and the copy is validated as the loader would (every table, every hash, every check). Only a
clean copy is written back; otherwise nothing is written and every problem is listed, with the
paths of the real directory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pricing.fileio.csvfile import check_input_file
from pricing.errors import Problem, ProblemsError
from pricing.fileio.writes import replaced_atomically, write_text_atomically
from pricing.tables.loader import (MANIFEST, TableSet, TableVersion, check_tables,
                                   resolve_tables_dir, sha256_of)
from pricing.tables.schema import SCHEMAS
from pricing.values import DATE_RANGE

MAX_TABLE_BYTES = 10 * 1024 * 1024


def _manifest_rows(root: Path) -> list[dict[str, str]]:
    with (root / MANIFEST).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _manifest_text(rows: list[dict[str, str]]) -> str:
    """The manifest as tools/update_manifest.py writes it (so an unchanged row is unchanged)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _with_row(rows: list[dict[str, str]], new: dict[str, str]) -> list[dict[str, str]]:
    """The manifest rows with `new` placed among its table's versions, by date."""
    positions = [i for i, r in enumerate(rows) if r["table"] == new["table"]]
    if not positions:
        return rows + [new]
    later = [i for i in positions if rows[i]["effective_from"] > new["effective_from"]]
    at = later[0] if later else positions[-1] + 1
    return rows[:at] + [new] + rows[at:]


def new_version(directory, table: str, effective: dt.date, source: str,
                from_csv: Path | None = None) -> Path:
    """Add `table/EFFECTIVE.csv`: a copy of the version in force on `effective` (to edit), or
    the file given; record its sha256 and source in the manifest; validate the whole set.
    Returns the new file's path. ProblemsError lists every problem when anything is wrong, and
    then nothing is written."""
    root = resolve_tables_dir(directory)
    label = str(root / MANIFEST)
    problems: list[Problem] = []
    schema = SCHEMAS.get(table)
    if schema is None:
        raise ProblemsError([Problem(label, None, "table", f"unknown table {table!r} (expected one "
                                                           f"of {', '.join(SCHEMAS)})")])
    low, high = DATE_RANGE
    if not low <= effective <= high:
        problems.append(Problem(label, None, "effective_from", f"expected a date from {low} to "
                                                               f"{high}, got {effective}"))
    if not source.strip():
        problems.append(Problem(label, None, "source", "expected the contract citation of the "
                                                       "new version, got nothing"))
    current, found = check_tables(root)
    if found:
        raise ProblemsError(found, f"{root}: fix the tables before adding a version")
    versions = current.versions(table)
    taken = [v for v in versions if v.effective_from == effective]
    if taken:
        problems.append(Problem(label, None, "effective_from",
                                f"{table} already has a version on {effective} ({taken[0].file}: "
                                f"{taken[0].source})"))
    if from_csv is not None:
        check_input_file(from_csv)
        if from_csv.stat().st_size > MAX_TABLE_BYTES:
            problems.append(Problem(str(from_csv), None, None, f"expected a table of at most "
                                                               f"{MAX_TABLE_BYTES:,} bytes"))
            content = b""
        else:
            content = from_csv.read_bytes()
    else:
        earlier = [v for v in versions if v.effective_from <= effective]
        if not earlier:
            problems.append(Problem(label, None, "effective_from",
                                    f"no version of {table} is in force on {effective} to copy "
                                    f"(the first is {versions[0].effective_from}); give --from-csv"))
            content = b""
        else:
            content = (root / earlier[-1].file).read_bytes()
    if problems:
        raise ProblemsError(problems, f"{table} {effective}: nothing written")
    relative = f"{table}/{effective.isoformat()}.csv"
    with tempfile.TemporaryDirectory(prefix="pricing-tables-") as scratch:
        staged = Path(scratch) / "tables"
        shutil.copytree(root, staged)
        (staged / relative).write_bytes(content)
        row = {"table": table, "effective_from": effective.isoformat(), "file": relative,
               "sha256": sha256_of(staged / relative), "source": source.strip()}
        manifest = _manifest_text(_with_row(_manifest_rows(root), row))
        (staged / MANIFEST).write_text(manifest, encoding="utf-8")
        _, found = check_tables(staged)
        if found:
            raise ProblemsError([_in(root, staged, p) for p in found],
                                f"{table} {effective}: nothing written")
    target = root / relative
    with replaced_atomically(target) as temp:
        temp.write_bytes(content)
    write_text_atomically(root / MANIFEST, manifest)
    return target


def _in(root: Path, staged: Path, problem: Problem) -> Problem:
    """A problem found in the staged copy, told with the real directory's paths."""
    file = problem.file.replace(str(staged), str(root)) if problem.file else problem.file
    return Problem(file, problem.row, problem.column, problem.message.replace(str(staged), str(root)))


@dataclass(frozen=True)
class Change:
    """One cell that differs: the row's key, the column, the old and the new value."""

    key: dict
    column: str
    old: object
    new: object


@dataclass(frozen=True)
class TableDiff:
    """What changed from one version of a table to another.

    Attributes: table, old and new (the versions compared, with their sources), added and
    removed (whole rows, as dicts), changed (cell by cell).
    """

    table: str
    old: TableVersion
    new: TableVersion
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_dict(self) -> dict:
        def version(v: TableVersion) -> dict:
            return {"effective_from": v.effective_from.isoformat(), "file": v.file,
                    "source": v.source, "sha256": v.sha256}

        return {"table": self.table, "old": version(self.old), "new": version(self.new),
                "added": self.added, "removed": self.removed,
                "changed": [{"key": c.key, "column": c.column, "old": c.old, "new": c.new}
                            for c in self.changed]}


def diff_versions(table: str, old_tables: TableSet, old_date: dt.date, new_tables: TableSet,
                  new_date: dt.date) -> TableDiff:
    """The version of `table` in force on `old_date` in `old_tables` against the one in force
    on `new_date` in `new_tables`, rows matched by the table's key."""
    old, new = old_tables.version(table, old_date), new_tables.version(table, new_date)
    key = SCHEMAS[table].key
    before = {tuple(getattr(r, k) for k in key): r._asdict() for r in old.rows}
    after = {tuple(getattr(r, k) for k in key): r._asdict() for r in new.rows}
    diff = TableDiff(table, old, new)
    for k, row in after.items():
        if k not in before:
            diff.added.append(row)
            continue
        for column, value in row.items():
            if before[k][column] != value:
                diff.changed.append(Change(dict(zip(key, k)), column, before[k][column], value))
    diff.removed.extend(row for k, row in before.items() if k not in after)
    return diff
