"""Every customer document in every format it is printed in (the CLI picks the format from
the output file's extension).

An invoice or a credit note prints as PDF, XLSX or HTML from the ledger's record alone, so a
re-print matches the original in every figure; a statement also as CSV or JSON. Printing
reads; it never changes the ledger.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from invoices.ledger.claims import may_write
from invoices.documents.html import credit_note_html, invoice_html, statement_html
from invoices.documents.pdf import write_pdf
from invoices.ledger.records import Invoice
from invoices.receivables.terms import DueDate
from pricing.fileio.csvsafe import Writer, neutralise_cell
from pricing.fileio.writes import replaced_atomically, write_text_atomically

DOCUMENT_FORMATS = ("pdf", "xlsx", "html")
STATEMENT_FORMATS = ("pdf", "xlsx", "html", "csv", "json")


@dataclass(frozen=True)
class Reprint:
    """What a copy printed after issue says beside the original's figures.

    Attributes: printed_on (the day it was printed), due (an invoice's DueDate now: the due
    date in force, the one it was issued with and why they differ; None for a credit note)."""

    printed_on: dt.date
    due: DueDate | None = None

    def banner(self) -> str:
        return f"COPY printed {self.printed_on.isoformat()}"

    def due_change(self) -> str | None:
        """The change of due date since issue, in words; None when there is none."""
        if self.due is None or not self.due.changed:
            return None
        return (f"Due date changed since issue: {self.due.in_force.isoformat()}, was "
                f"{self.due.as_issued.isoformat()}: {self.due.reason}.")


def print_invoice(invoice: Invoice, path: Path, fmt: str,
                  marker: dict[str, str] | None = None, copy: Reprint | None = None) -> Path:
    """Write the invoice as `fmt`; `copy` marks a re-print (COPY, the day printed, and its due
    date in force with any change since issue)."""
    from invoices.documents.workbooks import write_invoice

    if fmt == "xlsx":
        return write_invoice(invoice, path, marker, copy)
    html = invoice_html(invoice, marker, copy)
    return write_pdf(html, path) if fmt == "pdf" else write_text_atomically(path, html)


def print_credit_note(credit, invoice: Invoice, path: Path, fmt: str,
                      marker: dict[str, str] | None = None, copy: Reprint | None = None) -> Path:
    from invoices.documents.workbooks import write_credit_note

    if fmt == "xlsx":
        return write_credit_note(credit, invoice, path, marker, copy)
    html = credit_note_html(credit, invoice, marker, copy)
    return write_pdf(html, path) if fmt == "pdf" else write_text_atomically(path, html)


def statement_rows(statement) -> tuple[list[str], list[list]]:
    """The statement as a table: opening row, entries, closing row. An invoice's due date is
    the one in force; where it changed since issue, the date it was issued with and why follow
    in the last two columns."""
    columns = ["date", "document", "applies_to", "due_date", "charge", "credit", "balance",
               "due_date_as_issued", "due_reason"]
    rows = [[statement.start, "Opening balance", "", None, None, None, statement.opening, None,
             None]]
    rows += [[e.date, e.document, e.reference, e.due_date, e.charge, e.credit, e.balance,
              e.due.as_issued if e.due and e.due.changed else None, e.due.reason if e.due else None]
             for e in statement.entries]
    rows.append([statement.end, "Closing balance", "", None, None, None, statement.closing, None,
                 None])
    return columns, rows


def print_statement(statement, path: Path, fmt: str) -> Path:
    from invoices.documents.workbooks import write_statement

    if fmt == "xlsx":
        return write_statement(path, statement)
    if fmt == "json":
        return write_text_atomically(path, json.dumps(statement.as_dict(), indent=2) + "\n")
    if fmt == "csv":
        columns, rows = statement_rows(statement)
        with replaced_atomically(path) as temp:
            with open(temp, "w", newline="", encoding="utf-8") as handle:
                writer = Writer(handle)
                writer.writerow(columns)
                for row in rows:
                    writer.writerow(["" if v is None else neutralise_cell(v) for v in row])
        return path
    html = statement_html(statement)
    return write_pdf(html, path) if fmt == "pdf" else write_text_atomically(path, html)


def pdf_beside(workbook: Path, html: str, ledger_id: str, document: str) -> str | None:
    """Write a document's PDF next to its workbook (invoice-000001.pdf beside
    invoice-000001.xlsx), unless another document holds that name. None when written, else
    why not."""
    target = Path(workbook).with_suffix(".pdf")
    if not may_write(target, ledger_id, document):
        return f"{target} holds another document"
    try:
        write_pdf(html, target)
    except OSError as error:
        return f"cannot write {target} ({error.strerror or error})"
    return None
