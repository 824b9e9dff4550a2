"""Training incentive (GA Amendment 2 Section 6.3, new A-1.24; 004 L134-138).

For each $1,250,000 of purchases in a product pool, two tuition-free seats at a five-day Data
Networking course, to be used within twelve months after shipment of the relevant products.
The project's reading (README "Contract rules"): amounts are net of discount, they accumulate
within a pool over the Term in shipment order, and the shipment whose purchase crosses a
threshold starts the twelve months for the seats it earns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from pricing.rules.agreements import check_in_term
from pricing.equipment.names import match_product, product_key
from pricing.equipment.warranty import add_months
from pricing.errors import PricingError
from pricing.rules.lines import Source
from pricing.tables.loader import TableSet


@dataclass(frozen=True)
class Purchase:
    """A purchase counted toward the incentive: product, amount net of discount, ship date."""

    row: int
    product: str
    amount: Decimal
    ship_date: dt.date


@dataclass(frozen=True)
class Award:
    """Seats earned by the purchase that crossed a threshold, and their use-by date."""

    seats: int
    earned_on: dt.date
    use_by: dt.date
    row: int


@dataclass
class PoolResult:
    """One pool: its products, purchases counted, seats and awards."""

    pool: str
    products: list[str]
    threshold: Decimal
    purchases: Decimal = Decimal("0.00")
    seats: int = 0
    awards: list[Award] = field(default_factory=list)
    source: Source | None = None

    def as_dict(self) -> dict:
        return {"pool": self.pool, "products": self.products, "threshold": str(self.threshold),
                "purchases": str(self.purchases), "seats": self.seats,
                "use_by": [{"seats": a.seats, "earned_on": a.earned_on.isoformat(),
                            "use_by": a.use_by.isoformat(), "row": a.row} for a in self.awards],
                "source": str(self.source) if self.source else None}


def training_seats(purchases: list[Purchase], tables: TableSet
                   ) -> tuple[list[PoolResult], list[tuple[int, str]]]:
    """Seats per pool, and the purchases not counted (row, reason)."""
    versions = tables.versions("training_incentive")
    latest = versions[-1]
    pools: dict[str, PoolResult] = {}
    for row in latest.rows:
        pool = pools.setdefault(row.pool, PoolResult(row.pool, [], row.threshold_amount))
        pool.products.append(row.product)
    not_counted: list[tuple[int, str]] = []
    for purchase in sorted(purchases, key=lambda p: (p.ship_date, p.row)):
        if purchase.ship_date < versions[0].effective_from:
            not_counted.append((purchase.row, f"shipped before the training incentive took effect "
                                              f"({versions[0].effective_from.isoformat()})"))
            continue
        try:
            check_in_term(tables, "GA", purchase.ship_date)
        except PricingError as error:
            not_counted.append((purchase.row, str(error)))
            continue
        version = tables.version("training_incentive", purchase.ship_date)
        found = match_product(tables, purchase.product)
        if found.product is None and (found.ambiguous or len(found.candidates) > 1):
            not_counted.append((purchase.row, found.problem()))
            continue
        key = product_key(found.product or purchase.product)
        match = [r for r in version.rows if product_key(r.product) == key]
        if not match:
            not_counted.append((purchase.row, f"{purchase.product!r} is in no training pool "
                                              f"(pools: {', '.join(sorted(pools))})"))
            continue
        rule = match[0]
        pool = pools[rule.pool]
        pool.source = Source.of(version)
        before = int(pool.purchases // rule.threshold_amount)
        pool.purchases += purchase.amount
        crossed = int(pool.purchases // rule.threshold_amount) - before
        if crossed:
            seats = crossed * rule.seats_per_threshold
            pool.seats += seats
            use_by = add_months(purchase.ship_date, rule.use_within_months) - dt.timedelta(days=1)
            pool.awards.append(Award(seats, purchase.ship_date, use_by, purchase.row))
    return sorted(pools.values(), key=lambda p: p.pool), not_counted


def read_purchases(path) -> tuple[list[Purchase], list[tuple[int, str]]]:
    """PURCHASES.csv (product, amount, ship_date): the purchases, and the rows that are not
    purchases (row, reason). A wrong header is an error."""
    from pricing.fileio.csvfile import read_records
    from pricing.values import parse_amount, parse_date

    purchases, bad = [], []
    for row, values in read_records(path, ("product", "amount", "ship_date")):
        reasons = []
        try:
            amount = parse_amount(values["amount"], positive=False)
        except ValueError as error:
            reasons.append(f"amount: {error}")
        try:
            ship = parse_date(values["ship_date"])
        except ValueError as error:
            reasons.append(f"ship_date: {error}")
        if reasons:
            bad.append((row, "; ".join(reasons)))
            continue
        purchases.append(Purchase(row, values["product"], amount, ship))
    return purchases, bad
