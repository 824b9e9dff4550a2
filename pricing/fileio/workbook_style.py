"""One look for every workbook the tool writes, and a print setup that puts it on paper.

Each XlsxWriter writer (invoice, credit note, statement, aging, batch output, comparison) takes
its formats and print settings from here, so a workbook prints the same way whoever wrote it:
fit to one page wide, landscape when the columns are wider than a portrait page, margins, the
header row repeated on every page, "Page N of M" in the footer, right-aligned numeric headers
over right-aligned numbers, and column widths from their content.

The module takes an XlsxWriter workbook or worksheet as an argument and never imports
XlsxWriter itself, so the pricing core stays free of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

MONEY = "#,##0.00;-#,##0.00"
CURRENCY = '"$"#,##0.00;-"$"#,##0.00'     # USD with its sign, for totals a customer reads
DATE = "yyyy-mm-dd"
PERCENT = "0.00%"
HOURS = "#,##0.00##"                     # hours carry up to four places; show at least two
FONT = "Liberation Sans"                 # metric-compatible with Arial; shipped with LibreOffice
TITLE_HEIGHT = 22                        # points: a row for the 16-point title
PORTRAIT_WIDTH = 95                      # characters of column width a portrait page holds
MIN_WIDTH, MAX_WIDTH = 8, 60
NUMERIC = ("money", "currency", "integer", "number", "percent", "date", "hours")


def book_options(**extra) -> dict:
    """XlsxWriter Workbook options giving a cell written with no format of its own the look of
    the Styles formats (font, size, alignment; a row height to match): for a large sheet, where
    a format on every cell costs time and bytes. Liberation Sans 10 has the same digit width as
    Calibri 11, so column widths mean the same."""
    return {"default_format_properties": {"font_name": FONT, "font_size": 10, "valign": "top"},
            "default_row_height": 17, **extra}


class Styles:
    """The formats of one workbook (XlsxWriter formats belong to the workbook that made them).

    Attributes: title, bold, text, wrap, head (a text column's header), head_right (a numeric
    column's header), money, currency, integer, number, hours (two to four places), percent,
    date, and total_* variants (bold with a rule above) for a totals row; head_indent,
    text_indent and wrap_indent for a text column set off from a numeric one on its left;
    add(**properties) makes a further format on the same base.
    """

    def __init__(self, book) -> None:
        base = {"font_name": FONT, "font_size": 10, "valign": "top"}

        def fmt(**extra):
            return book.add_format({**base, **extra})

        self.add = fmt          # a further format on the same base, for a case not named here
        self.title = fmt(bold=True, font_size=16)
        self.subtitle = fmt(font_size=11)
        self.bold = fmt(bold=True)
        self.text = fmt()
        self.right = fmt(align="right")
        self.wrap = fmt(text_wrap=True)
        self.head = fmt(bold=True, bottom=1, bg_color="#E8E8E8")
        self.head_right = fmt(bold=True, bottom=1, bg_color="#E8E8E8", align="right")
        self.head_indent = fmt(bold=True, bottom=1, bg_color="#E8E8E8", align="left", indent=1)
        self.text_indent = fmt(align="left", indent=1)
        self.wrap_indent = fmt(text_wrap=True, align="left", indent=1)
        self.money = fmt(num_format=MONEY)
        self.currency = fmt(num_format=CURRENCY)
        self.integer = fmt(num_format="#,##0")
        self.number = fmt(num_format="#,##0.##########")
        self.hours = fmt(num_format=HOURS)
        self.percent = fmt(num_format=PERCENT)
        self.date = fmt(num_format=DATE, align="left")
        self.date_right = fmt(num_format=DATE, align="right")
        self.total_label = fmt(bold=True, top=1)
        self.total_money = fmt(bold=True, top=1, num_format=MONEY)
        self.total_currency = fmt(bold=True, top=1, num_format=CURRENCY)
        self.total_integer = fmt(bold=True, top=1, num_format="#,##0")
        self.total_blank = fmt(top=1)

    def for_kind(self, kind: str, indent: bool = False):
        if indent and kind in ("text", "wrap"):
            return self.text_indent if kind == "text" else self.wrap_indent
        return {"money": self.money, "currency": self.currency, "integer": self.integer,
                "number": self.number, "hours": self.hours, "percent": self.percent,
                "date": self.date_right, "text": self.text, "wrap": self.wrap}[kind]

    def head_for(self, column: Column):
        """A column's header: right-aligned over numbers, indented over indented text."""
        if column.numeric:
            return self.head_right
        return self.head_indent if column.indent else self.head

    def total_for(self, kind: str):
        return {"money": self.total_money, "currency": self.total_currency,
                "integer": self.total_integer}.get(kind, self.total_blank)


@dataclass(frozen=True)
class Column:
    """A table column: its header, what it holds (text, wrap, money, currency, integer,
    number, hours, percent, date), whether the totals row sums it, and (text and wrap) whether
    it is indented by a character, so that it does not run into right-aligned numbers on its
    left."""

    name: str
    kind: str = "text"
    total: bool = False
    width: int | None = None            # fixed width in characters; None: from the content
    indent: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC


def shown_width(value) -> int:
    """Characters a value takes as the workbook shows it (money with separators)."""
    if value is None:
        return 0
    if isinstance(value, (Decimal, float)) and not isinstance(value, bool):
        return len(f"{value:,.2f}") + 1
    if isinstance(value, int):
        return len(f"{value:,}")
    if isinstance(value, (dt.date, dt.datetime)):
        return 10
    return max((len(part) for part in str(value).splitlines()), default=0)


def width_for(column: Column, values: Iterable) -> int:
    """A column's width from its header and content, within bounds (wrapped text stops at the
    bound; the row grows instead)."""
    if column.width is not None:
        return column.width
    widest = max([len(column.name) + (2 if column.numeric else 0)]
                 + [shown_width(v) for v in values])
    return min(max(widest + 2 + (1 if column.indent else 0), MIN_WIDTH), MAX_WIDTH)


def print_setup(sheet, title: str, total_width: int, header_row: int | None = None,
                landscape: bool | None = None) -> None:
    """Paper settings: US Letter, fit to one page wide (as many tall as needed), landscape
    when the columns are wider than a portrait page, margins, the header row repeated on every
    page, and the title and "Page N of M" in the footer."""
    sheet.set_paper(1)
    if landscape if landscape is not None else total_width > PORTRAIT_WIDTH:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.7)
    safe = title.replace("&", "&&")
    sheet.set_footer(f"&L&8{safe}&R&8Page &P of &N")
    if header_row is not None:
        sheet.repeat_rows(header_row)


