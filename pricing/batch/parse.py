"""Turn one chunk of a city list into checked integer arrays, and say why each bad row is bad.

A chunk arrives as a pyarrow table whose columns may already be typed (the fast CSV path reads
counts as int64 and hours as decimal128) or may be text (XLSX, or CSV with a malformed cell).
Either way every check is vectorized; Python touches only the rejected rows, to word their
reasons.

The values accepted are those of pricing.values, the one parser of every kind of value: counts
are ASCII digits below values.COUNT_LIMIT, hours below values.HOURS_LIMIT with at most four
places, and a rejected cell's reason is that parser's own message, bound included. No cell may
be longer than CELL_LIMIT characters (a spreadsheet cell's limit, so every output format can
hold every cell). The bounds also keep the int64 arithmetic far from overflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pricing.fileio.arrow import as_array, decimal_unscaled, int64_values, mask, nulls
from pricing.batch.rules import HOURS_SCALE
from pricing.rules.components import COMPONENTS
from pricing.fileio.csvfile import CELL_LIMIT
from pricing.rules.integration import SITES_LIMIT
from pricing.city_key import name_problem
from pricing.values import COUNT_LIMIT, HOURS_LIMIT, parse_count, parse_hours, shown

REQUIRED = ("city",) + COMPONENTS
OPTIONAL = ("hours", "integration_sites")
ADDED = ("level", "annual_price", "hours_charge", "integration_charge", "total")
HOURS_PLACES = 4
HOURS_TYPE = pa.decimal128(18, HOURS_PLACES)   # how hours are carried and written
HOURS_SCALED_LIMIT = int(HOURS_LIMIT) * HOURS_SCALE
_WHITE = " \t\r\n"            # what values' parsers strip around a value
_COUNT_TEXT = r"^[0-9]{1,12}$"                 # values.parse_count's form (12 digits fit int64)
_HOURS_TEXT = r"^[0-9]{1,13}(\.[0-9]{1,4})?$"  # the common form of hours, converted vectorized
# The longest plain hours a cell may hold: every digit below HOURS_LIMIT, a point, the places.
# Longer plain digits would overflow pyarrow's decimal cast, which wraps instead of failing.
_HOURS_TEXT_MAX = len(str(HOURS_LIMIT - 1)) + 1 + HOURS_PLACES


@dataclass
class ParsedChunk:
    """A chunk's values and its rejects.

    Attributes:
      counts: {component: int64 array} (0 where the cell is bad).
      hours_scaled: hours in ten-thousandths, int64.
      sites: integration sites, int64.
      bad: True for rows that must not be priced.
      reasons: {row index in chunk: [reason, ...]} for the bad rows.
    """

    counts: dict[str, np.ndarray]
    hours_scaled: np.ndarray
    sites: np.ndarray
    bad: np.ndarray
    reasons: dict[int, list[str]] = field(default_factory=dict)

    def reject(self, mask: np.ndarray, reason_of) -> None:
        """Mark rows bad and record a reason for each (reason_of(index) -> str)."""
        for index in np.flatnonzero(mask):
            self.reasons.setdefault(int(index), []).append(reason_of(int(index)))
        self.bad |= mask


def _cell(column: pa.ChunkedArray | pa.Array, index: int) -> str:
    value = column[index].as_py()
    return "" if value is None else str(value)


def _reason(parse, text: str) -> str:
    """The values parser's message for a rejected cell."""
    try:
        parse(text)
    except ValueError as error:
        return str(error)
    return f"expected a canonical value, got {shown(text)}"    # pragma: no cover


def _text(column: pa.Array) -> pa.Array:
    """A column as text, stripped as values' parsers strip; null as ""."""
    text = column if pa.types.is_string(column.type) else column.cast(pa.string())
    text = pc.utf8_trim(text, _WHITE)
    return pc.if_else(pc.is_null(text), "", text) if text.null_count else text


