"""Read a city list in chunks, by extension: CSV, XLSX or Parquet.

Every reader yields pyarrow tables with canonical column names (the header stripped and
lower-cased), so memory stays flat however long the file is. CSV has a fast path that lets
pyarrow parse counts as int64 while it reads; a malformed cell makes that path give up, and the
run starts again on the careful path, which reads text and checks every cell itself.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from pricing.batch.parse import HOURS_TYPE, OPTIONAL, REQUIRED
from pricing.components import COMPONENTS
from pricing.errors import PricingError, Problem, ProblemsError

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".pq": "parquet"}
CSV_BLOCK_BYTES = 16 << 20
ROW_COLUMN = "__row__"     # a reader that knows each row's number in the file adds it


class FastPathFailed(Exception):
    """The typed CSV parse met a cell it could not convert: use the careful path."""


def file_format(path: Path, what: str) -> str:
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise PricingError(f"{path}: cannot tell the {what} format from its extension "
                           f"(expected {', '.join(sorted(FORMATS))})")
    return kind


@dataclass(frozen=True)
class Header:
    """The input's columns: names as given, canonical names, and where they are."""

    given: tuple[str, ...]
    canonical: tuple[str, ...]


def check_header(path: Path, given: list[str]) -> Header:
    """Canonical names; a missing required column or a repeated one is an error."""
    canonical = [str(name or "").strip().lower() for name in given]
    problems = [Problem(str(path), 1, name, "missing column")
                for name in REQUIRED if name not in canonical]
    seen = set()
    for name in canonical:
        if name in seen and name:
            problems.append(Problem(str(path), 1, name, "column appears twice"))
        seen.add(name)
    if problems:
        raise ProblemsError(problems, f"{path}: the city list cannot be priced")
    return Header(tuple(str(g) for g in given), tuple(canonical))


def csv_header(path: Path) -> Header:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        first = next(csv.reader(handle), None)
    if not first:
        raise PricingError(f"{path}: empty file, expected a header row with "
                           f"{', '.join(REQUIRED)}")
    return check_header(path, first)


def read_csv_chunks(path: Path, header: Header, careful: bool,
                    block_bytes: int = CSV_BLOCK_BYTES) -> Iterator[pa.Table]:
    import pyarrow.csv as pcsv

    types = {given: pa.string() for given in header.given}
    if not careful:
        for given, name in zip(header.given, header.canonical):
            if name in COMPONENTS or name == "integration_sites":
                types[given] = pa.int64()
            elif name == "hours":
                types[given] = HOURS_TYPE
    def failed(error: Exception) -> Exception:
        if careful:
            return PricingError(f"{path}: unreadable CSV: {error}")
        return FastPathFailed(str(error))

    try:
        reader = pcsv.open_csv(
            path,
            read_options=pcsv.ReadOptions(block_size=block_bytes,
                                          column_names=list(header.canonical), skip_rows=1),
            parse_options=pcsv.ParseOptions(newlines_in_values=False),
            convert_options=pcsv.ConvertOptions(
                column_types={c: types[g] for g, c in zip(header.given, header.canonical)},
                null_values=[""], strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except pa.ArrowInvalid as error:
        raise failed(error) from None
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as error:
            raise failed(error) from None
        yield pa.Table.from_batches([batch])


def read_parquet_chunks(path: Path, rows: int) -> tuple[Header, int, Iterator[pa.Table]]:
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise PricingError(f"{path}: not a readable Parquet file ({error})") from None
    header = check_header(path, list(source.schema_arrow.names))

    def chunks() -> Iterator[pa.Table]:
        for batch in source.iter_batches(batch_size=rows):
            yield pa.Table.from_batches([batch]).rename_columns(list(header.canonical))

    return header, source.metadata.num_rows, chunks()


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def read_xlsx_chunks(path: Path, rows: int) -> tuple[Header, int, Iterator[pa.Table]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:   # openpyxl raises many kinds for a bad file
        raise PricingError(f"{path}: not a readable XLSX workbook ({error})") from None
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    first = next(lines, None)
    if not first or not any(v is not None for v in first):
        book.close()
        raise PricingError(f"{path}: empty sheet, expected a header row with {', '.join(REQUIRED)}")
    width = max(i + 1 for i, v in enumerate(first) if v is not None)
    header = check_header(path, list(first[:width]))
    total = max((sheet.max_row or 1) - 1, 0)

    def chunks() -> Iterator[pa.Table]:
        buffer: list[list[str]] = []
        numbers: list[int] = []
        try:
            for number, line in enumerate(lines, start=2):
                cells = [_xlsx_text(v) for v in line[:width]]
                if not any(cells):
                    continue            # a blank sheet row is no city, as a blank CSV line
                cells += [""] * (width - len(cells))
                buffer.append(cells)
                numbers.append(number)
                if len(buffer) >= rows:
                    yield _table(buffer, numbers)
                    buffer, numbers = [], []
            if buffer:
                yield _table(buffer, numbers)
        finally:
            book.close()

    def _table(buffer: list[list[str]], numbers: list[int]) -> pa.Table:
        columns = list(zip(*buffer))
        data = {name: pa.array(col, pa.string()) for name, col in zip(header.canonical, columns)}
        data[ROW_COLUMN] = pa.array(numbers, pa.int64())
        return pa.table(data)

    return header, total, chunks()


__all__ = ["FORMATS", "FastPathFailed", "Header", "OPTIONAL", "csv_header", "file_format",
           "read_csv_chunks", "read_parquet_chunks", "read_xlsx_chunks"]
