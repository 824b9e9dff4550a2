"""Invoices, credit notes and statements as .xlsx workbooks, laid out from the ledger's record:
they compute nothing.

Written with XlsxWriter, which stores each formula with its computed value, so Excel,
LibreOffice and a program reading the file (openpyxl data_only, pandas.read_excel) all see the
right totals. Formats and print settings come from pricing.fileio.workbook_style, so each prints on
paper as the PDF does: the customer's sheet holds what the customer reads (no table names, no
reading notes); the sources of every line are on a Sources sheet that prints on its own page.
Written to a temporary name and renamed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from invoices.documents.html import (address, month_name, moved_due, payment_due,
                                     terms_brief)
from invoices.ledger.records import Invoice
from pricing.fileio.writes import replaced_atomically
from pricing.fileio.workbook_style import (Column, Styles, as_datetime, print_setup, widths_of,
                                    write_table)

HEADER_ROW = 13        # 0-based row of the line table's header
COLUMNS = ("City", "Description", "Quantity", "Unit price", "Amount")
WIDTHS = (20, 52, 10, 16, 16)
FACTS_COLUMN = 3       # facts labels in D, values in E


def _mark(book, marker: dict[str, str] | None) -> None:
    """Say whose document this is (invoices.ledger.claims reads it before overwriting a file)."""
    for name, value in (marker or {}).items():
        book.set_custom_property(name, value)


def _text_lines(text: str, width: int) -> int:
    """Lines a wrapped cell needs: spreadsheets do not grow rows written by a program."""
    return max(-(-len(text) // max(width - 4, 1)), 1)


def _parties(sheet, styles: Styles, title: str, seller: str, seller_address: str,
             to_label: str, bill_to: str, customer_address: str) -> None:
    """Title, the seller's block (rows 3-5) and the customer's (rows 7-10), as on the PDF."""
    sheet.write_string(0, 0, title, styles.title)
    sheet.write_string(2, 0, "From", styles.bold)
    sheet.write_string(3, 0, seller, styles.text)
    for offset, part in enumerate(address(seller_address).splitlines()):
        sheet.write_string(4 + offset, 0, part, styles.text)
    sheet.write_string(7, 0, to_label, styles.bold)
    sheet.write_string(8, 0, bill_to, styles.text)
    for offset, part in enumerate(address(customer_address).splitlines()):
        sheet.write_string(9 + offset, 0, part, styles.text)


def _facts(sheet, styles: Styles, facts: list[tuple[str, object]], top: int = 2) -> None:
    for offset, (name, value) in enumerate(facts):
        sheet.write_string(top + offset, FACTS_COLUMN, name, styles.bold)
        if isinstance(value, dt.date):
            sheet.write_datetime(top + offset, FACTS_COLUMN + 1, as_datetime(value),
                                 styles.date_right)
        else:
            sheet.write_string(top + offset, FACTS_COLUMN + 1, str(value), styles.right)


def _set_widths(sheet, widths) -> None:
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)


def _copy_mark(sheet, styles: Styles, copy) -> None:
    """A re-print's mark under the title: "COPY printed 2026-01-05" (invoices.documents.printing.Reprint)."""
    if copy is not None:
        sheet.write_string(1, 0, copy.banner(), styles.add(bold=True, font_color="#AA1111"))