def _integers(column: pa.Array, below: int) -> tuple[np.ndarray, np.ndarray]:
    """(int64 values, out of range) of an integer column of any width or sign; the values out
    of 0 <= v < below read as 0 (so a uint64 beyond int64 never wraps round)."""
    if pa.types.is_unsigned_integer(column.type):
        wide = column.cast(pa.uint64())
        raw = np.frombuffer(wide.buffers()[1], dtype=np.uint64)[
            wide.offset: wide.offset + len(wide)]
        out = raw >= np.uint64(below)
        return np.where(out, 0, raw).astype(np.int64), out
    values = int64_values(column)                 # a signed integer always fits int64
    return values, (values < 0) | (values >= below)


def _whole_numbers(column: pa.Array, below: int, blank_is_zero: bool = False
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(values, bad) for a column of whole numbers 0 <= v < below, typed or text."""
    if pa.types.is_integer(column.type):
        values, bad = _integers(column, below)
        missing = nulls(column)
        if missing.any():
            bad = (bad & ~missing) if blank_is_zero else (bad | missing)
            values = np.where(missing, 0, values)
        return np.where(bad, 0, values), bad
    text = _text(column)
    if blank_is_zero:
        text = pc.if_else(pc.equal(text, ""), "0", text)
    ok = pc.match_substring_regex(text, _COUNT_TEXT)
    values = int64_values(pc.cast(pc.if_else(ok, text, "0"), pa.int64()))
    bad = ~mask(ok) | (values >= below)
    return np.where(bad, 0, values), bad


def _hours(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(hours in ten-thousandths, bad) for a column of decimal hours; blank is zero.

    Text in the common form (digits, a point and up to four places) is converted vectorized;
    any other cell goes through values.parse_hours one by one, so batch accepts exactly what
    the rest of the tool accepts ("1,250.5" included, "1e3", "+5" and "5." not)."""
    kind = column.type
    if pa.types.is_decimal128(kind) and kind.precision <= 18 and kind.scale <= HOURS_PLACES:
        scaled = decimal_unscaled(column) * 10 ** (HOURS_PLACES - kind.scale)
        bad = (scaled < 0) | (scaled >= HOURS_SCALED_LIMIT)
        return np.where(bad, 0, scaled), bad
    if pa.types.is_integer(kind):
        values, bad = _whole_numbers(column, int(HOURS_LIMIT), blank_is_zero=True)
        return values * HOURS_SCALE, bad
    text = _text(column)
    common = pc.match_substring_regex(text, _HOURS_TEXT)
    ok, blank = mask(common), mask(pc.equal(text, ""))
    cleaned = text if ok.all() else pc.if_else(common, text, "0")
    scaled = decimal_unscaled(pc.cast(cleaned, HOURS_TYPE)).copy()
    bad = ~ok & ~blank | (scaled >= HOURS_SCALED_LIMIT)
    for index in np.flatnonzero(~ok & ~blank):       # unusual spellings: the scalar parser
        try:
            hours = parse_hours(text[int(index)].as_py())
        except ValueError:
            continue
        scaled[index] = int(hours * HOURS_SCALE)
        bad[index] = False
    return np.where(bad, 0, scaled), bad


_POINT, _SLASH, _NINE = b"./9"      # "." and "/" precede the digits in ASCII


def typed_hours(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Hours read as text, as HOURS_TYPE when every cell is plainly written (ASCII digits, at
    most one point, not first nor last; a blank is null), else the text unchanged for
    parse_chunk to check cell by cell.

    Why not let pyarrow's CSV reader convert hours: it also reads "1e2" as 100, and "+5", "5."
    and ".5"; the tool's one hours parser refuses them. The bytes are checked in numpy (a few
    milliseconds a million rows), the conversion is pyarrow's."""
    column = as_array(column)
    if not pa.types.is_string(column.type) or column.null_count or len(column) == 0:
        return column
    _, offset_buffer, data_buffer = column.buffers()
    offsets = np.frombuffer(offset_buffer, dtype=np.int32)[
        column.offset: column.offset + len(column) + 1]
    start, end = int(offsets[0]), int(offsets[-1])
    data = (np.frombuffer(data_buffer, dtype=np.uint8)[start:end] if end > start
            else np.zeros(0, dtype=np.uint8))
    if len(data) and (data.min() < _POINT or data.max() > _NINE or (data == _SLASH).any()):
        return column                # a byte other than a digit or a point
    lengths = np.diff(offsets)
    if len(lengths) and lengths.max() > _HOURS_TEXT_MAX:
        return column                # too long to be valid: the text path refuses it as typed
    filled = lengths > 0
    firsts = data[offsets[:-1][filled] - start]
    lasts = data[offsets[1:][filled] - start - 1]
    if (firsts == _POINT).any() or (lasts == _POINT).any():
        return column
    source = column
    if not filled.all():
        validity = np.packbits(np.concatenate([np.ones(column.offset, bool), filled]),
                               bitorder="little")
        source = pa.Array.from_buffers(pa.string(), len(column),
                                       [pa.py_buffer(validity), offset_buffer, data_buffer],
                                       offset=column.offset)
    try:
        return pc.cast(source, HOURS_TYPE)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return column                # too many places or digits: the text path says which


def _long_cells(column: pa.Array) -> np.ndarray:
    """True where a text cell is longer than CELL_LIMIT characters (UTF-8 bytes are an upper
    bound on characters, so only the rows flagged by bytes are measured in characters)."""
    if not pa.types.is_string(column.type) or len(column) == 0:
        return np.zeros(len(column), dtype=bool)
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32)[
        column.offset: column.offset + len(column) + 1]
    long = np.diff(offsets) > CELL_LIMIT
    for index in np.flatnonzero(long):
        long[index] = len(column[int(index)].as_py() or "") > CELL_LIMIT
    return long


