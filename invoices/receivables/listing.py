"""Listing the ledger's invoices: one query of the invoice columns, filtered in SQL.

`invoice list` used to load every invoice with its lines and inputs (a query per invoice), which
took seconds on ten thousand invoices. Here the filters (month, bill-to, dates, city, minimum
total) are a WHERE clause on indexed columns, the open balances come from one aggregate query
(invoices.receivables.accounts), and only the rows asked for are built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from invoices.ledger.plain import rows
from invoices.receivables.positions import Where, count_positions, positions_with
from invoices.receivables.terms import DueDate, TerminationRule
from pricing.money import to_cents
from pricing.rules.agreements import customer_key
from pricing.tables.loader import TableSet


@dataclass(frozen=True)
class Filters:
    """What to list. Attributes: month, bill_to, start and end (invoice dates, inclusive),
    city (invoices with a line for it), min_total, open_only (a balance left to pay)."""

    month: str | None = None
    bill_to: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    city: str | None = None
    min_total: Decimal | None = None
    open_only: bool = False

    def where(self, bill_to_names: Sequence[str] | None = None) -> tuple[Where, ...]:
        """The conditions; `bill_to_names` are the ledger's spellings of `bill_to`
        (bill_to_spellings), by default `bill_to` as given."""
        found = []
        if self.month:
            found.append(Where.of("i.month = :month", month=self.month))
        if self.bill_to:
            names = list(bill_to_names) if bill_to_names is not None else [self.bill_to]
            named = {f"bill_to_{n}": name for n, name in enumerate(names)}
            found.append(Where(f"i.bill_to IN ({', '.join(':' + k for k in named)})",
                               tuple(named.items())) if named else Where("1 = 0"))
        if self.start:
            found.append(Where.of("i.invoice_date >= :start", start=self.start))
        if self.end:
            found.append(Where.of("i.invoice_date <= :end", end=self.end))
        if self.min_total is not None:
            found.append(Where.of("i.total_cents >= :min_total",
                                  min_total=to_cents(self.min_total)))
        if self.city:
            found.append(Where.of("EXISTS (SELECT 1 FROM lines l WHERE l.invoice = i.number "
                                  "AND l.city = :city)", city=self.city))
        return tuple(found)


@dataclass(frozen=True)
class Listed:
    """One invoice as listed: its summary, what is open on it, and its due date (DueDate: the
    one in force, e.g. accelerated by a termination, PSA Section 20(b), with the one it was
    issued with and why they differ)."""

    number: int
    bill_to: str
    month: str
    supplement: int
    invoice_date: dt.date
    due: DueDate
    terms: str
    total: Decimal
    open: Decimal
    file: str

    @property
    def label(self) -> str:
        return f"{self.number:06d}"

    @property
    def due_date(self) -> dt.date:
        return self.due.in_force

    def as_dict(self) -> dict:
        return {"number": self.number, "bill_to": self.bill_to, "month": self.month,
                "invoice_date": self.invoice_date.isoformat(), **self.due.as_dict(),
                "terms": self.terms, "total": str(self.total), "open": str(self.open),
                "supplement": self.supplement, "file": self.file}


def list_invoices(ledger, tables: TableSet, filters: Filters = Filters(),
                  limit: int | None = None) -> tuple[list[Listed], int]:
    """(the invoices matching, at most `limit` of them, in number order; how many match).
    `ledger` opened either way (invoices.ledger.plain)."""
    rule = TerminationRule.of(tables)
    with ledger.read() as conn:
        where = filters.where(bill_to_spellings(conn, filters.bill_to) if filters.bill_to
                              else None)
        shown = positions_with(conn, dt.date.max, rule, ("month", "supplement", "terms", "file"),
                               where, open_only=filters.open_only, limit=limit)
        if limit is None or len(shown) < limit:
            matching = len(shown)
        else:                                 # a page of a long list: count the rest in SQL
            matching = count_positions(conn, where, filters.open_only)
    listed = [Listed(b.number, b.bill_to, month, supplement, b.invoice_date, b.due, terms,
                     b.total, b.open, file)
              for b, (month, supplement, terms, file) in shown]
    return listed, matching


def bill_to_spellings(conn, name: str) -> list[str]:
    """The ledger's bill-tos that are `name` as a run matches a bill-to (pricing.rules.agreements.
    customer_key: case, spaces, commas and full stops ignored), so `--bill-to "kmc telecom II
    inc"` finds the invoices to "KMC Telecom II, Inc.", the customers table's spelling."""
    wanted = customer_key(name)
    return sorted(n for (n,) in rows(conn, "SELECT DISTINCT bill_to FROM invoices")
                  if customer_key(n) == wanted)


def known_bill_tos(ledger) -> list[str]:
    """Every bill-to the ledger has invoiced, as it spells them."""
    with ledger.read() as conn:
        return sorted(n for (n,) in rows(conn, "SELECT DISTINCT bill_to FROM invoices"))
