"""One equipment order line, checked: what was ordered, when, and for what price.

ORDER.csv columns: product, order_code, kind (hardware, software or cable), quantity,
list_price (per unit), order_date, ship_date, order_kind (5ESS lines: initial, growth or pri),
stsx1_cards (growth lines). Empty where not relevant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from pricing.fileio.jsonfile import as_text
from pricing.values import AMOUNT_LIMIT, COUNT_LIMIT, parse_count, parse_date, parse_decimal, shown

KINDS = ("hardware", "software", "cable")
ORDER_KINDS = ("initial", "growth", "pri")
COLUMNS = ("product", "order_code", "kind", "quantity", "list_price", "order_date", "ship_date",
           "order_kind", "stsx1_cards")
REQUIRED = ("product", "kind", "quantity", "list_price", "order_date")


@dataclass(frozen=True)
class OrderLine:
    """An equipment line to price.

    Attributes:
      row: where it came from (the file's row number, or the position in a quote).
      product: the product as written by the user.
      kind: hardware, software or cable.
      quantity: units ordered (zero or more).
      list_price: list price of one unit.
      order_date: the date whose discount applies.
      order_code: the Lucent order code, where a discount depends on it.
      ship_date: for the warranty; None if not shipped yet.
      order_kind: 5ESS lines: initial, growth or pri.
      stsx1_cards: 5ESS growth lines: STSX-1 cards added.
    """

    row: int
    product: str
    kind: str
    quantity: Decimal
    list_price: Decimal
    order_date: dt.date
    order_code: str | None = None
    ship_date: dt.date | None = None
    order_kind: str | None = None
    stsx1_cards: int | None = None


def _text(value: object) -> str:
    """A CSV cell, or a value of a quote's JSON, as text for the one parser of its kind."""
    return as_text(value).strip()


def parse_order_line(row: int, values: Mapping[str, object]) -> tuple[OrderLine | None, list[str]]:
    """An order line from a mapping of column -> cell; (None, reasons) when it is bad."""
    reasons: list[str] = []
    for name in REQUIRED:
        if not _text(values.get(name)):
            reasons.append(f"{name}: missing")
    if reasons:
        return None, reasons
    kind = _text(values["kind"]).lower()
    if kind not in KINDS:
        reasons.append(f"kind: expected one of {', '.join(KINDS)}, got {_text(values['kind'])!r}")
    numbers = {}
    for name, limit in (("quantity", COUNT_LIMIT), ("list_price", AMOUNT_LIMIT)):
        try:
            number = parse_decimal(_text(values[name]))
        except ValueError as error:
            reasons.append(f"{name}: {error}")
            continue
        if number < 0:
            reasons.append(f"{name}: expected zero or more, got {_text(values[name])}")
        elif number >= limit:
            reasons.append(f"{name}: expected below {limit:,}, got {shown(_text(values[name]))}")
        else:
            numbers[name] = number
    if len(numbers) == 2 and numbers["quantity"] * numbers["list_price"] >= AMOUNT_LIMIT:
        reasons.append(f"quantity x list_price: expected an amount below {AMOUNT_LIMIT:,}, got "
                       f"{numbers['quantity'] * numbers['list_price']:,}")
    dates = {}
    for name in ("order_date", "ship_date"):
        text = _text(values.get(name))
        if text:
            try:
                dates[name] = parse_date(text)
            except ValueError as error:
                reasons.append(f"{name}: {error}")
    order_kind = _text(values.get("order_kind")).lower() or None
    if order_kind and order_kind not in ORDER_KINDS:
        reasons.append(f"order_kind: expected one of {', '.join(ORDER_KINDS)}, got {order_kind!r}")
    cards = None
    if _text(values.get("stsx1_cards")):
        try:
            cards = parse_count(_text(values["stsx1_cards"]))
        except ValueError as error:
            reasons.append(f"stsx1_cards: {error}")
    if reasons:
        return None, reasons
    return OrderLine(row, _text(values["product"]), kind, numbers["quantity"],
                     numbers["list_price"], dates["order_date"],
                     _text(values.get("order_code")) or None, dates.get("ship_date"), order_kind,
                     cards), []
