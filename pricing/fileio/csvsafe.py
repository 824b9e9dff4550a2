"""No formula reaches a CSV: the one rule every CSV writer applies to text cells.

Why: spreadsheet applications (Excel, LibreOffice Calc, Google Sheets) run a cell that starts
with `=`, `+`, `-` or `@` as a formula, and treat a leading tab or carriage return the same way
after trimming. A city name or a pass-through column such as `=HYPERLINK("http://...")` would
then run on the analyst's machine when the CSV is opened ("CSV injection", OWASP). Such a cell
gets a leading apostrophe, which spreadsheets read as "this is text" (OWASP's recommendation).

Only text is neutralised. Values the program computed (counts, Decimals, dates, and money
written as decimal text such as "-5.00") are written as they are: a negative amount is a
number, not a formula. Writers decide by the type of the column or the value, never by
reading the text.

The rule in three forms: `neutralise` for one string, `neutralise_cell` (with `is_text`) for a
value of a row about to be written, and `neutralise_column` for a whole pyarrow text column
(the batch writes a million rows at close to I/O speed, so it must not go cell by cell in
Python). `Writer` is the csv module's writer with the one fix these files need (see there).
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import cache
from numbers import Number
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralise(text: str) -> str:
    """`text` with a leading apostrophe when a spreadsheet would run it as a formula."""
    return QUOTE + text if text.startswith(FORMULA_STARTS) else text


def is_text(value: Any) -> bool:
    """Whether a cell value is text to neutralise: anything but a number (int, Decimal,
    float), a date or a time (the program's own values) and None (an empty cell)."""
    return not (value is None or isinstance(value, (Number, dt.date, dt.time)))


def neutralise_cell(value: Any) -> Any:
    """A cell of a row about to be written: text neutralised, any other value as it is."""
    return neutralise(str(value)) if is_text(value) else value


def neutralise_column(column):
    """`neutralise` over a pyarrow string (or large_string) array, vectorised.

    The test reads each cell's first byte straight from the array's buffers (every character
    of FORMULA_STARTS is one byte in UTF-8 and no other character's first byte equals one of
    them), so a clean column - the usual case - costs one numpy lookup and is returned as is.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from pricing.fileio.arrow import as_array, nulls

    column = as_array(column)
    if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        raise TypeError(f"expected a text column, got {column.type}")
    n = len(column)
    _, offsets_buffer, data_buffer = column.buffers()
    if n == 0 or data_buffer is None or data_buffer.size == 0:
        return column
    width = np.int64 if pa.types.is_large_string(column.type) else np.int32
    offsets = np.frombuffer(offsets_buffer, dtype=width)[column.offset: column.offset + n + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8)
    starts, ends = offsets[:-1], offsets[1:]
    risky = _risky_bytes()[data[np.minimum(starts, len(data) - 1)]] & (ends > starts)
    if column.null_count:
        risky &= ~nulls(column)
    if not risky.any():
        return column
    flags = pa.Array.from_buffers(pa.bool_(), n,
                                  [None, pa.py_buffer(np.packbits(risky, bitorder="little"))])
    quote, empty = pa.scalar(QUOTE, column.type), pa.scalar("", column.type)
    return pc.if_else(flags, pc.binary_join_element_wise(quote, column, empty), column)


class Writer:
    """`csv.writer` as every CSV here is written ("\\n" line ends, minimal quoting), except
    that a row with a carriage return in any cell has every cell quoted.

    Why: with "\\n" line ends Python's csv module leaves a lone CR unquoted, and a spreadsheet
    (and csv.reader) starts a new row there, so "a\\r=cmd()" would put a live formula at the
    start of a cell. pyarrow's writer quotes every string and needs no such care.
    """

    def __init__(self, handle) -> None:
        self._minimal = csv.writer(handle, lineterminator="\n")
        self._quoted = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)

    def writerow(self, row) -> None:
        row = list(row)
        carriage = any(isinstance(v, str) and "\r" in v for v in row)
        (self._quoted if carriage else self._minimal).writerow(row)

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


@cache
def _risky_bytes():
    """256 flags, True at the byte values of FORMULA_STARTS."""
    import numpy as np

    table = np.zeros(256, dtype=bool)
    table[[ord(c) for c in FORMULA_STARTS]] = True
    return table
