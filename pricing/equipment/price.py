"""Price equipment lines: list amount, discount in force, net amount, warranty, source.

net = round(quantity x list price x (1 - discount)), half-up to the cent, once per line
(README "Contract rules"). A line that cannot be priced is rejected with its reason; the other
lines are still priced.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from pricing.rules.agreements import check_in_term, customer_name
from pricing.equipment.discounts import Discount, find_discount
from pricing.equipment.order import OrderLine
from pricing.equipment.warranty import Warranty, warranty_for
from pricing.errors import PricingError
from pricing.rules.lines import Line
from pricing.money import round_cents
from pricing.tables.loader import TableSet

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PricedEquipment:
    """One priced equipment line.

    Attributes:
      line: the order line.
      list_amount: quantity x list price, rounded to the cent.
      discount: the discount applied, with its schedule, rule and source.
      net_amount: quantity x list price x (1 - discount), rounded once to the cent.
      warranty: the last covered day and its basis.
    """

    line: OrderLine
    list_amount: Decimal
    discount: Discount
    net_amount: Decimal
    warranty: Warranty

    def as_dict(self) -> dict:
        return {"row": self.line.row, "product": self.discount.product,
                "kind": self.line.kind, "quantity": str(self.line.quantity),
                "list_amount": str(self.list_amount), "discount": str(self.discount.pct),
                "discount_rule": self.discount.rule, "net_amount": str(self.net_amount),
                "warranty_end": self.warranty.end.isoformat() if self.warranty.end else None,
                "warranty_note": self.warranty.note, "source": str(self.discount.source)}

    def as_quote_line(self) -> Line:
        unit_net = self.line.list_price * (1 - self.discount.pct / HUNDRED)
        line = Line.priced("equipment", f"{self.discount.product} ({self.line.kind}), ordered "
                           f"{self.line.order_date.isoformat()}, list {self.line.list_price} less "
                           f"{self.discount.pct}% ({self.discount.rule})", self.line.quantity,
                           unit_net, self.discount.source)
        assert line.amount == self.net_amount
        return line


@dataclass(frozen=True)
class EquipmentResult:
    """Priced lines, rejected lines (row, reason), and the totals of the priced ones."""

    lines: tuple[PricedEquipment, ...]
    rejects: tuple[tuple[int, str], ...]
    total_list: Decimal
    total_net: Decimal

    def as_dict(self) -> dict:
        return {"lines": [p.as_dict() for p in self.lines], "total_list": str(self.total_list),
                "total_net": str(self.total_net),
                "rejects": [{"row": row, "reason": reason} for row, reason in self.rejects]}

    def _repr_html_(self) -> str:
        from pricing.fileio.html_views import equipment_html

        return equipment_html(self)


def price_line(line: OrderLine, tables: TableSet, bill_to: str | None = None) -> PricedEquipment:
    """Price one line, or raise PricingError saying why it cannot be priced."""
    check_in_term(tables, "GA", line.order_date)
    if bill_to:
        customer_name(tables, "GA", bill_to, line.order_date)
    discount = find_discount(line, tables)
    exact_list = line.quantity * line.list_price
    net = round_cents(exact_list * (1 - discount.pct / HUNDRED))
    return PricedEquipment(line, round_cents(exact_list), discount, net,
                           warranty_for(line, tables))


def price_equipment(lines: list[OrderLine], tables: TableSet,
                    rejects: list[tuple[int, str]] | None = None,
                    bill_to: str | None = None) -> EquipmentResult:
    """Price every line; a line that cannot be priced joins the rejects with its reason."""
    priced: list[PricedEquipment] = []
    rejected = list(rejects or [])
    for line in lines:
        try:
            priced.append(price_line(line, tables, bill_to))
        except PricingError as error:
            rejected.append((line.row, str(error)))
    zero = Decimal("0.00")
    return EquipmentResult(tuple(priced), tuple(sorted(rejected)),
                           sum((p.list_amount for p in priced), zero),
                           sum((p.net_amount for p in priced), zero))


def read_order_csv(path, tables: TableSet) -> EquipmentResult:
    """Read and price ORDER.csv; bad rows are rejected with their row number, the others are
    priced. A file that cannot be read, or a wrong header, is an error."""
    from pricing.fileio.csvfile import read_records
    from pricing.equipment.order import COLUMNS, REQUIRED, parse_order_line
    from pricing.errors import ProblemsError

    problems: list = []
    records = read_records(path, REQUIRED, tuple(c for c in COLUMNS if c not in REQUIRED),
                           problems)
    whole_file = [p for p in problems if p.row in (None, 1)]
    if whole_file:
        raise ProblemsError(whole_file, f"{path}: not an equipment order")
    lines, rejects = [], [(p.row, p.message) for p in problems]
    for row, values in records:
        line, reasons = parse_order_line(row, values)
        if line is None:
            rejects.append((row, "; ".join(reasons)))
        else:
            lines.append(line)
    return price_equipment(lines, tables, rejects)