def _odd_names(city: pa.Array) -> np.ndarray:
    """True where a name cannot be a city key (pricing.city_key.name_problem): an ASCII name
    with a control character is found by a regular expression; a name with any other
    character is checked one by one (invisible characters, odd spaces, mixed scripts)."""
    odd = mask(pc.match_substring_regex(city, "[\\x00-\\x1f\\x7f]"))
    other = ~mask(pc.string_is_ascii(city)) & ~nulls(city)
    for index in np.flatnonzero(other):
        odd[index] = name_problem(city[int(index)].as_py()) is not None
    return odd


def parse_chunk(table: pa.Table) -> ParsedChunk:
    """Check and convert one chunk; columns are the canonical names (see REQUIRED)."""
    n = table.num_rows
    chunk = ParsedChunk({}, np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, bool))
    city = as_array(table.column("city"))
    if not pa.types.is_string(city.type):
        city = city.cast(pa.string())
    blank = nulls(city) | (np.where(nulls(city), 0, int64_values(pc.binary_length(city))) == 0)
    if city.null_count == 0 and not blank.any():
        # Whitespace-only names are rare: trim only the names that start with a space.
        first = pc.utf8_slice_codeunits(city, 0, 1)
        spaced = mask(pc.utf8_is_space(first))
        if spaced.any():
            blank = spaced & (int64_values(pc.binary_length(pc.utf8_trim_whitespace(city))) == 0)
    chunk.reject(blank, lambda i: "city: missing")
    odd = _odd_names(city) & ~blank
    chunk.reject(odd, lambda i: f"city: {name_problem(city[i].as_py())}")
    for name in table.column_names:
        if name in COMPONENTS or name in OPTIONAL:      # their parsers refuse a long cell
            continue
        column = as_array(table.column(name))
        long = _long_cells(column)
        if long.any():
            chunk.reject(long, lambda i, c=column, name=name: (
                f"{name}: expected at most {CELL_LIMIT:,} characters, got "
                f"{len(c[i].as_py()):,}"))
    for name in COMPONENTS:
        column = as_array(table.column(name))
        values, bad = _whole_numbers(column, COUNT_LIMIT)
        chunk.counts[name] = values
        chunk.reject(bad, lambda i, c=column, name=name: (
            f"{name}: {_reason(parse_count, _cell(c, i))}" if _cell(c, i).strip(_WHITE)
            else f"{name}: missing"))
    if "hours" in table.column_names:
        column = as_array(table.column("hours"))
        chunk.hours_scaled, bad = _hours(column)
        chunk.reject(bad, lambda i, c=column: f"hours: {_reason(parse_hours, _cell(c, i))}")
    if "integration_sites" in table.column_names:
        column = as_array(table.column("integration_sites"))
        values, bad = _whole_numbers(column, SITES_LIMIT + 1, blank_is_zero=True)
        chunk.sites = values
        chunk.reject(bad, lambda i, c=column: (
            f"integration_sites: expected a whole number from 0 to {SITES_LIMIT:,}, "
            f"got {shown(_cell(c, i))}"))
    return chunk


