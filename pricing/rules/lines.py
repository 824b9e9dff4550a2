"""A priced line: what it is, how many, at what price, and the clause it came from."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pricing.money import round_cents
from pricing.tables.loader import TableVersion


@dataclass(frozen=True)
class Source:
    """Where a number came from: the table version and its contract citation.

    Attributes:
      table: the table's name.
      version: the version's effective date.
      citation: the contract section, as the manifest records it.
    """

    table: str
    version: dt.date
    citation: str

    @classmethod
    def of(cls, version: TableVersion) -> Source:
        return cls(version.table, version.effective_from, version.source)

    def __str__(self) -> str:
        return f"{self.table} {self.version.isoformat()}: {self.citation}"


@dataclass(frozen=True)
class Line:
    """One priced line of a quote or invoice, rounded once to the cent.

    Attributes:
      kind: service_level, hour_block, hourly, integration, equipment.
      description: what a reader of the invoice sees.
      quantity: how many units (Decimal: hours may be fractional).
      unit_price: the price of one unit, from a table.
      amount: quantity x unit_price rounded half-up to the cent (the one rounding point).
      unrounded: the exact product, kept beside the rounded amount.
      source: the table version and clause behind the unit price.
    """

    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    unrounded: Decimal
    source: Source

    @classmethod
    def priced(cls, kind: str, description: str, quantity: Decimal, unit_price: Decimal,
               source: Source) -> Line:
        exact = Decimal(quantity) * unit_price
        return cls(kind, description, Decimal(quantity), unit_price, round_cents(exact), exact,
                   source)

    def as_dict(self) -> dict:
        return {"kind": self.kind, "description": self.description,
                "quantity": str(self.quantity), "unit_price": str(round_cents(self.unit_price)),
                "amount": str(self.amount), "source": str(self.source)}


def total_of(lines: list[Line]) -> Decimal:
    """The exact sum of the rounded lines (never re-rounded, never from unrounded amounts)."""
    return sum((line.amount for line in lines), Decimal("0.00"))
