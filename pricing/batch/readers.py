"""Read a city list in chunks, by extension: CSV, XLSX or Parquet.

Every reader yields `RawChunk`s: a pyarrow table with canonical column names (the header
stripped and lower-cased), each row's number in the file (the header is row 1), and the rows
the reader itself had to reject (a CSV line with the wrong number of cells). Memory holds a
chunk at a time, however long the file is.

CSV is cut into blocks at line ends here, and each block parsed by pyarrow's multi-threaded
read_csv with counts typed as int64 and hours as text checked in numpy (parse.typed_hours). A
block with a count that will not convert, or that may be written in hexadecimal (pyarrow reads
"0x1F" as 31), is read again with every column as text, which parse.py checks. A block with a
line of the wrong number of cells, a blank line (which would shift the row numbers) or bytes
that are not UTF-8 is parsed again on the careful path: Python's csv module, text cells.

Hostile files give messages, not tracebacks or hangs: the run refuses a path that is not a
regular file before opening it (csvfile.check_input_file); a header longer than HEADER_BYTES, a
Parquet column that is not numbers or text, and a workbook or Parquet file that breaks while
being read are errors naming the file; a line longer than LINE_LIMIT is rejected unread.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from pricing.batch.parse import ADDED, REQUIRED, typed_hours
from pricing.rules.components import COMPONENTS
from pricing.errors import PricingError, Problem, ProblemsError

FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet", ".pq": "parquet"}
CSV_BLOCK_BYTES = 4_800_000
HEADER_BYTES = 1 << 20        # a header line longer than 1 MiB is not a city list's header
LINE_LIMIT = 1 << 24          # a line longer than 16 MiB is rejected without being held


@dataclass
class RawChunk:
    """A chunk as read.

    Attributes:
      table: the rows, columns named canonically.
      rows: each row's number in the file (header = row 1).
      rejects: (row, city, reason) of lines the reader could not make a row of.
      position: how far into the file this chunk ends, in bytes (CSV only; 0 otherwise).
    """

    table: pa.Table
    rows: np.ndarray
    rejects: list[tuple[int, str, str]] = field(default_factory=list)
    position: int = 0      # bytes of a CSV file read up to this chunk's end (for progress)


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


def output_clashes(source: str, row: int | None, given: list) -> list[Problem]:
    """An input column named like a column the batch adds (level, annual_price, ..., total;
    compared stripped and lower-cased) would give the output two columns of that name, or
    overwrite the user's: each is a problem naming the column as given."""
    return [Problem(source, row, str(name).strip(),
                    f"clashes with the output column {key!r} the batch adds "
                    f"(it adds {', '.join(ADDED)}); rename or remove the column")
            for name in given if (key := str(name or "").strip().lower()) in ADDED]


def check_header(path: Path, given: list[str]) -> Header:
    """Canonical names; a missing required column, a repeated one or one named like an output
    column is an error."""
    from pricing.fileio.csvfile import semicolon_separated

    canonical = [str(name or "").strip().lower() for name in given]
    problems = [Problem(str(path), 1, name, "missing column")
                for name in REQUIRED if name not in canonical]
    semicolons = semicolon_separated([str(g) for g in given]) if problems else None
    if semicolons:
        raise PricingError(f"{path}, row 1: {semicolons}")
    problems += output_clashes(str(path), 1, given)
    seen = set()
    for name in canonical:
        if name in seen and name:
            problems.append(Problem(str(path), 1, name, "column appears twice"))
        seen.add(name)
    if problems:
        raise ProblemsError(problems, f"{path}: the city list cannot be priced")
    return Header(tuple(str(g) for g in given), tuple(canonical))


