"""The monthly invoice run: draft, issue in the ledger, write the workbooks.

Order matters for crash safety: the ledger commits the numbered invoices first (all of the
month's, in one transaction), then each workbook is written (temporary name, rename) and marked
written. A run stopped before the commit issued nothing; a run stopped after it left invoices
marked unwritten, and the next run writes them first, from the ledger alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from invoices.drafts import draft_month, month_option
from invoices.faults import fault_point
from invoices.ledger import Ledger
from invoices.records import Invoice
from invoices.workbook import write_invoice
from pricing.errors import PricingError
from pricing.periods import period_containing
from pricing.tables.loader import TableSet


@dataclass(frozen=True)
class RunResult:
    """Attributes: issued (new this run), existing (issued before for this month, not again),
    repaired (earlier invoices whose workbook this run had to write)."""

    issued: tuple[Invoice, ...]
    existing: tuple[Invoice, ...]
    repaired: tuple[Invoice, ...]


def complete_unwritten(ledger: Ledger) -> list[Invoice]:
    """Write every issued invoice whose workbook a stopped run did not confirm."""
    done = []
    for invoice in ledger.unwritten():
        write_invoice(invoice)
        ledger.mark_written(invoice.number)
        done.append(invoice)
    return done


def earlier_months_of_period(month: str, tables: TableSet) -> list[str]:
    """The months of the annual period before `month` ("YYYY-MM" labels); none when the month
    is outside every period (drafting then reports why)."""
    year, number = month_option(month)
    try:
        period = period_containing(tables, dt.date(year, number, 1))
    except PricingError:
        return []
    return [period.label(m) for m in range(1, period.month_number(year, number))]


def run_month(month: str, cities: Path, out_dir: Path, tables: TableSet, ledger: Ledger,
              hours: Path | None = None, events: Path | None = None,
              invoice_date: dt.date | None = None) -> RunResult:
    repaired = complete_unwritten(ledger)
    drafts = draft_month(month, cities, tables, hours, events, invoice_date,
                         ledger.levels_billed(earlier_months_of_period(month, tables)))
    issued, existing = ledger.issue(drafts, out_dir)
    fault_point("after-commit")
    for invoice in issued:
        write_invoice(invoice)
        fault_point("after-write")
    if issued:
        ledger.mark_written(*(invoice.number for invoice in issued))
    for invoice in existing:
        if not Path(invoice.file).exists():
            write_invoice(invoice)
            repaired.append(invoice)
    return RunResult(tuple(issued), tuple(existing), tuple(repaired))
