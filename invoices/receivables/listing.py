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

from sqlalchemy import exists, func, select

from invoices.ledger import schema as s
from invoices.ledger.store import Ledger
from invoices.receivables.accounts import _positions_query, _positions_with
from invoices.receivables.terms import DueDate, TerminationRule
from pricing.rules.agreements import customer_key
from pricing.money import to_cents
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

    def where(self, bill_to_names: Sequence[str] | None = None) -> list:
        """The WHERE clauses; `bill_to_names` are the ledger's spellings of `bill_to`
        (bill_to_spellings), by default `bill_to` as given."""
        i = s.invoices.c
        found = []
        if self.month:
            found.append(i.month == self.month)
        if self.bill_to:
            found.append(i.bill_to.in_(list(bill_to_names) if bill_to_names is not None
                                       else [self.bill_to]))
        if self.start:
            found.append(i.invoice_date >= self.start)
        if self.end:
            found.append(i.invoice_date <= self.end)
        if self.min_total is not None:
            found.append(i.total_cents >= to_cents(self.min_total))
        if self.city:
            found.append(exists().where(s.lines.c.invoice == i.number,
                                        s.lines.c.city == self.city))
        return found


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


def list_invoices(ledger: Ledger, tables: TableSet, filters: Filters = Filters(),
                  limit: int | None = None) -> tuple[list[Listed], int]:
    """(the invoices matching, at most `limit` of them, in number order; how many match)."""
    i = s.invoices.c
    columns = (i.month, i.supplement, i.terms, i.file)
    rule = TerminationRule.of(tables)
    with ledger.read() as conn:
        where = filters.where(bill_to_spellings(conn, filters.bill_to) if filters.bill_to
                              else None)
        shown = _positions_with(conn, dt.date.max, rule, columns, *where,
                                open_only=filters.open_only, limit=limit)
        if limit is None or len(shown) < limit:
            matching = len(shown)
        else:                                 # a page of a long list: count the rest in SQL
            query = _positions_query(dt.date.max, (), *where,
                                     open_only=filters.open_only).order_by(None).subquery()
            matching = conn.execute(select(func.count()).select_from(query)).scalar()
    listed = [Listed(b.number, b.bill_to, month, supplement, b.invoice_date, b.due, terms,
                     b.total, b.open, file)
              for b, (month, supplement, terms, file) in shown]
    return listed, matching


def bill_to_spellings(conn, name: str) -> list[str]:
    """The ledger's bill-tos that are `name` as a run matches a bill-to (pricing.rules.agreements.
    customer_key: case, spaces, commas and full stops ignored), so `--bill-to "kmc telecom II
    inc"` finds the invoices to "KMC Telecom II, Inc.", the customers table's spelling."""
    wanted = customer_key(name)
    names = conn.execute(select(s.invoices.c.bill_to).distinct()).scalars()
    return sorted(n for n in names if customer_key(n) == wanted)


def known_bill_tos(ledger: Ledger) -> list[str]:
    """Every bill-to the ledger has invoiced, as it spells them."""
    with ledger.read() as conn:
        return sorted(conn.execute(select(s.invoices.c.bill_to).distinct()).scalars())
