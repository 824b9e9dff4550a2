"""An invoice as an .xlsx workbook, laid out from the ledger's record: it computes nothing.

Written with XlsxWriter, which stores each formula with its computed value, so Excel,
LibreOffice and a program reading the file (openpyxl data_only, pandas.read_excel) all see the
right totals. Written to a temporary name and renamed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from invoices.records import Invoice
from pricing.files import replaced_atomically

HEADER_ROW = 13        # 0-based row of the line table's header
COLUMNS = ("City", "Description", "Quantity", "Unit price", "Amount", "Source")
WIDTHS = (18, 60, 10, 14, 16, 70)


def _mark(book, marker: dict[str, str] | None) -> None:
    """Say whose document this is (invoices.documents reads it before overwriting a file)."""
    for name, value in (marker or {}).items():
        book.set_custom_property(name, value)


def write_invoice(invoice: Invoice, path: Path | None = None,
                  marker: dict[str, str] | None = None) -> Path:
    """Write the workbook to `path` (default: the invoice's recorded file)."""
    import xlsxwriter
    from xlsxwriter.utility import xl_rowcol_to_cell

    target = Path(path or invoice.file)
    with replaced_atomically(target) as temp:
        book = xlsxwriter.Workbook(str(temp), {"default_date_format": "yyyy-mm-dd"})
        created = dt.datetime.combine(invoice.invoice_date, dt.time())
        book.set_properties({"title": f"Invoice {invoice.label}", "author": invoice.seller,
                             "created": created})
        _mark(book, marker)
        bold = book.add_format({"bold": True})
        title = book.add_format({"bold": True, "font_size": 16})
        money = book.add_format({"num_format": "#,##0.00", "valign": "top"})
        number = book.add_format({"valign": "top"})
        bold_money = book.add_format({"bold": True, "num_format": "#,##0.00", "top": 1})
        head = book.add_format({"bold": True, "bottom": 1, "bg_color": "#DDDDDD"})
        date = book.add_format({"num_format": "yyyy-mm-dd", "align": "left"})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        sheet = book.add_worksheet("Invoice")
        for col, width in enumerate(WIDTHS):
            sheet.set_column(col, col, width)
        sheet.write_string(0, 0, "INVOICE", title)
        sheet.write_string(2, 0, "From", bold)
        sheet.write_string(3, 0, invoice.seller)
        sheet.write_string(4, 0, invoice.seller_address)
        sheet.write_string(6, 0, "Bill to", bold)
        sheet.write_string(7, 0, invoice.bill_to)
        sheet.write_string(8, 0, invoice.customer_address)
        facts = [("Invoice number", invoice.label), ("Invoice date", invoice.invoice_date),
                 ("Terms", invoice.terms), ("Due date", invoice.due_date),
                 ("Contract", invoice.contract), ("Month billed", invoice.month)]
        for offset, (name, value) in enumerate(facts, start=2):
            sheet.write_string(offset, 3, name, bold)
            if isinstance(value, dt.date):
                sheet.write_datetime(offset, 4, dt.datetime.combine(value, dt.time()), date)
            else:
                sheet.write_string(offset, 4, str(value))
        for col, name in enumerate(COLUMNS):
            sheet.write_string(HEADER_ROW, col, name, head)
        row = HEADER_ROW + 1
        for line in invoice.lines:
            # Wrapped cells need their height: spreadsheets do not grow rows written by a program.
            text_lines = max(-(-len(line.description) // (WIDTHS[1] - 4)),
                             -(-len(line.source) // (WIDTHS[5] - 4)), 1)
            sheet.set_row(row, 15 * text_lines)
            sheet.write_string(row, 0, line.city, wrap)
            sheet.write_string(row, 1, line.description, wrap)
            sheet.write_number(row, 2, line.quantity, number)
            sheet.write_number(row, 3, line.unit_price, money)
            product = f"{xl_rowcol_to_cell(row, 2)}*{xl_rowcol_to_cell(row, 3)}"
            sheet.write_formula(row, 4, f"=ROUND({product},2)", money, line.amount)
            sheet.write_string(row, 5, line.source, wrap)
            row += 1
        first, last = xl_rowcol_to_cell(HEADER_ROW + 1, 4), xl_rowcol_to_cell(max(row - 1, HEADER_ROW + 1), 4)
        sheet.write_string(row + 1, 3, "Subtotal", bold)
        sheet.write_formula(row + 1, 4, f"=SUM({first}:{last})", bold_money, invoice.total)
        sheet.write_string(row + 2, 3, "Total due", bold)
        sheet.write_formula(row + 2, 4, f"={xl_rowcol_to_cell(row + 1, 4)}", bold_money,
                            invoice.total)
        sheet.write_string(row + 4, 0, f"Payment due {invoice.due_date.isoformat()} "
                                       f"({invoice.terms}).")
        sheet.freeze_panes(HEADER_ROW + 1, 0)
        sheet.repeat_rows(HEADER_ROW)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sources = book.add_worksheet("Sources")
        sources.set_column(0, 0, 24)
        sources.set_column(1, 1, 120)
        sources.write_string(0, 0, "Tables manifest sha256", bold)
        sources.write_string(0, 1, invoice.tables_sha256)
        sources.write_string(1, 0, "Invoice number", bold)
        sources.write_string(1, 1, invoice.label)
        sources.write_string(3, 0, "Citations used", bold)
        for i, citation in enumerate(invoice.citations, start=4):
            sources.write_string(i, 1, citation)
        book.close()
    return target


def write_credit_note(credit, invoice: Invoice, path: Path | None = None,
                      marker: dict[str, str] | None = None) -> Path:
    """A credit note: its own number, the invoice it credits, the amount and the reason."""
    import xlsxwriter

    target = Path(path or credit.file)
    with replaced_atomically(target) as temp:
        book = xlsxwriter.Workbook(str(temp))
        _mark(book, marker)
        bold = book.add_format({"bold": True})
        title = book.add_format({"bold": True, "font_size": 16})
        money = book.add_format({"num_format": "#,##0.00", "bold": True})
        sheet = book.add_worksheet("Credit note")
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 1, 70)
        sheet.write_string(0, 0, "CREDIT NOTE", title)
        facts = [("Credit note number", f"{credit.number:06d}"), ("Date", credit.date.isoformat()),
                 ("From", f"{invoice.seller}, {invoice.seller_address}"),
                 ("To", f"{invoice.bill_to}, {invoice.customer_address}"),
                 ("Credits invoice", f"{invoice.label} of {invoice.invoice_date} "
                                     f"(total {invoice.total:,})"),
                 ("Contract", invoice.contract), ("Reason", credit.reason)]
        for row, (name, value) in enumerate(facts, start=2):
            sheet.write_string(row, 0, name, bold)
            sheet.write_string(row, 1, value)
        sheet.write_string(len(facts) + 3, 0, "Amount credited", bold)
        sheet.write_number(len(facts) + 3, 1, credit.amount, money)
        sheet.fit_to_pages(1, 0)
        book.close()
    return target


def write_statement(path: Path, bill_to: str, start, end, opening, lines, closing) -> Path:
    """A statement of account: invoices, credits and payments with the running balance."""
    import xlsxwriter

    with replaced_atomically(path) as temp:
        book = xlsxwriter.Workbook(str(temp))
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0.00;-#,##0.00"})
        bold_money = book.add_format({"num_format": "#,##0.00;-#,##0.00", "bold": True})
        sheet = book.add_worksheet("Statement")
        for col, width in enumerate((12, 44, 16, 16)):
            sheet.set_column(col, col, width)
        sheet.write_string(0, 0, f"Statement of account: {bill_to}", bold)
        sheet.write_string(1, 0, f"{start} to {end}")
        sheet.write_row(3, 0, ["Date", "Document", "Amount", "Balance"], bold)
        sheet.write_string(4, 1, "Opening balance")
        sheet.write_number(4, 3, opening, money)
        row = 5
        for line in lines:
            sheet.write_string(row, 0, line.date.isoformat())
            sheet.write_string(row, 1, line.document)
            sheet.write_number(row, 2, line.amount, money)
            sheet.write_formula(row, 3, f"=D{row}+C{row + 1}", money, line.balance)
            row += 1
        sheet.write_string(row, 1, "Closing balance", bold)
        sheet.write_formula(row, 3, f"=D{row}", bold_money, closing)
        sheet.freeze_panes(4, 0)
        book.close()
    return path