def write_invoice(invoice: Invoice, path: Path | None = None,
                  marker: dict[str, str] | None = None, copy=None) -> Path:
    """Write the workbook to `path` (default: the invoice's recorded file). `copy`
    (invoices.documents.printing.Reprint) makes it a re-print: marked COPY with the day printed, its due
    date the one in force, with the one it was issued with and why where they differ."""
    import xlsxwriter
    from xlsxwriter.utility import xl_rowcol_to_cell

    from invoices.receivables.terms import DueDate

    due = copy.due if copy is not None and copy.due is not None else \
        DueDate(invoice.due_date, invoice.due_date)

    target = Path(path or invoice.file)
    with replaced_atomically(target) as temp:
        book = xlsxwriter.Workbook(str(temp), {"default_date_format": "yyyy-mm-dd"})
        book.set_properties({"title": f"Invoice {invoice.label}", "author": invoice.seller,
                             "created": as_datetime(invoice.invoice_date)})
        _mark(book, marker)
        styles = Styles(book)
        sheet = book.add_worksheet("Invoice")
        _set_widths(sheet, WIDTHS)
        _parties(sheet, styles, "INVOICE", invoice.seller, invoice.seller_address, "Bill to",
                 invoice.bill_to, invoice.customer_address)
        _copy_mark(sheet, styles, copy)
        facts = [("Invoice number", invoice.label), ("Invoice date", invoice.invoice_date),
                 ("Terms", terms_brief(invoice.terms)), ("Due date", due.in_force)]
        if due.changed:
            facts.append(("Due date as issued", due.as_issued))
        facts += [("Contract", invoice.contract), ("Month billed", month_name(invoice.month)),
                  ("Currency", "USD")]
        if invoice.supplement:
            facts.append(("Supplementary", f"no. {invoice.supplement}"))
        _facts(sheet, styles, facts)
        for col, name in enumerate(COLUMNS):
            sheet.write_string(HEADER_ROW, col, name, styles.head_right if col >= 2 else styles.head)
        row = HEADER_ROW + 1
        for line in invoice.lines:
            sheet.set_row(row, 13 * max(_text_lines(line.description, WIDTHS[1]),
                                        _text_lines(line.city, WIDTHS[0])))
            sheet.write_string(row, 0, line.city, styles.wrap)
            sheet.write_string(row, 1, line.description, styles.wrap)
            sheet.write_number(row, 2, line.quantity, styles.number)
            sheet.write_number(row, 3, line.unit_price, styles.money)
            product = f"{xl_rowcol_to_cell(row, 2)}*{xl_rowcol_to_cell(row, 3)}"
            sheet.write_formula(row, 4, f"=ROUND({product},2)", styles.money, line.amount)
            row += 1
        first = xl_rowcol_to_cell(HEADER_ROW + 1, 4)
        last = xl_rowcol_to_cell(max(row - 1, HEADER_ROW + 1), 4)
        sheet.write_string(row + 1, 3, "Subtotal", styles.bold)
        sheet.write_formula(row + 1, 4, f"=SUM({first}:{last})", styles.currency, invoice.total)
        sheet.write_string(row + 2, 3, "Total due", styles.total_label)
        sheet.write_formula(row + 2, 4, f"={xl_rowcol_to_cell(row + 1, 4)}",
                            styles.total_currency, invoice.total)
        notes = [f"{payment_due(due, invoice.terms)} Please quote invoice {invoice.label} with "
                 f"your payment."]
        if copy is not None:
            notes.append(f"{copy.banner()}: a copy of invoice {invoice.label} issued "
                         f"{invoice.invoice_date.isoformat()}; its figures are the original's.")
        for offset, note in enumerate(notes):
            sheet.merge_range(row + 4 + offset, 0, row + 4 + offset, len(COLUMNS) - 1, note,
                              styles.wrap)
            sheet.set_row(row + 4 + offset, 13 * _text_lines(note, sum(WIDTHS)))
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        sheet.print_area(0, 0, row + 3 + len(notes), len(COLUMNS) - 1)
        print_setup(sheet, f"Invoice {invoice.label} - {invoice.bill_to}", sum(WIDTHS),
                    header_row=HEADER_ROW, landscape=False)
        _sources_sheet(book, styles, invoice)
        book.close()
    return target