def as_datetime(value: dt.date) -> dt.datetime:
    """A date as XlsxWriter's date cell wants it."""
    return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())


def write_value(sheet, row: int, col: int, value, kind: str, styles: Styles,
                indent: bool = False) -> None:
    """One cell of the right type: numbers as numbers, dates as date cells, text as text
    (never a formula, whatever it starts with)."""
    fmt = styles.for_kind(kind, indent)
    if value is None or value == "":
        sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, (dt.date, dt.datetime)):
        sheet.write_datetime(row, col, as_datetime(value), fmt)
    elif isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_string(row, col, str(value), fmt)


def write_table(sheet, styles: Styles, top: int, columns: Sequence[Column],
                rows: Sequence[Sequence], totals_label: str | None = "Total",
                totals: dict[str, Decimal | int] | None = None, left: int = 0) -> int:
    """A tabular block: header at row `top`, the rows, an autofilter over them, and (when any
    column sums and `totals_label` is given) a totals row of SUM formulas stored with their
    computed values, so a program reading the file sees the totals too. Sets column widths from
    the content. Returns the row after the block.

    `totals` gives the exact totals by column name (the caller's Decimal sums); without it, the
    column's values are summed here.
    """
    from xlsxwriter.utility import xl_rowcol_to_cell

    for offset, (column, width) in enumerate(zip(columns, widths_of(columns, rows))):
        col = left + offset
        sheet.set_column(col, col, width)
        sheet.write_string(top, col, column.name, styles.head_for(column))
    for r, values in enumerate(rows, start=top + 1):
        for offset, (column, value) in enumerate(zip(columns, values)):
            write_value(sheet, r, left + offset, value, column.kind, styles, column.indent)
    last = top + len(rows)
    sheet.autofilter(top, left, max(last, top), left + len(columns) - 1)
    after = last + 1
    if totals_label is not None and any(c.total for c in columns):
        for offset, column in enumerate(columns):
            col = left + offset
            if column.total:
                value = (totals or {}).get(column.name)
                if value is None:
                    value = sum((r[offset] for r in rows if r[offset] is not None), Decimal(0))
                first, final = xl_rowcol_to_cell(top + 1, col), xl_rowcol_to_cell(max(last, top + 1), col)
                formula = f"=SUM({first}:{final})" if rows else "=0"
                sheet.write_formula(after, col, formula, styles.total_for(column.kind), value)
            elif offset == 0:
                sheet.write_string(after, col, totals_label, styles.total_label)
            else:
                sheet.write_blank(after, col, None, styles.total_blank)
        after += 1
    return after


def widths_of(columns: Sequence[Column], rows: Sequence[Sequence]) -> list[int]:
    """Each column's width from its header, its values and (for a summed column) its total."""
    widths = []
    for offset, column in enumerate(columns):
        values = [r[offset] for r in rows]
        width = width_for(column, values)
        if column.total and column.width is None:
            total = sum((v for v in values if v is not None), Decimal(0))
            width = min(max(width, shown_width(total) + 2), MAX_WIDTH)
        widths.append(width)
    return widths


def table_sheet(book, styles: Styles, name: str, title: str, columns: Sequence[Column],
                rows: Sequence[Sequence], subtitle: str | None = None,
                totals_label: str | None = "Total",
                totals: dict[str, Decimal | int] | None = None):
    """A sheet holding one titled table, ready to print: title, optional subtitle, the table
    (header frozen, filter, totals row) and the print setup. Returns the sheet."""
    sheet = book.add_worksheet(name)
    sheet.set_row(0, TITLE_HEIGHT)
    sheet.write_string(0, 0, title, styles.title)
    top = 2
    if subtitle:
        sheet.write_string(1, 0, subtitle, styles.subtitle)
        top = 3
    write_table(sheet, styles, top, columns, rows, totals_label, totals)
    sheet.freeze_panes(top + 1, 0)
    print_setup(sheet, title, sum(widths_of(columns, rows)), header_row=top)
    return sheet
