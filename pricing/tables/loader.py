"""Load a tables directory: check it whole, then answer "which rows are in force on a date".

The loader reads with the standard library only (no pandas), so commands that only look at
tables start fast. It collects every problem before it reports, like a compiler: a user fixing
a tables directory sees all that is wrong in one run.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
from collections import namedtuple
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pricing.errors import MissingPriceError, Problem, ProblemsError
from pricing.tables.schema import MANIFEST_COLUMNS, SCHEMAS, TableSchema

TABLES_ENV = "PRICING_TABLES"
MANIFEST = "MANIFEST.csv"


def bundled_tables_dir() -> Path:
    """The contract tables shipped with the package: the repo's `tables/` folder in a
    checkout or editable install, the `pricing_tables` data folder in an installed wheel."""
    checkout = Path(__file__).resolve().parents[2] / "tables"
    if (checkout / MANIFEST).is_file():
        return checkout
    import importlib.util

    spec = importlib.util.find_spec("pricing_tables")
    for location in (spec.submodule_search_locations or []) if spec else []:
        if (Path(location) / MANIFEST).is_file():
            return Path(location)
    return checkout


def resolve_tables_dir(path: str | os.PathLike | None = None) -> Path:
    """The directory to load: the argument, else $PRICING_TABLES, else the bundled one."""
    if path:
        return Path(path)
    if os.environ.get(TABLES_ENV):
        return Path(os.environ[TABLES_ENV])
    return bundled_tables_dir()


def _record_type(schema: TableSchema) -> type:
    """A NamedTuple class for the rows of a table, named after it (service_levels -> ServiceLevelsRow)."""
    name = "".join(part.title() for part in schema.name.split("_")) + "Row"
    record = namedtuple(name, schema.column_names)
    record.__doc__ = schema.doc + "\n\nAttributes:\n" + "\n".join(
        f"  {c.name}: {c.doc}" for c in schema.columns)
    return record


RECORD_TYPES = {name: _record_type(schema) for name, schema in SCHEMAS.items()}


@dataclass(frozen=True)
class TableVersion:
    """One version of one table: complete in itself, in force from `effective_from`
    until the next version of the same table.

    Attributes:
      table: the table's name.
      effective_from: the first date this version is in force.
      file: the path relative to the tables directory.
      sha256: the file's hash, as the manifest records and the loader verified.
      source: the contract citation for this version.
      rows: the typed rows (NamedTuples), in file order.
    """

    table: str
    effective_from: dt.date
    file: str
    sha256: str
    source: str
    rows: tuple

    @property
    def citation(self) -> str:
        """How a priced line names where its number came from."""
        return f"{self.table} {self.effective_from.isoformat()}: {self.source}"


@dataclass(frozen=True)
class ManifestEntry:
    """One manifest row as checked: what `pricing tables list` shows.

    Attributes:
      table, effective_from, file, source: as the manifest lists them.
      status: "ok", or the first problem found with this version.
      row_count: rows in the version, None when it could not be read.
    """

    table: str
    effective_from: dt.date
    file: str
    source: str
    status: str
    row_count: int | None


class TableSet:
    """All versions of all tables of one directory, verified, answering as-of questions."""

    def __init__(self, directory: Path, versions: dict[str, list[TableVersion]],
                 manifest_sha256: str, entries: list[ManifestEntry] | None = None) -> None:
        self.directory = directory
        self.entries = list(entries or [])
        self._in_force: dict[tuple[str, dt.date], TableVersion] = {}
        self._versions = {name: sorted(vs, key=lambda v: v.effective_from)
                          for name, vs in versions.items()}
        self.manifest_sha256 = manifest_sha256

    def _repr_html_(self) -> str:
        """In a notebook: every table, its versions, the one in force today and the hash."""
        from pricing.fileio.html_views import table_set_html

        return table_set_html(self)

    @property
    def names(self) -> list[str]:
        return list(self._versions)

    def versions(self, table: str) -> list[TableVersion]:
        if table not in self._versions:
            raise MissingPriceError(f"there is no table {table!r} in {self.directory}")
        return list(self._versions[table])

    def version(self, table: str, as_of: dt.date) -> TableVersion:
        """The latest version with effective_from <= as_of; before the first, an error.
        Answers are remembered: pricing a thousand cities asks the same question a thousand
        times."""
        found = self._in_force.get((table, as_of))
        if found is None:
            found = self._in_force[(table, as_of)] = self._find_version(table, as_of)
        return found

    def _find_version(self, table: str, as_of: dt.date) -> TableVersion:
        in_force = [v for v in self.versions(table) if v.effective_from <= as_of]
        if not in_force:
            first = self.versions(table)[0].effective_from
            raise MissingPriceError(
                f"table {table} has no version in force on {as_of.isoformat()}: "
                f"its first version takes effect {first.isoformat()}")
        return in_force[-1]

    def rows(self, table: str, as_of: dt.date) -> tuple:
        return self.version(table, as_of).rows

    def frame(self, table: str, as_of: dt.date):
        """The rows in force as a pandas DataFrame (money stays Decimal, in object columns)."""
        import pandas as pd

        version = self.version(table, as_of)
        return pd.DataFrame([r._asdict() for r in version.rows],
                            columns=list(SCHEMAS[table].column_names))


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_csv(path: Path, label: str, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """Yield (line number, cells) of a CSV file; a parse error becomes a problem."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            try:
                for cells in reader:
                    yield reader.line_num, cells
            except csv.Error as error:
                problems.append(Problem(label, reader.line_num, None, f"unparsable CSV: {error}"))
    except UnicodeDecodeError as error:
        problems.append(Problem(label, None, None, f"not UTF-8 text: {error.reason}"))


