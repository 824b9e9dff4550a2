"""7R/E Packet Solution check (GA Amendment 3, Section A-1.26; 004 L342).

A 7R/E Packet Solution must contain at least one Call Feature Server, One-Link Manager and
Packet Gateway, purchased and installed at one time; Seller commits to a minimum 20% saving
against a comparable 5ESS TDM configuration, access vehicles excluded. Both the components and
the percentage come from the tables.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from pricing.equipment.names import product_key
from pricing.errors import PricingError
from pricing.lines import Source
from pricing.jsonfile import as_text
from pricing.money import round_cents
from pricing.tables.loader import TableSet
from pricing.values import COUNT_LIMIT, parse_amount, parse_date, parse_decimal, shown

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PacketSolutionCheck:
    """The verdict on a 7R/E quote.

    Attributes:
      components: {required component: units quoted}.
      missing: required components with fewer units than required.
      installed_together: whether the required components share one installation date.
      is_packet_solution: composition and installation both hold.
      price: the 7R/E price compared (access vehicles excluded).
      comparable_tdm: the comparable 5ESS TDM configuration's price.
      saving_pct: 1 - price / comparable_tdm, in percent, two places.
      required_pct: the promised minimum saving.
      ceiling: the highest price that keeps the promise.
      margin: ceiling - price (negative: the promise is missed by that much).
      sources: the table versions used.
    """

    components: dict[str, Decimal]
    missing: tuple[str, ...]
    installed_together: bool
    is_packet_solution: bool
    price: Decimal
    comparable_tdm: Decimal
    saving_pct: Decimal
    required_pct: Decimal
    ceiling: Decimal
    margin: Decimal
    sources: tuple[Source, ...]

    @property
    def meets_promise(self) -> bool:
        return self.margin >= 0

    @property
    def verdict(self) -> str:
        words = []
        if not self.is_packet_solution:
            reasons = []
            if self.missing:
                reasons.append(f"missing {', '.join(self.missing)}")
            if not self.installed_together:
                reasons.append("its required components are not installed at one time")
            words.append(f"not a 7R/E Packet Solution ({'; '.join(reasons)})")
        if self.meets_promise:
            words.append(f"meets the {self.required_pct}% saving promise: {self.saving_pct}% saved, "
                         f"{self.margin:,} under the ceiling of {self.ceiling:,}")
        else:
            words.append(f"misses the {self.required_pct}% saving promise: {self.saving_pct}% saved, "
                         f"{-self.margin:,} over the ceiling of {self.ceiling:,}")
        return "; ".join(words)

    def as_dict(self) -> dict:
        return {"is_packet_solution": self.is_packet_solution,
                "components": {k: str(v) for k, v in self.components.items()},
                "missing": list(self.missing), "installed_together": self.installed_together,
                "price": str(self.price), "comparable_tdm": str(self.comparable_tdm),
                "saving_pct": str(self.saving_pct), "required_pct": str(self.required_pct),
                "ceiling": str(self.ceiling), "margin": str(self.margin),
                "meets_promise": self.meets_promise, "verdict": self.verdict,
                "sources": [str(s) for s in self.sources]}


def _money(value: object, where: str) -> Decimal:
    """An amount of the quote: zero or more, whole cents, below values.AMOUNT_LIMIT."""
    try:
        return parse_amount(as_text(value), positive=False)
    except ValueError as error:
        raise PricingError(f"{where}: {error}") from None


def _units(value: object, where: str) -> Decimal:
    """A component's quantity: zero or more, below values.COUNT_LIMIT."""
    try:
        units = parse_decimal(as_text(value))
    except ValueError as error:
        raise PricingError(f"{where}: {error}") from None
    if not 0 <= units < COUNT_LIMIT:
        raise PricingError(f"{where}: expected zero or more, below {COUNT_LIMIT:,}, "
                           f"got {shown(as_text(value))}")
    return units


def _installed_on(value: object, where: str) -> dt.date | None:
    if value is None or as_text(value).strip() == "":
        return None
    try:
        return parse_date(as_text(value))
    except ValueError as error:
        raise PricingError(f"{where}: {error}") from None


def check_packet_solution(quote: Mapping, tables: TableSet, as_of: dt.date) -> PacketSolutionCheck:
    """Check a quote: {"components": [{"component", "quantity", "installed_on", "amount",
    "access_vehicle"}], "price" (optional), "comparable_5ess_tdm"}."""
    required_version = tables.version("packet_solution_components", as_of)
    promise_version = tables.version("packet_solution_commitment", as_of)
    promise = promise_version.rows[0]
    components = quote.get("components")
    if not isinstance(components, list) or not components:
        raise PricingError("components: expected a list of the quote's components")
    if "comparable_5ess_tdm" not in quote:
        raise PricingError("comparable_5ess_tdm: missing (the price of the comparable 5ESS TDM "
                           "configuration)")
    tdm = _money(quote["comparable_5ess_tdm"], "comparable_5ess_tdm")
    if tdm == 0:
        raise PricingError("comparable_5ess_tdm: expected a price above zero")
    units: dict[str, Decimal] = {r.component: Decimal(0) for r in required_version.rows}
    keys = {product_key(r.component): r.component for r in required_version.rows}
    install_dates: set[dt.date | None] = set()
    total = Decimal(0)
    for i, item in enumerate(components):
        if not isinstance(item, Mapping) or "component" not in item:
            raise PricingError(f"components[{i}]: expected an object with a component name")
        quantity = _units(item.get("quantity", 1), f"components[{i}].quantity")
        installed = _installed_on(item.get("installed_on"), f"components[{i}].installed_on")
        name = keys.get(product_key(as_text(item["component"])))
        if name:
            units[name] += quantity
            install_dates.add(installed)
        if "amount" in item and not item.get("access_vehicle"):
            total += _money(item["amount"], f"components[{i}].amount")
    price = _money(quote["price"], "price") if "price" in quote else total
    missing = tuple(r.component for r in required_version.rows if units[r.component] < r.min_units)
    together = len(install_dates) == 1 and None not in install_dates
    ceiling = round_cents(tdm * (1 - promise.min_saving_pct / HUNDRED))
    saving = ((1 - price / tdm) * HUNDRED).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    return PacketSolutionCheck(units, missing, together, not missing and together, price, tdm,
                               saving, promise.min_saving_pct, ceiling, ceiling - price,
                               (Source.of(required_version), Source.of(promise_version)))
