"""Money: one way to make an amount, one way to round it.

Amounts are `Decimal` in the scalar core and integer cents in vectorized code. A float never
holds money: `to_decimal` refuses one, because a binary float cannot say 0.1 exactly and a
billing tool that is off by a cent is wrong.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")

Amount = Decimal


def to_decimal(value: object) -> Decimal:
    """Parse a decimal number from text, int or Decimal; refuse floats and garbage.

    Raises ValueError naming the offending text.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError(f"expected a decimal number written as text, got the float {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        from pricing.values import parse_decimal

        result = parse_decimal(value)
    else:
        raise ValueError(f"expected a number, got {value!r}")
    if not result.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    return result


def round_cents(amount: Decimal) -> Decimal:
    """Round half-up to the cent: the one rounding point of every priced line."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> int:
    """An amount already rounded to the cent, as integer cents for vectorized code."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of cents")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    """Integer cents back to a Decimal amount with two places (exact: the exponent is moved,
    nothing is divided or rounded)."""
    return Decimal(int(cents)).scaleb(-2)


def format_money(amount: Decimal) -> str:
    """Money as a decimal string with two places, as JSON and CSV outputs carry it."""
    return str(round_cents(amount))
