"""The discount in force for an order line: which schedule, which row, and why.

The rules, each from GA Amendments 2-3 (file 004) and each data in the tables:
- A product belongs to one schedule (transmission, data networking, optical, 5ESS switch); the
  schedule's version in force on the order date gives the discount.
- A row applies to hardware, software or both; a transmission row that does not name software
  covers hardware only (004 L94 footnote *).
- Cables used in the transmission systems: the cable schedule (20%).
- A row limited to an order code (ED8C902-30 G-3, 70%) needs that code (004 L96 footnote **).
- 5ESS lines by order kind: initial, growth by STSX-1 cards added (large growth from the
  table's threshold), dedicated PRI-only (004 L290).
- A row without a percentage is a discount the texts do not give: an error naming the section.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pricing.equipment.names import match_product, product_key
from pricing.equipment.order import OrderLine
from pricing.errors import MissingPriceError, PricingError
from pricing.rules.lines import Source
from pricing.tables.loader import TableSet

SCHEDULES = {
    "transmission_discounts": "transmission",
    "data_networking_discounts": "data_networking",
    "optical_discounts": "optical",
    "switch_discounts": "switch",
}
CABLES = "cable_discounts"


@dataclass(frozen=True)
class Discount:
    """The discount applied to a line.

    Attributes:
      pct: percent off list price.
      schedule: the schedule's short name (transmission, data_networking, optical, switch, cable).
      product: the product as the contract writes it.
      rule: what decided it, in words (e.g. "Large Growth: 7 or more STSX-1 cards").
      source: the table version and its citation.
    """

    pct: Decimal
    schedule: str
    product: str
    rule: str
    source: Source


def _versions_naming(tables: TableSet, table: str, key: str):
    return [v for v in tables.versions(table) if any(product_key(r.product) == key for r in v.rows)]


def find_schedule(tables: TableSet, product: str) -> str | None:
    """The discount table that lists the product in any version, or None (also when the name
    finds no single product: `names.match_product` says why)."""
    found = match_product(tables, product).product
    if found is None:
        return None
    key = product_key(found)
    for table in SCHEDULES:
        if _versions_naming(tables, table, key):
            return table
    return None


def _rows_in_force(tables: TableSet, table: str, key: str, when: dt.date):
    versions = tables.versions(table)
    if when < versions[0].effective_from:
        raise MissingPriceError(
            f"{table}: no schedule in force on {when.isoformat()}; the first takes effect "
            f"{versions[0].effective_from.isoformat()} ({versions[0].source})")
    version = tables.version(table, when)
    rows = [r for r in version.rows if product_key(r.product) == key]
    if not rows:
        first = _versions_naming(tables, table, key)[0].effective_from
        raise MissingPriceError(f"{table}: the product is listed only from {first.isoformat()}, "
                                f"not on {when.isoformat()}")
    return version, rows


def _switch_discount(line: OrderLine, version, rows) -> Discount:
    if not line.order_kind:
        raise PricingError("order_kind: a 5ESS line needs its order kind (initial, growth or pri)")
    if line.kind == "cable":
        raise PricingError("kind: the 5ESS schedule has no cable discount")
    candidates = [r for r in rows if r.order_kind == line.order_kind]
    if line.order_kind == "growth":
        if line.stsx1_cards is None:
            raise PricingError("stsx1_cards: a 5ESS growth line needs the number of STSX-1 cards added")
        candidates = [r for r in candidates
                      if (r.min_stsx1_cards is None or line.stsx1_cards >= r.min_stsx1_cards)
                      and (r.max_stsx1_cards is None or line.stsx1_cards <= r.max_stsx1_cards)]
    if len(candidates) != 1:
        raise MissingPriceError(f"{version.file}: no single {line.order_kind} discount for "
                                f"{rows[0].product} (found {len(candidates)})")
    row = candidates[0]
    rule = row.discount_name
    if line.order_kind == "growth":
        bounds = (f"{row.min_stsx1_cards} or more" if row.max_stsx1_cards is None
                  else f"{row.max_stsx1_cards} or fewer")
        rule = f"{row.discount_name}: {line.stsx1_cards} STSX-1 cards added ({bounds})"
    return Discount(row.discount_pct, "switch", row.product, rule, Source.of(version))


def find_discount(line: OrderLine, tables: TableSet) -> Discount:
    """The discount in force on the line's order date, or an error saying why there is none."""
    found = match_product(tables, line.product)
    if found.product is None and (found.ambiguous or len(found.candidates) > 1):
        raise PricingError(found.problem())
    table = find_schedule(tables, line.product)
    if table is None:
        hint = f"; did you mean {found.candidates[0]!r}?" if found.candidates else ""
        raise PricingError(f"product: {line.product!r} is in none of the contract's discount "
                           f"schedules (transmission, data networking, optical, 5ESS){hint}")
    key = product_key(found.product)
    version, rows = _rows_in_force(tables, table, key, line.order_date)
    if table == "switch_discounts":
        return _switch_discount(line, version, rows)
    if line.kind == "cable":
        if table != "transmission_discounts":
            raise MissingPriceError(f"kind: the contract's cable discount covers cables used in "
                                    f"transmission systems, not {rows[0].product}")
        cable_version = tables.version(CABLES, line.order_date)
        cable = cable_version.rows[0]
        return Discount(cable.discount_pct, "cable", rows[0].product,
                        f"cables used in {rows[0].product}", Source.of(cable_version))
    coded = [r for r in rows if r.order_code]
    plain = [r for r in rows if not r.order_code]
    if coded and line.order_code and any(r.order_code.casefold() == line.order_code.casefold()
                                         for r in coded):
        rows = [r for r in coded if r.order_code.casefold() == line.order_code.casefold()]
    elif plain:
        rows = plain
    else:
        codes = ", ".join(r.order_code for r in coded)
        raise MissingPriceError(
            f"order_code: the {coded[0].discount_pct}% discount for {coded[0].product} applies "
            f"only to order code {codes} (got {line.order_code or 'none'}); commons ordered "
            f"singly are priced as 'FT-2000 OC-48 Lightwave System Commons (spares)'")
    matching = [r for r in rows if r.applies_to in ("both", line.kind)]
    if not matching:
        covers = " and ".join(sorted({r.applies_to for r in rows}))
        raise MissingPriceError(
            f"kind: the contract gives {rows[0].product} a discount on {covers} only, none on "
            f"{line.kind} ({version.citation}: a row covers hardware only unless it says "
            f"otherwise)" if table == "transmission_discounts" else
            f"kind: the contract gives {rows[0].product} a discount on {covers} only")
    row = matching[0]
    if row.discount_pct is None:
        raise MissingPriceError(f"product: the contract gives no discount for {row.product}: "
                                f"{row.unknown_reason}")
    covers = {"both": "hardware and software", "hardware": "hardware", "software": "software"}
    rule = f"order code {row.order_code}" if row.order_code else \
        f"{SCHEDULES[table].replace('_', ' ')} {covers[row.applies_to]} discount"
    return Discount(row.discount_pct, SCHEDULES[table], row.product, rule, Source.of(version))
