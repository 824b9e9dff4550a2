"""The aging workbook: open balances per bill-to by days past due, on one printed page.

Lays out the rows `pricing ar aging` computed (invoices.receivables.reports.aging) and computes
nothing but the totals row: a SUM per money column, stored with its value (the Decimal sum)
so a program reading the file sees the totals too. Formats and print settings come from
pricing.fileio.workbook_style.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from invoices.documents.html import BUCKET_TITLES
from pricing.fileio.writes import replaced_atomically
from pricing.fileio.workbook_style import Column, Styles, table_sheet, widths_of

# The report's column keys (its CSV and JSON) as the printed sheet heads them.
TITLES = {"bill_to": "Bill to", **BUCKET_TITLES, "disputed": "Disputed", "total": "Total"}

SUBTITLE = ("Undisputed open balances by days past due; disputed amounts shown apart and "
            "counted in the total.")


def write_aging(path: Path, as_of: dt.date, columns: list[str], values: list[list]) -> Path:
    """Write the aging workbook to `path` (whole or not at all) and return the path.

    `columns` names the bill-to column and then the money columns (the buckets, disputed,
    total); each row of `values` is a bill-to and its Decimal amounts. One sheet, "Aging":
    title and subtitle, the table with its header frozen and a filter, and a "Total" row. It
    prints on one page: portrait or landscape by the table's width, fitted to one page wide
    and one tall.
    """
    import xlsxwriter

    titles = [TITLES.get(name, name) for name in columns]        # headers for people
    money = [Column(name, "money", total=True) for name in titles[1:]]
    width = max(widths_of(money, [row[1:] for row in values]), default=None)   # all alike
    table = [Column(titles[0])] + [Column(name, "money", total=True, width=width)
                                   for name in titles[1:]]
    with replaced_atomically(path) as temp:
        book = xlsxwriter.Workbook(str(temp))
        styles = Styles(book)
        sheet = table_sheet(book, styles, "Aging", f"Aging as of {as_of.isoformat()}", table,
                            values, subtitle=SUBTITLE, totals_label="Total")
        sheet.fit_to_pages(1, 1)        # one page tall too: the aging is read on one sheet
        book.close()
    return Path(path)