def _parse_table(path: Path, label: str, schema: TableSchema,
                 problems: list[Problem]) -> tuple | None:
    """Parse one table file into typed records; None when any problem was found in it."""
    found: list[Problem] = []
    records: list[tuple[int, dict]] = []
    lines = iter(_read_csv(path, label, found))
    header_line = next(lines, None)
    if header_line is None:
        found.append(Problem(label, None, None, "empty file: expected a header row"))
        problems.extend(found)
        return None
    header = [h.strip() for h in header_line[1]]
    expected = list(schema.column_names)
    for name in expected:
        if name not in header:
            found.append(Problem(label, 1, name, "missing column"))
    for name in header:
        if name not in expected:
            found.append(Problem(label, 1, name,
                                 f"unknown column (expected {', '.join(expected)})"))
    if not found and header != expected:
        found.append(Problem(label, 1, None, f"columns out of order: expected {', '.join(expected)}"))
    if found:
        problems.extend(found)
        return None
    for line, cells in lines:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(expected):
            found.append(Problem(label, line, None,
                                 f"expected {len(expected)} cells, got {len(cells)}"))
            continue
        values = {}
        for column, cell in zip(schema.columns, cells):
            try:
                values[column.name] = column.read(cell)
            except ValueError as error:
                found.append(Problem(label, line, column.name, str(error)))
        if len(values) == len(expected):
            records.append((line, values))
    seen: dict[tuple, int] = {}
    for line, values in records:
        key = tuple(values[k] for k in schema.key)
        if key in seen:
            found.append(Problem(label, line, schema.key[0],
                                 f"duplicate {', '.join(schema.key)} {key!r} (also row {seen[key]})"))
        seen.setdefault(key, line)
    if not found:
        for check in schema.checks:
            found.extend(check(label, records))
    problems.extend(found)
    if found:
        return None
    record_type = RECORD_TYPES[schema.name]
    return tuple(record_type(**values) for _, values in records)