def _sources_sheet(book, styles: Styles, invoice: Invoice) -> None:
    """Where every number came from: the tables' hash, each line's source and every citation
    used. Not part of the customer's page; prints on its own."""
    sheet = book.add_worksheet("Sources")
    sheet.write_string(0, 0, "Tables manifest sha256", styles.bold)
    sheet.write_string(0, 1, invoice.tables_sha256, styles.text)
    sheet.write_string(1, 0, "Invoice number", styles.bold)
    sheet.write_string(1, 1, invoice.label, styles.text)
    columns = [Column("Line", "integer", width=22), Column("City", "wrap", width=24),
               Column("Description", "wrap", width=48), Column("Source", "wrap", width=70)]
    rows = [[i, line.city, line.description, line.source]
            for i, line in enumerate(invoice.lines, start=1)]
    top = 3
    after = write_table(sheet, styles, top, columns, rows, totals_label=None)
    for r, line in enumerate(invoice.lines, start=top + 1):
        sheet.set_row(r, 13 * max(_text_lines(line.description, 48), _text_lines(line.source, 70),
                                  _text_lines(line.city, 24)))
    row = after + 1
    sheet.write_string(row, 0, "Citations used", styles.bold)
    for citation in invoice.citations:
        sheet.merge_range(row, 1, row, 3, citation, styles.wrap)
        sheet.set_row(row, 13 * _text_lines(citation, 24 + 48 + 70))
        row += 1
    print_setup(sheet, f"Sources of invoice {invoice.label}",
                sum(widths_of(columns, rows)), header_row=top, landscape=True)


def write_credit_note(credit, invoice: Invoice, path: Path | None = None,
                      marker: dict[str, str] | None = None, copy=None) -> Path:
    """A credit note: its own number, the invoice it credits, the amount and the reason."""
    import xlsxwriter

    target = Path(path or credit.file)
    with replaced_atomically(target) as temp:
        book = xlsxwriter.Workbook(str(temp))
        book.set_properties({"title": f"Credit note {credit.number:06d}",
                             "author": invoice.seller, "created": as_datetime(credit.date)})
        _mark(book, marker)
        styles = Styles(book)
        sheet = book.add_worksheet("Credit note")
        widths = (20, 66, 10, 16, 16)
        _set_widths(sheet, widths)
        _parties(sheet, styles, "CREDIT NOTE", invoice.seller, invoice.seller_address,
                 "Credit to", invoice.bill_to, invoice.customer_address)
        _copy_mark(sheet, styles, copy)
        _facts(sheet, styles, [("Credit note number", f"{credit.number:06d}"),
                               ("Date", credit.date), ("Credits invoice", invoice.label),
                               ("Invoice date", invoice.invoice_date),
                               ("Contract", invoice.contract), ("Currency", "USD")])
        sheet.write_string(HEADER_ROW, 0, "Description", styles.head)
        for col in (1, 2, 3):
            sheet.write_blank(HEADER_ROW, col, None, styles.head)
        sheet.write_string(HEADER_ROW, 4, "Amount", styles.head_right)
        text = (f"Credit against invoice {invoice.label} of {invoice.invoice_date.isoformat()} "
                f"({month_name(invoice.month)}, total ${invoice.total:,}): {credit.reason}")
        sheet.merge_range(HEADER_ROW + 1, 0, HEADER_ROW + 1, 3, text, styles.wrap)
        sheet.set_row(HEADER_ROW + 1, 13 * _text_lines(text, sum(widths[:4])))
        sheet.write_number(HEADER_ROW + 1, 4, credit.amount, styles.money)
        sheet.write_string(HEADER_ROW + 3, 3, "Total credited", styles.total_label)
        sheet.write_formula(HEADER_ROW + 3, 4, f"=E{HEADER_ROW + 2}", styles.total_currency,
                            credit.amount)
        print_setup(sheet, f"Credit note {credit.number:06d} - {invoice.bill_to}", sum(widths),
                    header_row=None, landscape=False)
        book.close()
    return target


