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


text: Callable[[Any], str] = _usage(values.free_text)
name: Callable[[Any], str] = _usage(values.name_text)
reason: Callable[[Any], str] = _usage(values.reason_text)
user: Callable[[Any], str] = _usage(values.user_name)
