"""Match product names as people type them to the names the contract writes.

"SLC-2000 Access System - Software" finds "SLC(R)-2000 Access System - Software": case, runs of
spaces and trademark marks ((R), (TM), (SM), and the symbols) are ignored, and so is a trailing
parenthesised abbreviation: "PathStar Access Server" finds "PathStar(TM) Access Server (PSAS)".
One key for every product table (discounts, warranties, training pools, 7R/E components).
"""

from __future__ import annotations

import re

_MARKS = re.compile(r"\((?:r|tm|sm)\)|[\u00ae\u2122\u2120]", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_ABBREVIATION = re.compile(r"\s*\([A-Z][A-Z0-9]{1,9}\)\s*$")


def product_key(name: str) -> str:
    """The comparison key of a product name."""
    without_marks = _ABBREVIATION.sub("", _MARKS.sub("", name))
    return _SPACE.sub(" ", without_marks).strip().casefold()
