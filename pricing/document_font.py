"""Text a customer document can print: every character in the documents' font.

Invoices, credit notes and statements are set in DejaVu Sans (invoices/templates/document.css);
a character the font has no glyph for prints as an empty box, so a city called `Café 🙂` or a
credit's reason in Chinese would reach the customer as boxes. The edges that record text a
document prints (the cities file's city and bill_to, reasons typed for credits, disputes and
voids, user names) refuse such a character, naming it, before anything is recorded.

The font's characters are a generated table (pricing/document_font_ranges.py, written from the
font files by tools/font_coverage.py), so the check reads no font file and works where the font
is not installed; the set is built once, at the first non-ASCII text.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from pricing.document_font_ranges import FONT, RANGES

SHOWN = 3           # characters named in one message; the rest are counted


@cache
def _drawable() -> frozenset[int]:
    return frozenset(point for first, last in RANGES for point in range(first, last + 1))


def undrawable(text: str) -> list[str]:
    """The distinct characters of `text` the documents' font cannot draw, in order of first
    appearance."""
    if text.isascii() and text.isprintable():
        return []                               # printable ASCII is all in the font
    drawable = _drawable()
    missing: dict[str, None] = {}
    for char in text:
        if ord(char) not in drawable:
            missing.setdefault(char)
    return list(missing)


def character_name(char: str) -> str:
    """U+1F642 SLIGHTLY SMILING FACE (the code point alone where Unicode gives no name)."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def font_problem(text: str) -> str | None:
    """Why `text` cannot be printed on a document, naming the characters; None when it can."""
    missing = undrawable(text)
    if not missing:
        return None
    named = ", ".join(character_name(char) for char in missing[:SHOWN])
    more = f" and {len(missing) - SHOWN:,} more" if len(missing) > SHOWN else ""
    which = "a character" if len(missing) == 1 else "characters"
    return (f"holds {which} the documents' font ({FONT}) cannot print: {named}{more}; "
            f"{'it' if len(missing) == 1 else 'each'} would print as an empty box")