def csv_header(path: Path) -> Header:
    """The header: the file's first line (the blocks after it are cut by line too)."""
    with path.open("rb") as handle:
        line = handle.readline(HEADER_BYTES + 1)
    if len(line) > HEADER_BYTES:
        raise PricingError(f"{path}, row 1: expected a header of at most {HEADER_BYTES:,} "
                           f"bytes, got a longer line")
    try:
        first = next(csv.reader([line.decode("utf-8-sig")]), None)
    except UnicodeDecodeError:
        raise PricingError(f"{path}, row 1: the header is not UTF-8 text") from None
    except csv.Error as error:
        raise PricingError(f"{path}, row 1: unreadable header ({error})") from None
    if not first:
        raise PricingError(f"{path}: empty file, expected a header row with "
                           f"{', '.join(REQUIRED)}")
    return check_header(path, first)


def _line_blocks(path: Path, block_bytes: int) -> Iterator[tuple[int, bytes | None, int]]:
    """(first line number, block, bytes read to the block's end) for the file after its
    header, in blocks of about block_bytes cut at line ends (cells may not hold newlines). A
    line still unfinished after LINE_LIMIT bytes is skipped unread and yielded as (its number,
    None, position)."""
    with path.open("rb") as handle:
        handle.readline()
        line = 2
        leftover = b""
        while True:
            data = handle.read(block_bytes)
            if not data:
                if leftover:
                    yield (line, leftover if leftover.endswith(b"\n") else leftover + b"\n",
                           handle.tell())
                return
            data = leftover + data
            cut = data.rfind(b"\n")
            if cut < 0:
                if len(data) > LINE_LIMIT:
                    yield line, None, handle.tell()
                    line += 1
                    leftover = _after_line(handle, block_bytes)
                else:
                    leftover = data
                continue
            leftover = data[cut + 1:]
            block = data[: cut + 1]
            yield line, block, handle.tell() - len(leftover)
            line += block.count(b"\n")


def _after_line(handle, block_bytes: int) -> bytes:
    """Read past the end of the current line; the bytes read after it."""
    while True:
        data = handle.read(block_bytes)
        if not data:
            return b""
        cut = data.find(b"\n")
        if cut >= 0:
            return data[cut + 1:]


