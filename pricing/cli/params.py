"""Typed command-line values: every date, month, amount and document number an option or
argument takes goes through the one strict parser of its kind (`pricing.values`).

A malformed value is a usage error (exit 2) that names the option and says what was expected,
the same in every command; the command body only ever sees canonical values. Use as
`typer.Option(..., parser=params.date, metavar="YYYY-MM-DD")`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import typer

from pricing import values

T = TypeVar("T")


def _usage(parse: Callable[[str], T]) -> Callable[[Any], T]:
    def convert(value: Any) -> T:
        if not isinstance(value, str):
            return value                                  # a default, already a value
        try:
            return parse(value)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from None

    convert.__name__ = parse.__name__
    return convert


date: Callable[[Any], dt.date] = _usage(values.parse_date)
month: Callable[[Any], str] = _usage(values.canonical_month)
amount: Callable[[Any], Decimal] = _usage(values.parse_amount)
number: Callable[[Any], int] = _usage(values.parse_number)


def _text(value: str) -> str:
    """Free text (a reason, a resolution, a name): valid Unicode, no control characters."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError("expected text, got bytes that are not UTF-8")
    if any(ord(c) < 32 and c not in "\t" for c in value):
        raise ValueError("expected text on one line, without control characters")
    if len(value) > 2000:
        raise ValueError(f"expected at most 2,000 characters, got {len(value):,}")
    hidden = [c for c in value if c in INVISIBLE]
    if hidden:
        raise ValueError(f"expected visible text, got the invisible or direction-changing "
                         f"character U+{ord(hidden[0]):04X} (it would change how the text reads "
                         f"on a document)")
    return value


def _reason(value: str) -> str:
    """A reason or a resolution: text with something in it."""
    if not value.strip():
        raise ValueError("expected a few words saying why, got nothing")
    return _text(value)


# Zero-width characters and bidirectional controls: refused in free text as in city names.
INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                      "\u2066\u2067\u2068\u2069\ufeff")

def _name(value: str) -> str:
    """A name to match (a city, a bill-to): trimmed, and not empty."""
    value = _text(value).strip()
    if not value:
        raise ValueError("expected a name, got nothing")
    return value


text: Callable[[Any], str] = _usage(_text)
name: Callable[[Any], str] = _usage(_name)
reason: Callable[[Any], str] = _usage(_reason)
