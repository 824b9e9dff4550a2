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


def _usage(parse: Callable[[str], T], kind: str) -> Callable[[Any], T]:
    """`parse` as an option's parser; `kind` is the word a help screen shows for what the
    value is (typer shows a parser's name beside an argument: `NUMBER <number>`)."""

    def convert(value: Any) -> T:
        if not isinstance(value, str):
            return value                                  # a default, already a value
        try:
            return parse(value)
        except ValueError as error:
            raise typer.BadParameter(str(error)) from None

    convert.__name__ = kind
    return convert


date: Callable[[Any], dt.date] = _usage(values.parse_date, "date")
month: Callable[[Any], str] = _usage(values.canonical_month, "month")
amount: Callable[[Any], Decimal] = _usage(values.parse_amount, "amount")
number: Callable[[Any], int] = _usage(values.parse_number, "number")


count: Callable[[Any], int] = _usage(values.parse_count, "integer")
hours: Callable[[Any], Decimal] = _usage(values.parse_hours, "hours")


def count_from(low: int, high: int = values.COUNT_LIMIT - 1) -> Callable[[Any], int]:
    """A whole number read by values.parse_count (no `+10`, `1_5` or ` ٣`), from `low` to
    `high`: "expected a whole number from 1998 to 2010, got '2011'"."""

    def between(value: str) -> int:
        number = values.parse_count(value)
        if not low <= number <= high:
            raise ValueError(f"expected a whole number from {low} to {high}, got "
                             f"{values.shown(value)}")
        return number

    return _usage(between, "integer")


text: Callable[[Any], str] = _usage(values.free_text, "text")
name: Callable[[Any], str] = _usage(values.name_text, "text")
reason: Callable[[Any], str] = _usage(values.reason_text, "text")
user: Callable[[Any], str] = _usage(values.user_name, "name")
word: Callable[[Any], str] = _usage(str, "text")          # any text: a name looked up later


def as_of_in_term(as_of: dt.date | None, tables, agreement: str = "PSA") -> dt.date:
    """The date a pricing command is for: --as-of, or today when it is not given. Today
    outside the agreement's term (the PSA's ends in 2005) is refused saying both: the term's
    end and that --as-of gives the date."""
    from pricing.rules.agreements import check_in_term
    from pricing.errors import PricingError

    if as_of is not None:
        return as_of
    today = dt.date.today()
    try:
        check_in_term(tables, agreement, today)
        values.parse_date(today.isoformat())              # within the years the tables know
    except (PricingError, ValueError) as error:
        raise PricingError(f"no --as-of given, so the date is today, and {error}: give "
                           f"--as-of DATE, a date in the {agreement}'s term") from None
    return today
