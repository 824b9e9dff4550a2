"""7R/E Packet Solution check (GA Amendment 3, Section A-1.26; 004 L342).

A 7R/E Packet Solution must contain at least one Call Feature Server, One-Link Manager and
Packet Gateway, purchased and installed at one time; Seller commits to a minimum 20% saving
against a comparable 5ESS TDM configuration, access vehicles excluded. Both the components and
the percentage come from the tables.

Each component also gets its warranty end (pricing.equipment.warranty.seven_re_warranty).
A component's optional "part" is "hardware" or "software"; when it is not given the component
is read as hardware, because a quote line counts units of equipment (the contract's "one unit
each of a Call Feature Server, One-Link Manager, and Packet Gateway"), software is licensed with
a unit rather than being one, and every quote written before "part" existed (the Exhibit C
example) lists hardware units. The reason shown says when the part was read this way. Only
hardware units count toward the required components: a software licence for a Call Feature
Server is not a Call Feature Server, and an upgrade of all three elements' software is not a
new installation.

"Installed at one time": the Packet Solution's installation is the earliest date on which at
least the required units of each required component are installed. Units installed on any
other date (a second Packet Gateway added later) are additions: they do not stop the rest
being a Packet Solution, and their software is "other 7R/E software".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from pricing.equipment.names import match_product, product_key
from pricing.equipment.warranty import SEVEN_RE_PARTS, ComponentWarranty, seven_re_warranty
from pricing.errors import PricingError
from pricing.rules.lines import Source
from pricing.fileio.jsonfile import as_text
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
      installed_together: whether one date has the required units of every required component.
      is_packet_solution: composition and installation both hold.
      price: the 7R/E price compared (access vehicles excluded).
      comparable_tdm: the comparable 5ESS TDM configuration's price.
      saving_pct: 1 - price / comparable_tdm, in percent, two places.
      required_pct: the promised minimum saving.
      ceiling: the highest price that keeps the promise.
      margin: ceiling - price (negative: the promise is missed by that much).
      sources: the table versions used.
      installed_on: the Packet Solution's installation date (None: not a Packet Solution).
      warranties: each component's warranty, in the quote's order.
      compared_with: what the price is compared with, as the commitment table says.
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
    installed_on: dt.date | None = None
    warranties: tuple[ComponentWarranty, ...] = ()
    compared_with: str = "the comparable configuration"

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
                "installed_on": self.installed_on,
                "warranties": [w.as_dict() for w in self.warranties],
                "sources": [str(s) for s in self.sources]}

    def _repr_html_(self) -> str:
        from pricing.fileio.html_views import packet_solution_html

        return packet_solution_html(self)


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


def _part(item: Mapping, where: str) -> tuple[str, bool]:
    """The component's part and whether it was given (absent or null: hardware, see above)."""
    value = item.get("part")
    if value is None:
        return "hardware", False
    if isinstance(value, str) and value in SEVEN_RE_PARTS:
        return value, True
    raise PricingError(f"{where}: expected {' or '.join(repr(p) for p in SEVEN_RE_PARTS)}, "
                       f"got {shown(value)}")


def check_packet_solution(quote: Mapping, tables: TableSet, as_of: dt.date) -> PacketSolutionCheck:
    """Check a quote: {"components": [{"component", "quantity", "installed_on", "amount",
    "access_vehicle", "part"}], "price" (optional), "comparable_5ess_tdm"}."""
    required_version = tables.version("packet_solution_components", as_of)
    promise_version = tables.version("packet_solution_commitment", as_of)
    promise = promise_version.rows[0]
    components = quote.get("components")
    if not isinstance(components, list) or not components:
        raise PricingError("components: expected a list of the quote's components")
    if "comparable_5ess_tdm" not in quote:
        raise PricingError(f"comparable_5ess_tdm: missing (the price of the "
                           f"{promise.compared_with})")
    tdm = _money(quote["comparable_5ess_tdm"], "comparable_5ess_tdm")
    if tdm == 0:
        raise PricingError("comparable_5ess_tdm: expected a price above zero")
    units: dict[str, Decimal] = {r.component: Decimal(0) for r in required_version.rows}
    keys = {product_key(r.component): r.component for r in required_version.rows}
    on_date: dict[dt.date, dict[str, Decimal]] = {}     # hardware units installed per day
    parsed = []
    total = Decimal(0)
    for i, item in enumerate(components):
        if not isinstance(item, Mapping) or "component" not in item:
            raise PricingError(f"components[{i}]: expected an object with a component name")
        quantity = _units(item.get("quantity", 1), f"components[{i}].quantity")
        installed = _installed_on(item.get("installed_on"), f"components[{i}].installed_on")
        label = as_text(item["component"])
        part, given = _part(item, f"components[{i}] ({shown(label)}).part")
        name = keys.get(product_key(match_product(tables, label).product or label))
        if name and part == "hardware":
            units[name] += quantity
            if installed is not None:
                day = on_date.setdefault(installed, {})
                day[name] = day.get(name, Decimal(0)) + quantity
        parsed.append((i, label, part, given, installed, bool(item.get("access_vehicle"))))
        if "amount" in item and not item.get("access_vehicle"):
            total += _money(item["amount"], f"components[{i}].amount")
    price = _money(quote["price"], "price") if "price" in quote else total
    missing = tuple(r.component for r in required_version.rows if units[r.component] < r.min_units)
    complete = sorted(day for day, got in on_date.items()
                      if all(got.get(r.component, 0) >= r.min_units for r in required_version.rows))
    together = bool(complete)
    solution_on = complete[0] if together and not missing else None
    warranties = []
    for i, label, part, given, installed, access in parsed:
        w = seven_re_warranty(i, label, part, installed, solution_on, tables, as_of, access)
        if not given and not access:
            w = replace(w, reason=f"part not given, read as hardware; {w.reason}")
        warranties.append(w)
    ceiling = round_cents(tdm * (1 - promise.min_saving_pct / HUNDRED))
    saving = ((1 - price / tdm) * HUNDRED).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    return PacketSolutionCheck(units, missing, together, not missing and together, price, tdm,
                               saving, promise.min_saving_pct, ceiling, ceiling - price,
                               (Source.of(required_version), Source.of(promise_version)),
                               solution_on, tuple(warranties), promise.compared_with)
