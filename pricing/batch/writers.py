"""Write priced cities in chunks, by extension: CSV, XLSX or Parquet; and the rejects file.

The run gives each writer a temporary path (pricing.fileio.writes.replaced_atomically) and renames it
into place only when the run finishes, so an interrupted run never leaves a half-written file.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from pricing.fileio.csvsafe import Writer, neutralise, neutralise_column

XLSX_MAX_ROWS = 1_048_576
MONEY_COLUMNS = ("annual_price", "hours_charge", "integration_charge", "total")


class CsvOut:
    """CSV with no formula in it (pricing.fileio.csvsafe): every text column - the city, any column
    passed through from the input, the level - and the header are neutralised; the counts,
    hours and money columns are numbers and are written as they are."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        import pyarrow.csv as pcsv

        self._schema = pa.schema([field.with_name(neutralise(field.name)) for field in schema])
        self._text = [i for i, field in enumerate(schema)
                      if pa.types.is_string(field.type) or pa.types.is_large_string(field.type)]
        self._writer = pcsv.CSVWriter(str(path), self._schema)

    def write(self, table: pa.Table) -> None:
        columns = table.columns
        for i in self._text:
            columns[i] = neutralise_column(columns[i])
        self._writer.write_table(pa.Table.from_arrays(columns, schema=self._schema))

    def close(self, summary) -> None:
        self._writer.close()


class ParquetOut:
    def __init__(self, path: Path, schema: pa.Schema) -> None:
        import pyarrow.parquet as pq

        self._writer = pq.ParquetWriter(str(path), schema)

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)

    def close(self, summary) -> None:
        self._writer.close()


class XlsxOut:
    """A workbook a planner hands on and can print. Cities: the header frozen and repeated on
    every printed page, numbers right-aligned under right-aligned headers, a filter over the
    cities, and a totals row carrying its computed value. Summary: cities and totals by level,
    the date priced and the tables used. Both print one page wide with "Page N of M" in the
    footer (pricing.fileio.workbook_style).

    The sheet is written in XlsxWriter's constant_memory mode: each row goes to disk as it is
    written and is not kept. Column widths, the filter and the print setup are kept apart from
    the rows and written when the workbook closes, so close() sets them from what the rows held:
    the widest value of each column, found per chunk with pyarrow.compute (never cell by cell).
    A cell is written with no format of its own: text and counts take the workbook's default
    (the font of the other cells), money and hours their column's number format, and text
    after a number column (the level) its column's indent.
    """

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        import xlsxwriter

        from pricing.fileio.workbook_style import Column, Styles, book_options

        self._book = xlsxwriter.Workbook(str(path), book_options(constant_memory=True))
        self._styles = styles = Styles(self._book)
        self._sheet = sheet = self._book.add_worksheet("Cities")
        kinds = [_kind(field) for field in schema]
        self._columns = [Column(field.name, kind, total=field.name in MONEY_COLUMNS,
                                indent=kind == "text" and col > 0 and kinds[col - 1] != "text")
                         for col, (field, kind) in enumerate(zip(schema, kinds))]
        # "#,##0.00" as before (what tests/test_batch.py pins); it shows as workbook_style.MONEY.
        money = styles.add(num_format="#,##0.00")
        self._formats = [money if c.kind == "money" else styles.hours if c.kind == "hours"
                         else styles.text_indent if c.indent else None for c in self._columns]
        self._widest = [0] * len(self._columns)
        sheet.freeze_panes(1, 0)
        for col, (column, fmt) in enumerate(zip(self._columns, self._formats)):
            sheet.set_column(col, col, None, fmt)
            sheet.write_string(0, col, column.name, styles.head_for(column))
        self._row = 1

    def write(self, table: pa.Table) -> None:
        from pricing.errors import PricingError

        if self._row + table.num_rows + 1 > XLSX_MAX_ROWS:
            raise PricingError(f"an XLSX sheet holds at most {XLSX_MAX_ROWS:,} rows; "
                               f"write CSV or Parquet for this many cities")
        for col, column in enumerate(self._columns):
            self._widest[col] = max(self._widest[col], _widest(table.column(col), column.kind))
        columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
        sheet = self._sheet
        for values in zip(*columns):
            for col, value in enumerate(values):
                if isinstance(value, str):
                    sheet.write_string(self._row, col, value)   # text, never a formula
                elif value is not None:
                    sheet.write_number(self._row, col, value)   # money: the exact Decimal
            self._row += 1

    def close(self, summary) -> None:
        from xlsxwriter.utility import xl_rowcol_to_cell

        from pricing.fileio.workbook_style import print_setup

        sheet, styles = self._sheet, self._styles
        last = self._row - 1
        widths = []
        for col, column in enumerate(self._columns):
            widest = self._widest[col]
            if column.total:
                cells = f"{xl_rowcol_to_cell(1, col)}:{xl_rowcol_to_cell(last, col)}"
                formula = f"=SUM({cells})" if last else "=0"      # no city priced: no rows
                total = summary.totals[column.name]
                sheet.write_formula(self._row, col, formula, styles.total_money, total)
                widest = max(widest, _shown_width(total, column.kind))
            elif col == 0:
                sheet.write_string(self._row, col, "Total", styles.total_label)
            else:
                sheet.write_blank(self._row, col, None, styles.total_blank)
            widths.append(_width(column, widest))
            sheet.set_column(col, col, widths[-1], self._formats[col])
        sheet.autofilter(0, 0, last, len(self._columns) - 1)           # not the totals row
        print_setup(sheet, f"Priced cities as of {summary.as_of}", sum(widths), header_row=0,
                    landscape=True)
        _summary_sheet(self._book, styles, summary)
        self._book.close()


