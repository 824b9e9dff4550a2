"""City keys for a column of names, vectorized: batch finds a repeated city by the same key as
the ledger (pricing.city_key), so `huntsville al`, ` Huntsville AL ` and `Huntsville, AL` are
one city here too, and NFC and NFD spellings of `Montréal QC` are one.

ASCII names (nearly all) are keyed in one pass of a byte table over the column's buffer (lower
case, punctuation to spaces, the skeleton's one-byte mappings), a regular expression only
where spaces need folding (found in numpy), and "rn" written "m" in numpy; names with any other
character go through pricing.city_key one by one. A test checks the column against the scalar
key on random names.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pricing.fileio.arrow import as_array, mask, nulls
from pricing.city_key import _ASCII_PUNCTUATION, _ASCII_SKELETON, M, RN, city_key


def _byte_table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint8)
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = code + 32
    for char in _ASCII_PUNCTUATION:
        table[ord(char)] = ord(" ")
    for char, mapped in _ASCII_SKELETON.items():
        if len(mapped) == 1:
            table[ord(char)] = ord(mapped)
    for char in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f":   # what str.split() folds, in ASCII
        table[ord(char)] = ord(" ")
    return table


_BYTES = _byte_table()


def _bytes(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(offsets relative to the data, the data) of a string array, zero-copy."""
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[
        array.offset: array.offset + len(array) + 1].astype(np.int64)
    data = array.buffers()[2]
    raw = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    return offsets - offsets[0], raw[offsets[0]: offsets[-1]]


def _spaces_to_fold(keys: pa.Array) -> bool:
    """Whether any key has a space at either end or two in a row (rare: read in numpy)."""
    offsets, data = _bytes(keys)
    space = data == ord(" ")
    if not space.any():
        return False
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    return bool((space[:-1] & space[1:]).any() or space[starts[filled]].any()
                or space[ends[filled] - 1].any())


def _rn_as_m(keys: pa.Array) -> pa.Array:
    """Every "rn" within a key written "m" (pricing.city_key.RN), in numpy: the "r" becomes
    "m", the "n" is dropped and the offsets move back by the bytes dropped before them."""
    offsets, data = _bytes(keys)
    if len(data) < 2:
        return keys
    pair = (data[:-1] == ord(RN[0])) & (data[1:] == ord(RN[1]))
    starts = offsets[1:-1]
    pair[starts[(starts > 0) & (starts < len(data))] - 1] = False     # never across two keys
    if not pair.any():
        return keys
    drop = np.zeros(len(data), dtype=bool)
    drop[1:] = pair
    data = data.copy()
    data[:-1][pair] = ord(M)
    dropped = np.concatenate([[0], np.cumsum(drop)])
    new_offsets = (offsets - dropped[offsets]).astype(np.int32)
    return pa.Array.from_buffers(pa.string(), len(keys), [keys.buffers()[0] if keys.null_count else None,
                                                          pa.py_buffer(new_offsets),
                                                          pa.py_buffer(data[~drop])],
                                 null_count=keys.null_count, offset=keys.offset)


def city_keys(names: pa.Array | pa.ChunkedArray) -> pa.Array:
    """pricing.city_key of every name (a null stays null)."""
    names = as_array(names)
    if not pa.types.is_string(names.type):
        names = names.cast(pa.string())
    if len(names) == 0 or names.buffers()[2] is None:
        return names
    validity, offsets, data = names.buffers()
    mapped = _BYTES.take(np.frombuffer(data, dtype=np.uint8))
    keys = pa.Array.from_buffers(pa.string(), len(names), [validity, offsets, pa.py_buffer(mapped)],
                                 null_count=names.null_count, offset=names.offset)
    if _spaces_to_fold(keys):
        keys = pc.utf8_trim(pc.replace_substring_regex(keys, " +", " "), " ")
    keys = _rn_as_m(keys)
    other = ~mask(pc.string_is_ascii(names)) & ~nulls(names)
    if other.any():
        values = keys.to_pylist()
        for index in np.flatnonzero(other):
            values[index] = city_key(names[int(index)].as_py())
        keys = pa.array(values, pa.string())
    return keys
