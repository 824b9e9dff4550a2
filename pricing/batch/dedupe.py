"""Duplicate city names across a whole stream, in flat memory.

Names are kept as sorted 64-bit hashes (see parse.name_hashes) with the row each first appeared
on: 12 bytes a city rather than a set of strings. They are held in sorted runs of at most
RUN_NAMES names: a new chunk's names are inserted into the open run only, so an insert copies
at most one run, never the whole index (which would double its memory at the moment of the
copy). Two different names share a hash with probability about n**2 / 2**65 (7e-7 at 5 million
rows); such a collision shows in the rejects file with the row of the other name, for a person
to check.
"""

from __future__ import annotations

import numpy as np

RUN_NAMES = 1 << 20


class SeenNames:
    """Names already priced, as sorted runs of hashes with their first rows."""

    def __init__(self, run_names: int = RUN_NAMES) -> None:
        self.run_names = run_names
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []     # full runs, frozen
        self.hashes = np.empty(0, dtype=np.uint64)              # the open run
        self.rows = np.empty(0, dtype=np.int32)                 # row numbers < 2**31

    def __len__(self) -> int:
        return sum(len(h) for h, _ in self.runs) + len(self.hashes)

    def claim_sorted(self, hashes: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Register names given sorted by hash (ties in row order). Return, per position,
        the row the name first appeared on if seen before (in an earlier chunk, or earlier
        in this one), else 0."""
        if rows.size and rows.max() >= 2**31:
            raise OverflowError("more than 2**31 rows")
        repeat = np.zeros(len(hashes), dtype=bool)
        repeat[1:] = hashes[1:] == hashes[:-1]
        run_start = np.maximum.accumulate(np.where(repeat, 0, np.arange(len(hashes))))
        first = np.where(repeat, rows[run_start], 0)
        for run_hashes, run_rows in self.runs + [(self.hashes, self.rows)]:
            if len(run_hashes):
                at = np.minimum(np.searchsorted(run_hashes, hashes), len(run_hashes) - 1)
                known = run_hashes[at] == hashes
                first = np.where(known & (first == 0), run_rows[at], first)
        new = first == 0
        at = np.searchsorted(self.hashes, hashes[new])
        self.hashes = np.insert(self.hashes, at, hashes[new])
        self.rows = np.insert(self.rows, at, rows[new].astype(np.int32))
        if len(self.hashes) >= self.run_names:
            self.runs.append((self.hashes, self.rows))
            self.hashes = np.empty(0, dtype=np.uint64)
            self.rows = np.empty(0, dtype=np.int32)
        return first