MULTIPLIER = 0x100000001B3                      # odd, so invertible modulo 2**64
INVERSE = pow(MULTIPLIER, -1, 2**64)


HASH_SLICE = 1 << 16   # names hashed at a time: bounds the cached power tables


def name_hashes(names: pa.Array) -> np.ndarray:
    """64-bit hashes of names, a slice at a time (see _slice_hashes)."""
    names = as_array(names)
    if not pa.types.is_string(names.type):
        names = names.cast(pa.string())
    if len(names) <= HASH_SLICE:
        return _slice_hashes(names)
    return np.concatenate([_slice_hashes(names.slice(i, HASH_SLICE))
                           for i in range(0, len(names), HASH_SLICE)])


def _slice_hashes(names: pa.Array) -> np.ndarray:
    """A 64-bit hash of each name's UTF-8 bytes, vectorized (for duplicate detection across
    chunks without keeping every name in memory).

    Polynomial hash sum(byte_i * M**i) mod 2**64, computed in three passes over the bytes:
    weight each byte by M to its position in the whole buffer, sum per name (reduceat), then
    multiply by M**-start to make it relative to the name's first byte.
    """
    offsets = np.frombuffer(names.buffers()[1], dtype=np.int32)[
        names.offset: names.offset + len(names) + 1].astype(np.int64)
    start, end = int(offsets[0]), int(offsets[-1])
    lengths = np.diff(offsets)
    result = lengths.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    with np.errstate(over="ignore"):
        if end > start:
            raw = np.frombuffer(names.buffers()[2], dtype=np.uint8)[start:end]
            powers, inverses = _powers(end - start)
            weighted = raw * powers[: end - start]
            nonempty = lengths > 0
            firsts = offsets[:-1][nonempty] - start
            result[nonempty] ^= np.add.reduceat(weighted, firsts) * inverses[firsts]
        # splitmix64 finalizer: spread the bits so nearby names land far apart
        result ^= result >> np.uint64(30)
        result *= np.uint64(0xBF58476D1CE4E5B9)
        result ^= result >> np.uint64(27)
        result *= np.uint64(0x94D049BB133111EB)
        result ^= result >> np.uint64(31)
    return result


_POWERS = (np.ones(1, dtype=np.uint64), np.ones(1, dtype=np.uint64))


def _powers(length: int) -> tuple[np.ndarray, np.ndarray]:
    """M**i and M**-i mod 2**64 for i < length, cached and grown as chunks get larger."""
    global _POWERS
    if len(_POWERS[0]) < length:
        size = max(2 * length, 2 * len(_POWERS[0]))
        with np.errstate(over="ignore"):
            powers = np.full(size, MULTIPLIER, dtype=np.uint64)
            powers[0] = 1
            inverses = np.full(size, INVERSE, dtype=np.uint64)
            inverses[0] = 1
            _POWERS = (np.multiply.accumulate(powers), np.multiply.accumulate(inverses))
    return _POWERS
