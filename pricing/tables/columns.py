"""Column types of the contract tables: how a cell's text becomes a typed value.

Each parser takes the cell's text (already stripped) and returns the value, or raises
ValueError with an "expected X, got Y" message that the loader attaches to file, row and
column. A blank cell is None only where the column allows it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from pricing.money import to_decimal
from pricing.values import parse_count, parse_date

Parser = Callable[[str], object]


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, how to parse it, whether blank is allowed.

    Attributes:
      name: the header text.
      parse: turns non-blank cell text into a value (raises ValueError).
      optional: a blank cell is allowed and reads as None (for bounds, "no limit").
      doc: what the column means, shown in `pricing tables show` and record docstrings.
    """

    name: str
    parse: Parser
    optional: bool = False
    doc: str = ""

    def read(self, text: str) -> object:
        text = text.strip()
        if text == "":
            if self.optional:
                return None
            raise ValueError("expected a value, got an empty cell")
        return self.parse(text)


def text(value: str) -> str:
    return value


def date(value: str) -> dt.date:
    return parse_date(value)


def count(value: str) -> int:
    """A whole number, zero or more, written with digits only (component counts, bounds, days,
    months): the one parser of counts in CSV cells, for tables and input files alike."""
    return parse_count(value)


def money(value: str) -> Decimal:
    """A price: a non-negative decimal amount with at most two places."""
    amount = to_decimal(value)
    if amount < 0:
        raise ValueError(f"expected a price of zero or more, got {value!r}")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"expected an amount in whole cents, got {value!r}")
    return amount


def percent(value: str) -> Decimal:
    """A discount in percent of list price, 0 to 100 inclusive."""
    pct = to_decimal(value.rstrip("%"))
    if not Decimal(0) <= pct <= Decimal(100):
        raise ValueError(f"expected a percentage from 0 to 100, got {value!r}")
    return pct


def one_of(*choices: str) -> Parser:
    def parse(value: str) -> str:
        if value not in choices:
            raise ValueError(f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    return parse