def _careful_block(block: bytes, first_line: int, header: Header) -> RawChunk:
    """Parse a block line by line: text cells, exact row numbers, malformed lines rejected."""
    text = block.decode("utf-8", errors="replace")
    width = len(header.canonical)
    cells: list[list[str]] = []
    numbers: list[int] = []
    rejects: list[tuple[int, str, str]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    line_before = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:          # the reader goes on with the next line
            rejects.append((first_line + line_before, "", _csv_error(error)))
            line_before = reader.line_num
            continue
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


def _csv_error(error: csv.Error) -> str:
    text = str(error)
    if text.startswith("field larger than field limit"):
        return f"a cell longer than {csv.field_size_limit():,} characters"
    return f"unreadable CSV ({text})"


def _empty(header: Header) -> pa.Table:
    return pa.Table.from_arrays([pa.array([], pa.string()) for _ in header.canonical],
                                names=list(header.canonical))


def read_csv_chunks(path: Path, header: Header,
                    block_bytes: int = CSV_BLOCK_BYTES) -> Iterator[RawChunk]:
    """Chunks of a CSV file. Memory holds one block (pyarrow's own streaming reader read
    about 25 blocks ahead, 119 MiB on a 5M-row file, measured)."""
    import pyarrow.csv as pcsv

    typed = pa.schema([(name, pa.int64() if name in COMPONENTS or name == "integration_sites"
                            else pa.string()) for name in header.canonical])
    text = pa.schema([(name, pa.string()) for name in header.canonical])
    read_options = pcsv.ReadOptions(column_names=list(header.canonical))
    parse_options = pcsv.ParseOptions(newlines_in_values=False)
    convert = {kind: pcsv.ConvertOptions(column_types=kind, null_values=[""],
                                         strings_can_be_null=False,
                                         quoted_strings_can_be_null=False)
               for kind in (typed, text)}
    options = (read_options, parse_options, convert, typed, text)
    for first_line, block, position in _line_blocks(path, block_bytes):
        chunk = _block_chunk(block, first_line, header, options)
        chunk.position = position
        yield chunk


def _block_chunk(block: bytes | None, first_line: int, header: Header, options) -> RawChunk:
    """The chunk of one block of lines (see read_csv_chunks)."""
    import pyarrow.csv as pcsv

    read_options, parse_options, convert, typed, text = options
    if block is None:
        return RawChunk(_empty(header), np.zeros(0, dtype=np.int64), [(
            first_line, "", f"expected a line of at most {LINE_LIMIT:,} bytes, got a "
                            f"longer one (not read)")])
    lines = block.count(b"\n")
    if block.startswith((b"\n", b"\r\n")) or b"\n\n" in block or b"\n\r\n" in block:
        return _careful_block(block, first_line, header)
    # pyarrow reads "0x1F" as the integer 31: a block that may hold one is read as text.
    # (Searching for one byte first is memchr-fast; most files hold no x at all.)
    hexadecimal = ((b"x" in block or b"X" in block) and (b"0x" in block or b"0X" in block))
    table = None
    for kind in ((text,) if hexadecimal else (typed, text)):
        try:
            table = pcsv.read_csv(pa.BufferReader(block), read_options=read_options,
                                  parse_options=parse_options, convert_options=convert[kind])
            break
        except (pa.ArrowInvalid, UnicodeDecodeError):
            continue
    if table is None or table.num_rows != lines:    # malformed lines: be careful
        return _careful_block(block, first_line, header)
    if "hours" in table.column_names:
        index = table.column_names.index("hours")
        table = table.set_column(index, "hours", typed_hours(table.column(index)))
    return RawChunk(table, np.arange(first_line, first_line + lines, dtype=np.int64))


def read_parquet_chunks(path: Path, rows: int) -> tuple[Header, int, Iterator[RawChunk]]:
    import pyarrow.parquet as pq

    try:
        source = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise PricingError(f"{path}: not a readable Parquet file ({error})") from None
    header = check_header(path, list(source.schema_arrow.names))
    kinds = [Problem(str(path), 1, name, f"expected a column of numbers or text, got {kind}")
             for name, kind in zip(source.schema_arrow.names, source.schema_arrow.types)
             if not _plain_type(kind)]
    if kinds:
        raise ProblemsError(kinds, f"{path}: the city list cannot be priced")

    def chunks() -> Iterator[RawChunk]:
        row = 2
        try:
            for batch in source.iter_batches(batch_size=rows):
                table = pa.Table.from_batches([batch]).rename_columns(list(header.canonical))
                yield RawChunk(table, np.arange(row, row + table.num_rows, dtype=np.int64))
                row += table.num_rows
        except (pa.ArrowException, OSError) as error:
            raise PricingError(f"{path}: not a readable Parquet file ({error})") from None

    return header, source.metadata.num_rows, chunks()


def _plain_type(kind: pa.DataType) -> bool:
    """A Parquet column type batch reads: numbers, text, dates, booleans (every one casts to
    text); not binary, lists, structs or maps."""
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    return (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind)
            or pa.types.is_string(kind) or pa.types.is_large_string(kind)
            or pa.types.is_boolean(kind) or pa.types.is_temporal(kind) or pa.types.is_null(kind))


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
    if not book.worksheets:
        book.close()
        raise PricingError(f"{path}: the workbook has no worksheet")
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    try:
        first = next(lines, None)
    except Exception as error:   # a sheet that breaks while it is read
        book.close()
        raise PricingError(f"{path}: not a readable XLSX workbook ({error})") from None
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
        except Exception as error:   # openpyxl raises many kinds for a sheet it cannot read
            raise PricingError(f"{path}: not a readable XLSX workbook ({error})") from None
        finally:
            book.close()

    return header, total, chunks()