def _kind(field: pa.Field) -> str:
    """How a column of the priced table is shown (pricing.fileio.workbook_style kinds)."""
    if field.name in MONEY_COLUMNS:
        return "money"
    if pa.types.is_integer(field.type):
        return "integer"
    if pa.types.is_decimal(field.type):
        return "hours"
    return "text"


def _shown_width(value, kind: str) -> int:
    from pricing.fileio.workbook_style import shown_width

    if value is None:
        return 0
    if kind == "hours":                 # as HOURS shows it: two to four places
        places = min(max(2, -value.normalize().as_tuple().exponent), 4)
        return len(f"{value:,.{places}f}") + 1
    return shown_width(value)


def _widest(column: pa.ChunkedArray, kind: str) -> int:
    """The shown width of a chunk's widest value in one column, computed vectorized."""
    import pyarrow.compute as pc

    if kind == "text":
        return pc.max(pc.utf8_length(column)).as_py() or 0
    extremes = pc.min_max(column).as_py()
    return max(_shown_width(extremes["min"], kind), _shown_width(extremes["max"], kind))


def _width(column, widest: int) -> int:
    """As workbook_style.width_for, from the widest value's width rather than the values."""
    from pricing.fileio.workbook_style import MAX_WIDTH, MIN_WIDTH

    header = len(column.name) + (2 if column.numeric else 0)   # room for the filter button
    indent = 1 if column.indent else 0
    return min(max(max(header, widest) + 2 + indent, MIN_WIDTH), MAX_WIDTH)


def _summary_sheet(book, styles, summary) -> None:
    """Cities and total by level with an "All levels" totals row, then the date priced, the
    annual period and the tables' hash."""
    from pricing.fileio.workbook_style import (TITLE_HEIGHT, Column, as_datetime, print_setup,
                                        widths_of, write_table)

    sheet = book.add_worksheet("Summary")
    title = f"Priced cities by level, as of {summary.as_of}"
    sheet.set_row(0, TITLE_HEIGHT)
    sheet.write_string(0, 0, title, styles.title)
    columns = [Column("level"), Column("cities", "integer", total=True),
               Column("total", "money", total=True)]
    rows = [[level, cities, amount] for level, (cities, amount) in summary.by_level.items()]
    after = write_table(sheet, styles, 2, columns, rows, totals_label="All levels",
                        totals={"cities": summary.priced, "total": summary.totals["total"]})
    facts = [("As of", summary.as_of), ("Period from", summary.period_start),
             ("Period to", summary.period_end), ("Tables sha256", summary.tables_sha256)]
    for row, (label, value) in enumerate(facts, start=after + 1):
        sheet.write_string(row, 0, label, styles.bold)
        if isinstance(value, str):
            sheet.write_string(row, 1, value, styles.text)
        elif value is not None:
            sheet.write_datetime(row, 1, as_datetime(value), styles.date)
    widths = widths_of(columns, rows)
    widths[0] = max(widths[0], max(len(label) for label, _ in facts) + 3.0)   # bold labels
    widths[1] = max(widths[1], 12.0)                                        # and dates
    for col in (0, 1):
        sheet.set_column(col, col, widths[col])
    sheet.freeze_panes(3, 0)
    print_setup(sheet, title, sum(widths), header_row=2)


WRITERS = {"csv": CsvOut, "parquet": ParquetOut, "xlsx": XlsxOut}


class RejectsOut:
    """The rejected rows: row number in the input, city, and every reason (text cells
    neutralised, pricing.fileio.csvsafe)."""

    def __init__(self, path: Path) -> None:
        self._handle = path.open("w", newline="", encoding="utf-8")
        self._writer = Writer(self._handle)
        self._writer.writerow(["row", "city", "reason"])

    def write(self, rows: list[tuple[int, str, str]]) -> None:
        self._writer.writerows(
            (row, neutralise(city), neutralise(reason)) for row, city, reason in rows)

    def close(self) -> None:
        self._handle.close()
