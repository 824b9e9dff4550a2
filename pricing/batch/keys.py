"""City keys for a column of names, vectorized: batch finds a repeated city by the same key as
the ledger (pricing.city_key), so `huntsville al`, ` Huntsville AL ` and `Huntsville, AL` are
one city here too, and NFC and NFD spellings of `Montréal QC` are one.

ASCII names (nearly all) are keyed in one pass of a byte table over the column's buffer (lower
case, punctuation to spaces, the skeleton's one-byte mappings), one replacement of `m` by `rn`
and, only where a name has spaces to fold, one regular expression; names with any other
character go through pricing.city_key one by one. A test checks the column against the scalar
key on random names.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pricing.batch.arrow import as_array, mask
from pricing.city_key import _ASCII_PUNCTUATION, _ASCII_SKELETON, city_key


def _byte_table() -> np.ndarray:
    table = np.arange(256, dtype=np.uint8)
    for code in range(ord("A"), ord("Z") + 1):
        table[code] = code + 32
    for char in _ASCII_PUNCTUATION:
        table[ord(char)] = ord(" ")
    for char, mapped in _ASCII_SKELETON.items():
        if len(mapped) == 1:
            table[ord(char)] = ord(mapped)
    for char in "\t\n\r\x0b\x0c":           # what str.split() folds, as far as ASCII names go
        table[ord(char)] = ord(" ")
    return table


_BYTES = _byte_table()
_WIDENED = {char: mapped for char, mapped in _ASCII_SKELETON.items() if len(mapped) > 1}


def city_keys(names: pa.Array | pa.ChunkedArray) -> pa.Array:
    """pricing.city_key of every name (a null stays null)."""
    names = as_array(names)
    if not pa.types.is_string(names.type):
        names = names.cast(pa.string())
    if len(names) == 0:
        return names
    validity, offsets, data = names.buffers()
    if data is None or data.size == 0:
        return names
    mapped = pa.py_buffer(_BYTES[np.frombuffer(data, dtype=np.uint8)].tobytes())
    keys = pa.Array.from_buffers(pa.string(), len(names), [validity, offsets, mapped],
                                 null_count=names.null_count, offset=names.offset)
    for char, wide in _WIDENED.items():
        keys = pc.replace_substring(keys, char, wide)
    spaced = mask(pc.match_substring_regex(keys, r"^ | $|  "))
    if spaced.any():
        keys = pc.if_else(pa.array(spaced), pc.utf8_trim(
            pc.replace_substring_regex(keys, " +", " "), " "), keys)
    other = ~mask(pc.string_is_ascii(names)) & ~np.asarray(names.is_null())
    if other.any():
        values = keys.to_pylist()
        for index in np.flatnonzero(other):
            values[index] = city_key(names[int(index)].as_py())
        keys = pa.array(values, pa.string())
    return keys
