"""An invoice as the ledger keeps it: everything the workbook shows, nothing to compute."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal


@dataclass(frozen=True)
class InvoiceLine:
    """One line: the city it is for, what, how many, at what price, and its source."""

    city: str
    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    source: str

    @classmethod
    def of(cls, city: str, line) -> InvoiceLine:
        """A priced line (pricing.rules.lines.Line) as it stands on an invoice for this city."""
        return cls(city, line.kind, line.description, line.quantity, line.unit_price,
                   line.amount, str(line.source))

    def as_dict(self) -> dict:
        return {"city": self.city, "kind": self.kind, "description": self.description,
                "quantity": str(self.quantity), "unit_price": str(self.unit_price),
                "amount": str(self.amount), "source": self.source}


@dataclass(frozen=True)
class Invoice:
    """An invoice, numbered once the ledger issues it.

    Attributes:
      number: from the ledger's gap-free sequence (None for a draft).
      bill_to, month: the entity billed and the month ("YYYY-MM"); unique together.
      invoice_date, due_date, terms, net_days: from the payment terms in force on the date.
      contract: the agreement's contract number.
      seller, seller_address, customer_address: from the parties table.
      lines, total: the priced lines and their exact sum.
      tables_sha256: the manifest hash of the tables that priced it.
      inputs: what it was priced from (counts, level, hours, events), for `invoice explain`.
      citations: the sources of every number used.
      file: the workbook's path, once known.
      supplement: 0 for the month's invoice to the bill-to; 1, 2, ... for supplementary
        invoices billing cities added after it.
    """

    number: int | None
    bill_to: str
    month: str
    invoice_date: dt.date
    due_date: dt.date
    terms: str
    net_days: int
    contract: str
    seller: str
    seller_address: str
    customer_address: str
    lines: tuple[InvoiceLine, ...]
    total: Decimal
    tables_sha256: str
    inputs: dict = field(default_factory=dict, compare=False)
    citations: tuple[str, ...] = ()
    file: str | None = None
    supplement: int = 0

    def numbered(self, number: int, file: str, supplement: int = 0) -> Invoice:
        return replace(self, number=number, file=file, supplement=supplement)

    @property
    def label(self) -> str:
        return f"{self.number:06d}" if self.number is not None else "draft"

    def summary(self) -> dict:
        return {"number": self.number, "bill_to": self.bill_to, "month": self.month,
                "invoice_date": self.invoice_date.isoformat(),
                "due_date": self.due_date.isoformat(), "terms": self.terms,
                "total": str(self.total), "supplement": self.supplement, "file": self.file}

    def as_dict(self) -> dict:
        return {**self.summary(), "contract": self.contract, "tables_sha256": self.tables_sha256,
                "lines": [line.as_dict() for line in self.lines]}

    def _repr_html_(self) -> str:
        from pricing.fileio.html_views import invoice_view_html

        return invoice_view_html(self)


# The kinds of an invoice line: what the ledger keys a charge by (one per city, month, kind).
HOUR_KINDS = ("hour_block", "hourly")
LATE = "late_"


def late_kind(kind: str, label: str) -> str:
    """The kind of a late-hours line: the charge's kind and the month it belongs to, so the
    one-charge-per-city-month-kind key holds (invoices.billing.late_hours)."""
    return f"{LATE}{kind}:{label}"


def charge_of(kind: str, month: str) -> tuple[str, str]:
    """(the kind of charge, the month it belongs to) of a line of `month`'s invoice:
    `late_hour_block:2000-10` on any invoice is an hour block of 2000-10."""
    if kind.startswith(LATE) and ":" in kind:
        base, _, label = kind[len(LATE):].partition(":")
        return base, label
    return kind, month
