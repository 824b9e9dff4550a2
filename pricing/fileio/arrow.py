"""Build and read pyarrow arrays through their buffers.

Why not `pa.array(...)` and `.to_numpy()`: in pyarrow both look for pandas objects and import
pandas to do so, a third of a second of start-up the CLI's batch path does not otherwise need;
and going through buffers keeps money exact (no float on the way).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa


def int64(values: np.ndarray) -> pa.Array:
    """A numpy integer array as an arrow int64 array, zero-copy when already int64."""
    values = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


def decimal(unscaled: np.ndarray, kind: pa.DataType) -> pa.Array:
    """Scaled integers (e.g. cents) as an exact decimal128 array (e.g. "198000.00")."""
    words = np.empty((len(unscaled), 2), dtype=np.int64)
    words[:, 0] = unscaled
    words[:, 1] = unscaled >> 63          # sign extension into the high word
    return pa.Array.from_buffers(kind, len(unscaled), [None, pa.py_buffer(words)])


def strings(values: list[str]) -> pa.Array:
    """A short list of Python strings as an arrow string array."""
    encoded = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    offsets[1:] = np.cumsum([len(e) for e in encoded])
    return pa.Array.from_buffers(pa.string(), len(encoded),
                                 [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))])


def as_array(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous array (no copy when the chunked array has a single chunk)."""
    if isinstance(column, pa.ChunkedArray):
        return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column


def _bits(buffer: pa.Buffer, offset: int, length: int) -> np.ndarray:
    return np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), bitorder="little",
                         count=offset + length)[offset:].astype(bool)


def nulls(column: pa.Array) -> np.ndarray:
    """True where the column is null, read from the validity bitmap."""
    if column.null_count == 0:
        return np.zeros(len(column), dtype=bool)
    return ~_bits(column.buffers()[0], column.offset, len(column))


def mask(flags: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean array as numpy, null read as False."""
    flags = as_array(flags)
    return _bits(flags.buffers()[1], flags.offset, len(flags)) & ~nulls(flags)


def int64_values(column: pa.Array) -> np.ndarray:
    """The raw int64 values of an integer array (null slots hold arbitrary values)."""
    column = as_array(column)
    if column.type != pa.int64():
        column = column.cast(pa.int64())
    return np.frombuffer(column.buffers()[1], dtype=np.int64)[
        column.offset: column.offset + len(column)]


def decimal_unscaled(column: pa.Array) -> np.ndarray:
    """The unscaled integers of a decimal128 array, read from its buffer; nulls read as 0."""
    column = as_array(column)
    words = np.frombuffer(column.buffers()[1], dtype=np.int64)
    pairs = words[2 * column.offset: 2 * (column.offset + len(column))].reshape(-1, 2)
    missing = nulls(column)
    low = np.where(missing, 0, pairs[:, 0])
    high = np.where(missing, 0, pairs[:, 1])
    if np.any(high != (low >> 63)):
        raise OverflowError("a decimal does not fit in 64 bits")
    return low
