"""Re-price an issued invoice from the inputs it records and say whether every line matches.

The invoice records the manifest hash of the tables that priced it; explaining with other
tables says so and shows the lines that would differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from invoices.late_hours import with_late
from invoices.monthly import CityMonth, city_month_lines
from invoices.records import Invoice, InvoiceLine
from pricing.components import Counts
from pricing.periods import annual_period
from pricing.tables.loader import TableSet


@dataclass(frozen=True)
class Explanation:
    """Attributes: same_tables (the manifest hash matches), differences (position, recorded
    line or None, re-priced line or None), lines (the re-priced lines)."""

    same_tables: bool
    differences: tuple[tuple[int, InvoiceLine | None, InvoiceLine | None], ...]
    lines: tuple[InvoiceLine, ...]

    @property
    def matches(self) -> bool:
        return not self.differences


def _key(line: InvoiceLine) -> tuple:
    return (line.city, line.kind, line.description, line.quantity, line.unit_price, line.amount,
            line.source)


def explain(invoice: Invoice, tables: TableSet) -> Explanation:
    period = annual_period(tables, invoice.inputs["period"])
    month_number = invoice.inputs["month_number"]
    repriced: list[InvoiceLine] = []
    for city in invoice.inputs["cities"]:
        hours = {int(month): Decimal(value) for month, value in city["hours"].items()}
        month = CityMonth(city["city"], invoice.bill_to, Counts(**city["counts"]), city["level"],
                          hours, city["integration_sites"])
        lines = with_late(city_month_lines(month, period, month_number, tables),
                          city.get("late_hours", []), period.year, tables)
        repriced.extend(InvoiceLine.of(city["city"], line) for line in lines)
    differences = []
    for position in range(max(len(repriced), len(invoice.lines))):
        old = invoice.lines[position] if position < len(invoice.lines) else None
        new = repriced[position] if position < len(repriced) else None
        if old is None or new is None or _key(old) != _key(new):
            differences.append((position + 1, old, new))
    return Explanation(tables.manifest_sha256 == invoice.tables_sha256, tuple(differences),
                       tuple(repriced))
