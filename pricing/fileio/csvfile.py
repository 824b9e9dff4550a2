"""Read the records of a small CSV input file, with every problem named by file, row, column.

One reader for the input files people write by hand (cities, hours, events, orders, purchases,
quotes, levels): headers are matched ignoring case and surrounding spaces, cells are stripped,
blank lines skipped, and a line with the wrong number of cells is a problem of that row.

Hostile input is a problem too, never a traceback or a hang: a path that is not a regular file
(a FIFO would block the open forever, a directory cannot be read) is refused before it is
opened; bytes that are not UTF-8 and cells longer than the csv module's limit are problems of
their row, and the rows after them are still read.
"""

from __future__ import annotations

import csv
import os
import re
import stat
from pathlib import Path

from pricing.errors import PricingError, Problem, ProblemsError

# Characters in one cell of any input: an XLSX cell holds no more, so every output format can
# hold every input cell; a longer one is refused as a problem of its row.
CELL_LIMIT = 32_767

# Bytes that are not UTF-8 are decoded as lone surrogates (errors="surrogateescape"), which
# valid UTF-8 text never holds: a cell holding one came from bytes that are not text.
_NOT_TEXT = re.compile("[\udc80-\udcff]")


def input_file_problem(path: str | os.PathLike) -> str | None:
    """Why `path` cannot be read as an input file, or None when it is a regular file.

    Checked with stat, before any open: opening a FIFO blocks until something writes to it."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "no such file"
    except OSError as error:
        return f"cannot read ({error.strerror})"
    if stat.S_ISDIR(mode):
        return "not a regular file (a directory)"
    if not stat.S_ISREG(mode):
        return "not a regular file (a FIFO, device or socket)"
    return None


def check_input_file(path: str | os.PathLike) -> None:
    """Raise PricingError "PATH: reason" unless `path` is a regular file (see input_file_problem)."""
    problem = input_file_problem(path)
    if problem:
        raise PricingError(f"{path}: {problem}")


def not_text(cells: list[str]) -> bool:
    """Whether any cell came from bytes that are not UTF-8 (read with surrogateescape)."""
    return any(_NOT_TEXT.search(cell) for cell in cells)


CONVERT_SEMICOLONS = ("python3 -c \"import csv,sys; csv.writer(sys.stdout).writerows("
                      "csv.reader(sys.stdin, delimiter=';'))\" < IN.csv > OUT.csv")


def semicolon_separated(header: list[str]) -> str | None:
    """Why a header read as one cell is a semicolon-separated file (as Excel writes CSV where
    the comma is the decimal separator), and how to convert it; None for any other header."""
    if len(header) != 1 or header[0].count(";") < 1:
        return None
    return (f"the header has semicolons and no commas: the file looks semicolon-separated (a "
            f"European Excel export). Save it from Excel as 'CSV UTF-8 (Comma delimited)', or "
            f"convert it: {CONVERT_SEMICOLONS}")


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
    refused = input_file_problem(path)
    if refused:
        problems.append(Problem(label, None, None, refused))
        return []
    try:
        handle = path.open(newline="", encoding="utf-8-sig", errors="surrogateescape")
    except OSError as error:
        problems.append(Problem(label, None, None, f"cannot read ({error.strerror})"))
        return []
    with handle:
        lines = _Lines(handle)
        reader = csv.reader(lines)
        top = 1                                 # the header's row: 1 unless blank lines come first
        try:
            header = next(reader, None)
            while header is not None and not any(cell.strip() for cell in header):
                lines.recent, top = [], reader.line_num + 1       # a blank line is skipped
                header = next(reader, None)
        except csv.Error as error:
            problems.append(Problem(label, reader.line_num, None,
                                    f"unreadable CSV header: {_csv_error(error)}"))
            return []
        if _ends_in_a_quote(lines.recent):       # the header swallowed the file
            problems.append(Problem(label, top, None, "the file ends inside a quoted cell of the "
                                                    "header: a quote is never closed, or the "
                                                    "file was cut short"))
            return []
        if not header:
            problems.append(Problem(label, None, None, f"empty file: expected a header with "
                                                       f"{', '.join(required)}"))
            return []
        if not_text(header):
            problems.append(Problem(label, top, None, "the header is not UTF-8 text"))
            return []
        names = [h.strip().lower() for h in header]
        missing = [c for c in required if c not in names]
        semicolons = semicolon_separated(header) if missing else None
        if semicolons:
            problems.append(Problem(label, top, None, semicolons))
            return []
        for column in missing:
            problems.append(Problem(label, top, column, "missing column"))
        twice = sorted({n for n in names if n and names.count(n) > 1})
        for column in twice:                  # which of the two would count is anyone's guess
            problems.append(Problem(label, top, column, "the column appears twice"))
        if twice:
            return []
        if optional is not None:
            allowed = required + optional
            for column in names:
                if column not in allowed:
                    problems.append(Problem(label, top, column, f"unknown column (expected "
                                                              f"{', '.join(allowed)})"))
        if missing:
            return []
        records = []
        last = None                           # the last record: its lines, row, what it added
        while True:
            lines.recent = []
            started = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as error:        # the reader goes on with the next line
                problems.append(Problem(label, reader.line_num, None,
                                        f"unreadable CSV: {_csv_error(error)}"))
                continue
            last = (lines.recent, started, len(records), len(problems))
            if not any(c.strip() for c in cells):
                continue
            if not_text(cells):
                problems.append(Problem(label, reader.line_num, None, "not UTF-8 text"))
                continue
            if len(cells) != len(names):
                problems.append(Problem(label, reader.line_num, None,
                                        f"expected {len(names)} cells, got {len(cells)}"))
                continue
            records.append((reader.line_num, {n: c.strip() for n, c in zip(names, cells)}))
        if last is not None and _ends_in_a_quote(last[0]):   # it swallowed the lines after it
            recent, started, kept, said = last
            del records[kept:], problems[said:]
            problems.append(Problem(label, started, None, "the file ends inside a quoted cell "
                                                          "opened on this row: a quote is never "
                                                          "closed, or the file was cut short"))
        return records


class _Lines:
    """The file's lines as the csv reader takes them, keeping those of the record being read:
    the reader (not strict, so that a stray quote inside a cell is read as text) ends a quoted
    cell left open at the end of the file without a word, swallowing every line after it."""

    def __init__(self, handle):
        self.handle, self.recent = handle, []

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = next(self.handle)
        self.recent.append(line)
        return line


def _ends_in_a_quote(record_lines: list[str]) -> bool:
    """Whether a record's lines end inside a quoted cell, read as the csv module (not strict,
    with its default dialect) reads them: a quote opens a quoted cell only at a cell's start,
    two quotes inside one are a quote, and what follows a closing quote is text up to the
    next comma. (A strict reader cannot say it: it stops at the first stray quote.)"""
    quoted = closing = False                # closing: a quote just seen inside a quoted cell
    at_start = True
    for char in "".join(record_lines):
        if quoted:
            if closing:
                closing = False
                if char != '"':             # it closed the cell; "" is a quote, read on
                    quoted = False
                    at_start = char in ",\r\n"
            elif char == '"':
                closing = True
        elif at_start and char == '"':
            quoted, at_start = True, False
        else:
            at_start = char in ",\r\n"
    return quoted and not closing


def _csv_error(error: csv.Error) -> str:
    text = str(error)
    if text.startswith("field larger than field limit"):
        return f"a cell longer than {csv.field_size_limit():,} characters"
    return text
