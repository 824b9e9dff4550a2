"""Read a city list in chunks, by extension: CSV, XLSX or Parquet.

Every reader yields `RawChunk`s: a pyarrow table with canonical column names (the header
stripped and lower-cased), each row's number in the file (the header is row 1), and the rows
the reader itself had to reject (a CSV line with the wrong number of cells). Memory holds a
chunk at a time, however long the file is.

CSV is cut into blocks at line ends here, and each block parsed by pyarrow's multi-threaded
read_csv with counts typed as int64 and hours as decimal128. A block with a cell that will not
convert, a line with the wrong number of cells, or a blank line (which would shift the row
numbers) is parsed again on the careful path: Python's csv module, text cells, exact numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from pricing.batch.parse import HOURS_TYPE, REQUIRED
from pricing.components import COMPONENTS
from pricing.errors import PricingError, Problem, ProblemsError

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".pq": "parquet"}
CSV_BLOCK_BYTES = 4_800_000


@dataclass
class RawChunk:
    """A chunk as read.

    Attributes:
      table: the rows, columns named canonically.
      rows: each row's number in the file (header = row 1).
      rejects: (row, city, reason) of lines the reader could not make a row of.
    """

    table: pa.Table
    rows: np.ndarray
    rejects: list[tuple[int, str, str]] = field(default_factory=list)


def file_format(path: Path, what: str) -> str:
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise PricingError(f"{path}: cannot tell the {what} format from its extension "
                           f"(expected {', '.join(sorted(FORMATS))})")
    return kind


@dataclass(frozen=True)
class Header:
    """The input's columns: names as given and canonical names, in file order."""

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
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            first = next(csv.reader(handle), None)
    except UnicodeDecodeError:
        raise PricingError(f"{path}, row 1: the header is not UTF-8 text") from None
    if not first:
        raise PricingError(f"{path}: empty file, expected a header row with "
                           f"{', '.join(REQUIRED)}")
    return check_header(path, first)


def _line_blocks(path: Path, block_bytes: int) -> Iterator[tuple[int, bytes]]:
    """(first line number, block) for the file after its header, in blocks of about
    block_bytes cut at line ends (cells may not hold newlines)."""
    with path.open("rb") as handle:
        handle.readline()
        line = 2
        leftover = b""
        while True:
            data = handle.read(block_bytes)
            if not data:
                if leftover:
                    yield line, leftover if leftover.endswith(b"\n") else leftover + b"\n"
                return
            data = leftover + data
            cut = data.rfind(b"\n")
            if cut < 0:
                leftover = data
                continue
            leftover = data[cut + 1:]
            block = data[: cut + 1]
            yield line, block
            line += block.count(b"\n")


def _careful_block(block: bytes, first_line: int, header: Header) -> RawChunk:
    """Parse a block line by line: text cells, exact row numbers, malformed lines rejected."""
    text = block.decode("utf-8", errors="replace")
    width = len(header.canonical)
    cells: list[list[str]] = []
    numbers: list[int] = []
    rejects: list[tuple[int, str, str]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    line_before = 0
    for record in reader:
        row = first_line + line_before
        line_before = reader.line_num
        if not record or not any(c.strip() for c in record):
            continue
        if any("\ufffd" in c for c in record):
            rejects.append((row, record[0], "not UTF-8 text"))
        elif len(record) != width:
            rejects.append((row, record[0], f"expected {width} cells, got {len(record)}"))
        else:
            cells.append(record)
            numbers.append(row)
    columns = list(zip(*cells)) if cells else [()] * width
    table = pa.Table.from_arrays([pa.array(list(c), pa.string()) for c in columns],
                                 names=list(header.canonical))
    return RawChunk(table, np.array(numbers, dtype=np.int64), rejects)


def read_csv_chunks(path: Path, header: Header,
                    block_bytes: int = CSV_BLOCK_BYTES) -> Iterator[RawChunk]:
    """Chunks of a CSV file. Memory holds one block (pyarrow's own streaming reader read
    about 25 blocks ahead, 119 MiB on a 5M-row file, measured)."""
    import pyarrow.csv as pcsv

    types = {}
    for name in header.canonical:
        if name in COMPONENTS or name == "integration_sites":
            types[name] = pa.int64()
        elif name == "hours":
            types[name] = HOURS_TYPE
        else:
            types[name] = pa.string()
    read_options = pcsv.ReadOptions(column_names=list(header.canonical))
    parse_options = pcsv.ParseOptions(newlines_in_values=False)
    convert_options = pcsv.ConvertOptions(column_types=types, null_values=[""],
                                          strings_can_be_null=False,
                                          quoted_strings_can_be_null=False)
    for first_line, block in _line_blocks(path, block_bytes):
        lines = block.count(b"\n")
        if block.startswith((b"\n", b"\r\n")) or b"\n\n" in block or b"\n\r\n" in block:
            yield _careful_block(block, first_line, header)
            continue
        try:
            table = pcsv.read_csv(pa.BufferReader(block), read_options=read_options,
                                  parse_options=parse_options, convert_options=convert_options)
        except (pa.ArrowInvalid, UnicodeDecodeError):
            yield _careful_block(block, first_line, header)
            continue
        if table.num_rows != lines:        # a line pyarrow read differently: be careful
            yield _careful_block(block, first_line, header)
            continue
        yield RawChunk(table, np.arange(first_line, first_line + lines, dtype=np.int64))


def read_parquet_chunks(path: Path, rows: int) -> tuple[Header, int, Iterator[RawChunk]]:
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise PricingError(f"{path}: not a readable Parquet file ({error})") from None
    header = check_header(path, list(source.schema_arrow.names))

    def chunks() -> Iterator[RawChunk]:
        row = 2
        for batch in source.iter_batches(batch_size=rows):
            table = pa.Table.from_batches([batch]).rename_columns(list(header.canonical))
            yield RawChunk(table, np.arange(row, row + table.num_rows, dtype=np.int64))
            row += table.num_rows

    return header, source.metadata.num_rows, chunks()


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def read_xlsx_chunks(path: Path, rows: int) -> tuple[Header, int, Iterator[RawChunk]]:
    """The first sheet, row 1 the header; wholly blank sheet rows are skipped (their
    numbers are kept, so rejects name the sheet row)."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:   # openpyxl raises many kinds for a file it cannot read
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

    def chunk(buffer: list[list[str]], numbers: list[int]) -> RawChunk:
        columns = list(zip(*buffer))
        return RawChunk(pa.Table.from_arrays([pa.array(list(c), pa.string()) for c in columns],
                                             names=list(header.canonical)),
                        np.array(numbers, dtype=np.int64))

    def chunks() -> Iterator[RawChunk]:
        buffer: list[list[str]] = []
        numbers: list[int] = []
        try:
            for number, line in enumerate(lines, start=2):
                cells = [_xlsx_text(v) for v in line[:width]]
                if not any(cells):
                    continue
                buffer.append(cells + [""] * (width - len(cells)))
                numbers.append(number)
                if len(buffer) >= rows:
                    yield chunk(buffer, numbers)
                    buffer, numbers = [], []
            if buffer:
                yield chunk(buffer, numbers)
        finally:
            book.close()

    return header, total, chunks()
