"""Turn one chunk of a city list into checked integer arrays, and say why each bad row is bad.

A chunk arrives as a pyarrow table whose columns may already be typed (the fast CSV path reads
counts as int64 and hours as decimal128) or may be text (XLSX, or CSV with a malformed cell).
Either way every check is vectorized; Python touches only the rejected rows, to word their
reasons.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pricing.batch.arrow import as_array, decimal_unscaled, int64_values, mask, nulls
from pricing.batch.rules import HOURS_SCALE
from pricing.components import COMPONENTS

REQUIRED = ("city",) + COMPONENTS
OPTIONAL = ("hours", "integration_sites")
ADDED = ("level", "annual_price", "hours_charge", "integration_charge", "total")
COUNT_LIMIT = 10**12          # counts beyond this are typing errors, and would risk overflow
SITES_LIMIT = 10**6
HOURS_DIGITS = 10             # at most 9,999,999,999.9999 hours
HOURS_PLACES = 4
HOURS_TYPE = pa.decimal128(18, HOURS_PLACES)   # how hours are carried and written


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


def _whole_numbers(column: pa.Array, limit: int, blank_is_zero: bool = False
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(values, bad) for a column of whole numbers 0..limit, typed or text."""
    if pa.types.is_integer(column.type):
        values, missing = int64_values(column), nulls(column)
        bad = (values < 0) | (values > limit)
        if missing.any():
            bad = (bad & ~missing) if blank_is_zero else (bad | missing)
            values = np.where(missing, 0, values)
        return np.where(bad, 0, values), bad
    text = pc.utf8_trim_whitespace(column.cast(pa.string()))
    text = pc.if_else(pc.is_null(text), "", text)
    if blank_is_zero:
        text = pc.if_else(pc.equal(text, ""), "0", text)
    ok = pc.match_substring_regex(text, r"^\d{1,13}$")
    values = int64_values(pc.cast(pc.if_else(ok, text, "0"), pa.int64()))
    bad = ~mask(ok) | (values > limit)
    return np.where(bad, 0, values), bad


def _hours(column: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(hours in ten-thousandths, bad) for a column of decimal hours; blank is zero."""
    if pa.types.is_decimal(column.type) and column.type.scale <= HOURS_PLACES:
        scaled = decimal_unscaled(column) * 10 ** (HOURS_PLACES - column.type.scale)
        bad = (scaled < 0) | (scaled >= 10**HOURS_DIGITS * HOURS_SCALE)
        return np.where(bad, 0, scaled), bad
    if pa.types.is_integer(column.type):
        values = np.where(nulls(column), 0, int64_values(column))
        bad = (values < 0) | (values >= 10**HOURS_DIGITS)
        return np.where(bad, 0, values * HOURS_SCALE), bad
    text = pc.utf8_trim_whitespace(column.cast(pa.string()))
    text = pc.if_else(pc.is_null(text), "", text)
    ok = pc.match_substring_regex(
        text, rf"^(\d{{1,{HOURS_DIGITS}}}(\.\d{{0,{HOURS_PLACES}}})?|\.\d{{1,{HOURS_PLACES}}}|)$")
    cleaned = pc.if_else(pc.or_(pc.invert(ok), pc.equal(text, "")), "0", text)
    scaled = decimal_unscaled(pc.cast(cleaned, HOURS_TYPE))
    return scaled, ~mask(ok)


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
    for name in COMPONENTS:
        column = as_array(table.column(name))
        values, bad = _whole_numbers(column, COUNT_LIMIT)
        chunk.counts[name] = values
        chunk.reject(bad, lambda i, c=column, name=name: (
            f"{name}: expected a whole number of zero or more, got {_cell(c, i)!r}"
            if _cell(c, i) else f"{name}: missing"))
    if "hours" in table.column_names:
        column = as_array(table.column("hours"))
        chunk.hours_scaled, bad = _hours(column)
        chunk.reject(bad, lambda i, c=column: (
            f"hours: expected hours of zero or more with at most {HOURS_PLACES} decimal places, "
            f"got {_cell(c, i)!r}"))
    if "integration_sites" in table.column_names:
        column = as_array(table.column("integration_sites"))
        values, bad = _whole_numbers(column, SITES_LIMIT, blank_is_zero=True)
        chunk.sites = values
        chunk.reject(bad, lambda i, c=column: (
            f"integration_sites: expected a whole number from 0 to {SITES_LIMIT:,}, "
            f"got {_cell(c, i)!r}"))
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
