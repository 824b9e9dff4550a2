"""Duplicate city names across a whole stream, in flat memory.

Names are kept as sorted 64-bit hashes (see parse.name_hashes) with the row each first appeared
on: 16 bytes a city rather than a set of strings, and every step a numpy sort or merge. Two
different names share a hash with probability about n**2 / 2**65 (7e-7 at 5 million rows);
such a collision shows in the rejects file with the row of the other name, for a person to see.
"""

from __future__ import annotations

import numpy as np


class SeenNames:
    """Names already priced, as sorted hashes with their first rows."""

    def __init__(self) -> None:
        self.hashes = np.empty(0, dtype=np.uint64)
        self.rows = np.empty(0, dtype=np.int64)

    def claim_sorted(self, hashes: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Register names given sorted by hash (ties in row order). Return, per position,
        the row the name first appeared on if seen before (in an earlier chunk, or earlier
        in this one), else 0."""
        repeat = np.zeros(len(hashes), dtype=bool)
        repeat[1:] = hashes[1:] == hashes[:-1]
        run_start = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(hashes))))
        first = np.where(repeat, rows[run_start], 0)
        if len(self.hashes):
            at = np.minimum(np.searchsorted(self.hashes, hashes), len(self.hashes) - 1)
            known = self.hashes[at] == hashes
            first = np.where(known, self.rows[at], first)
        new = first == 0
        # Merge two sorted runs: a stable sort of their concatenation is a linear merge.
        all_hashes = np.concatenate([self.hashes, hashes[new]])
        all_rows = np.concatenate([self.rows, rows[new]])
        merge = np.argsort(all_hashes, kind="stable")
        self.hashes, self.rows = all_hashes[merge], all_rows[merge]
        return first