def check_tables(directory: str | os.PathLike | None = None) -> tuple[TableSet | None, list[Problem]]:
    """Read and verify a tables directory; return the table set and every problem found,
    each with file, row and column.

    The table set holds only the versions that passed; with any problem it must not price
    (`load_tables` refuses), but it still tells `tables list` what is wrong where. It is None
    when the directory or its manifest cannot be read at all."""
    root = resolve_tables_dir(directory)
    problems: list[Problem] = []
    manifest_path = root / MANIFEST
    if not root.is_dir():
        return None, [Problem(str(root), None, None, "no such tables directory")]
    if not manifest_path.is_file():
        return None, [Problem(str(manifest_path), None, None, "missing manifest")]
    manifest_label = str(manifest_path)
    lines = list(_read_csv(manifest_path, manifest_label, problems))
    if not lines:
        problems.append(Problem(manifest_label, None, None, "empty manifest"))
        return None, problems
    header = [h.strip() for h in lines[0][1]]
    if header != list(MANIFEST_COLUMNS):
        problems.append(Problem(manifest_label, 1, None,
                                f"expected columns {', '.join(MANIFEST_COLUMNS)}, got {', '.join(header)}"))
        return None, problems

    versions: dict[str, list[TableVersion]] = {name: [] for name in SCHEMAS}
    entries: list[ManifestEntry] = []
    listed: set[Path] = set()
    seen_dates: dict[tuple[str, dt.date], int] = {}
    mentioned: set[str] = set()
    for line, cells in lines[1:]:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(MANIFEST_COLUMNS):
            problems.append(Problem(manifest_label, line, None,
                                    f"expected {len(MANIFEST_COLUMNS)} cells, got {len(cells)}"))
            continue
        table, effective, file, digest, source = (c.strip() for c in cells)
        mentioned.add(table)
        schema = SCHEMAS.get(table)
        if schema is None:
            problems.append(Problem(manifest_label, line, "table",
                                    f"unknown table {table!r} (expected one of {', '.join(SCHEMAS)})"))
            continue
        try:
            effective_from = dt.date.fromisoformat(effective)
        except ValueError:
            problems.append(Problem(manifest_label, line, "effective_from",
                                    f"expected a date YYYY-MM-DD, got {effective!r}"))
            continue
        if (table, effective_from) in seen_dates:
            problems.append(Problem(manifest_label, line, "effective_from",
                f"two versions of {table} on {effective}: rows {seen_dates[(table, effective_from)]} "
                f"and {line}"))
            continue
        seen_dates[(table, effective_from)] = line
        expected_file = f"{table}/{effective}.csv"
        if file != expected_file:
            problems.append(Problem(manifest_label, line, "file",
                                    f"expected {expected_file} (a version is named by its date), got {file!r}"))
            continue
        if not source:
            problems.append(Problem(manifest_label, line, "source",
                                    "expected the contract citation of this version, got nothing"))
        path = root / file
        listed.add(path.resolve())
        if not path.is_file():
            problems.append(Problem(manifest_label, line, "file", f"{file} does not exist"))
            continue
        before = len(problems)
        actual = sha256_of(path)
        if digest != actual:
            problems.append(Problem(manifest_label, line, "sha256",
                f"{file} does not match its recorded hash (expected {digest or 'a hash'}, "
                f"the file has {actual}): the table was edited without updating the manifest"))
        rows = _parse_table(path, str(path), schema, problems)
        if rows is not None and len(problems) == before:
            versions[table].append(TableVersion(table, effective_from, file, actual, source, rows))
        status = "ok" if len(problems) == before else problems[before].message
        entries.append(ManifestEntry(table, effective_from, file, source, status,
                                     None if rows is None else len(rows)))

    for path in sorted(root.glob("*/*.csv")):
        if path.resolve() not in listed:
            problems.append(Problem(str(path), None, None,
                                    "file is not listed in the manifest, so nothing vouches for it"))
    for name in versions:
        if name not in mentioned:
            problems.append(Problem(manifest_label, None, "table",
                                    f"table {name} has no version in the manifest"))
    return TableSet(root, versions, sha256_of(manifest_path), entries), problems


def load_tables(directory: str | os.PathLike | None = None) -> TableSet:
    """Load and verify a tables directory; raise ProblemsError listing every problem."""
    tables, problems = check_tables(directory)
    if problems:
        raise ProblemsError(problems, f"the tables in {resolve_tables_dir(directory)} "
                                      f"cannot be used: {len(problems)} problem(s)")
    assert tables is not None
    return tables