def write_statement(path: Path, statement) -> Path:
    """A statement of account (invoices.receivables.statement.Statement): the entries with the running
    balance as formulas, the amount due, and the aging of what is open. Each invoice's due date
    is the one in force; where any changed since issue, two more columns give the date it was
    issued with and why, and a note under the aging says so."""
    import xlsxwriter

    from invoices.receivables.reports import BUCKETS
    from invoices.documents.html import BUCKET_TITLES

    with replaced_atomically(path) as temp:
        book = xlsxwriter.Workbook(str(temp))
        book.set_properties({"title": f"Statement of account: {statement.bill_to}",
                             "author": statement.seller})
        styles = Styles(book)
        sheet = book.add_worksheet("Statement")
        changed = statement.changed_due_dates
        widths = (12, 20, 20, 12, 16, 16, 16) + ((12, 60) if changed else ())
        _set_widths(sheet, widths)
        sheet.write_string(0, 0, "STATEMENT OF ACCOUNT", styles.title)
        sheet.write_string(2, 0, "From", styles.bold)
        sheet.write_string(3, 0, statement.seller, styles.text)
        sheet.write_string(4, 0, statement.seller_address, styles.text)
        sheet.write_string(6, 0, "Account", styles.bold)
        sheet.write_string(7, 0, statement.bill_to, styles.text)
        sheet.write_string(8, 0, statement.customer_address, styles.text)
        facts = [("Period from", statement.start), ("Period to", statement.end),
                 ("Contract", statement.contract), ("Currency", "USD")]
        for offset, (name, value) in enumerate(facts, start=2):
            sheet.write_string(offset, 4, name, styles.bold)
            if isinstance(value, dt.date):
                sheet.write_datetime(offset, 6, as_datetime(value), styles.date_right)
            else:
                sheet.write_string(offset, 6, value, styles.right)
        sheet.write_string(7, 4, "Amount due", styles.total_label)
        sheet.write_blank(7, 5, None, styles.total_blank)
        top = 10
        columns = ["Date", "Document", "Applies to", "Due date", "Charges", "Credits", "Balance"]
        if changed:
            columns += ["Due date as issued", "Why the due date changed"]
        for col, name in enumerate(columns):
            sheet.write_string(top, col, name,
                               styles.head_right if 3 <= col <= 7 else styles.head)
        sheet.write_datetime(top + 1, 0, as_datetime(statement.start), styles.date)
        sheet.write_string(top + 1, 1, "Opening balance", styles.bold)
        sheet.write_number(top + 1, 6, statement.opening, styles.money)
        row = top + 2
        for entry in statement.entries:
            sheet.write_datetime(row, 0, as_datetime(entry.date), styles.date)
            sheet.write_string(row, 1, entry.document, styles.text)
            sheet.write_string(row, 2, entry.reference, styles.text)
            if entry.due_date:
                sheet.write_datetime(row, 3, as_datetime(entry.due_date), styles.date_right)
            for col, value in ((4, entry.charge), (5, entry.credit)):
                if value is not None:
                    sheet.write_number(row, col, value, styles.money)
            sheet.write_formula(row, 6, f"=G{row}+E{row + 1}-F{row + 1}", styles.money,
                                entry.balance)
            if entry.due is not None and entry.due.changed:
                sheet.write_datetime(row, 7, as_datetime(entry.due.as_issued), styles.date_right)
                sheet.write_string(row, 8, entry.due.reason, styles.text)
            row += 1
        sheet.autofilter(top, 0, row - 1, len(columns) - 1)
        sheet.write_datetime(row, 0, as_datetime(statement.end), styles.date)
        sheet.write_string(row, 1, "Closing balance", styles.total_label)
        for col in range(2, 6):
            sheet.write_blank(row, col, None, styles.total_blank)
        sheet.write_formula(row, 6, f"=G{row}", styles.total_money, statement.closing)
        sheet.write_formula(7, 6, f"=G{row + 1}", styles.total_currency, statement.closing)
        aging_top = row + 2
        sheet.write_string(aging_top, 0, f"Aging of open invoices on {statement.end.isoformat()}",
                           styles.bold)
        names = [b[0] for b in BUCKETS]
        heads = [BUCKET_TITLES[n] for n in names] + ["Disputed", "Total open"]
        values = [statement.aging[n] for n in names] + [statement.disputed, statement.closing]
        for col, (head, value) in enumerate(zip(heads, values)):
            sheet.write_string(aging_top + 1, col, head, styles.head_right)
            sheet.write_number(aging_top + 2, col, value,
                               styles.total_money if col == len(heads) - 1 else styles.money)
        for offset, (number, due) in enumerate(changed, start=aging_top + 4):
            sheet.write_string(offset, 0, moved_due(number, due), styles.text)
        sheet.freeze_panes(top + 1, 0)
        print_setup(sheet, f"Statement - {statement.bill_to}", sum(widths), header_row=top,
                    landscape=True)
        book.close()
    return path
