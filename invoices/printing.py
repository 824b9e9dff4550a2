"""Every customer document in every format it is printed in (the CLI picks the format from
the output file's extension).

An invoice or a credit note prints as PDF, XLSX or HTML from the ledger's record alone, so a
re-print matches the original in every figure; a statement also as CSV or JSON. Printing
reads; it never changes the ledger.
"""

from __future__ import annotations

import json
from pathlib import Path

from invoices.documents import may_write
from invoices.html_documents import credit_note_html, invoice_html, statement_html
from invoices.pdf import write_pdf
from invoices.records import Invoice
from pricing.csvsafe import Writer, neutralise_cell
from pricing.files import replaced_atomically, write_text_atomically

DOCUMENT_FORMATS = ("pdf", "xlsx", "html")
STATEMENT_FORMATS = ("pdf", "xlsx", "html", "csv", "json")


def print_invoice(invoice: Invoice, path: Path, fmt: str,
                  marker: dict[str, str] | None = None) -> Path:
    from invoices.workbook import write_invoice

    if fmt == "xlsx":
        return write_invoice(invoice, path, marker)
    html = invoice_html(invoice, marker)
    return write_pdf(html, path) if fmt == "pdf" else write_text_atomically(path, html)


def print_credit_note(credit, invoice: Invoice, path: Path, fmt: str,
                      marker: dict[str, str] | None = None) -> Path:
    from invoices.workbook import write_credit_note

    if fmt == "xlsx":
        return write_credit_note(credit, invoice, path, marker)
    html = credit_note_html(credit, invoice, marker)
    return write_pdf(html, path) if fmt == "pdf" else write_text_atomically(path, html)


def statement_rows(statement) -> tuple[list[str], list[list]]:
    """The statement as a table: opening row, entries, closing row."""
    columns = ["date", "document", "applies_to", "due_date", "charge", "credit", "balance"]
    rows = [[statement.start, "Opening balance", "", None, None, None, statement.opening]]
    rows += [[e.date, e.document, e.reference, e.due_date, e.charge, e.credit, e.balance]
             for e in statement.entries]
    rows.append([statement.end, "Closing balance", "", None, None, None, statement.closing])
    return columns, rows


def print_statement(statement, path: Path, fmt: str) -> Path:
    from invoices.workbook import write_statement

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
