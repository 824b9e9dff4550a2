"""Match product names as people type them to the names the contract writes.

"SLC-2000 Access System - Software" finds "SLC(R)-2000 Access System - Software": case, runs of
spaces and trademark marks ((R), (TM), (SM), and the symbols) are ignored.
"""

from __future__ import annotations

import re

_MARKS = re.compile(r"\((?:r|tm|sm)\)|[\u00ae\u2122\u2120]", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def product_key(name: str) -> str:
    """The comparison key of a product name."""
    without_marks = _MARKS.sub("", name)
    return _SPACE.sub(" ", without_marks).strip().casefold()
