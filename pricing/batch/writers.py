"""Write priced cities in chunks, by extension: CSV, XLSX or Parquet; and the rejects file.

The run gives each writer a temporary path (pricing.files.replaced_atomically) and renames it
into place only when the run finishes, so an interrupted run never leaves a half-written file.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from pricing.csvsafe import Writer, neutralise, neutralise_column

XLSX_MAX_ROWS = 1_048_576
MONEY_COLUMNS = ("annual_price", "hours_charge", "integration_charge", "total")


class CsvOut:
    """CSV with no formula in it (pricing.csvsafe): every text column - the city, any column
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
    """A workbook a planner hands on: frozen header, money formatted, a totals row carrying
    its computed value, and a summary sheet of cities and totals by level."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        import xlsxwriter

        self._book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        self._sheet = self._book.add_worksheet("Cities")
        self._money = self._book.add_format({"num_format": "#,##0.00"})
        self._bold = self._book.add_format({"bold": True})
        self._bold_money = self._book.add_format({"bold": True, "num_format": "#,##0.00"})
        self._names = schema.names
        self._money_at = [i for i, n in enumerate(self._names) if n in MONEY_COLUMNS]
        self._sheet.freeze_panes(1, 0)
        for col, name in enumerate(self._names):
            self._sheet.write_string(0, col, name, self._bold)
            self._sheet.set_column(col, col, 16 if name in MONEY_COLUMNS else 12)
        self._row = 1

    def write(self, table: pa.Table) -> None:
        from pricing.errors import PricingError

        if self._row + table.num_rows + 1 > XLSX_MAX_ROWS:
            raise PricingError(f"an XLSX sheet holds at most {XLSX_MAX_ROWS:,} rows; "
                               f"write CSV or Parquet for this many cities")
        columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
        money = set(self._money_at)
        sheet = self._sheet
        for values in zip(*columns):
            for col, value in enumerate(values):
                if col in money:
                    sheet.write_number(self._row, col, value, self._money)  # exact Decimal
                elif isinstance(value, str):
                    sheet.write_string(self._row, col, value)   # text, never a formula
                elif value is not None:
                    sheet.write_number(self._row, col, value)
            self._row += 1

    def close(self, summary) -> None:
        from xlsxwriter.utility import xl_rowcol_to_cell

        sheet = self._sheet
        last = self._row - 1
        sheet.write_string(self._row, 0, "Total", self._bold)
        for col in self._money_at:
            name = self._names[col]
            cells = f"{xl_rowcol_to_cell(1, col)}:{xl_rowcol_to_cell(max(last, 1), col)}"
            sheet.write_formula(self._row, col, f"=SUM({cells})", self._bold_money,
                                summary.totals[name])
        summary_sheet = self._book.add_worksheet("Summary")
        summary_sheet.write_row(0, 0, ["level", "cities", "total"], self._bold)
        summary_sheet.set_column(0, 0, 14)
        summary_sheet.set_column(2, 2, 18)
        row = 1
        for level, (cities, amount) in summary.by_level.items():
            summary_sheet.write_string(row, 0, level)
            summary_sheet.write_number(row, 1, cities)
            summary_sheet.write_number(row, 2, amount, self._money)
            row += 1
        summary_sheet.write_string(row, 0, "All levels", self._bold)
        summary_sheet.write_formula(row, 1, f"=SUM(B2:B{row})", self._bold, summary.priced)
        summary_sheet.write_formula(row, 2, f"=SUM(C2:C{row})", self._bold_money,
                                    summary.totals["total"])
        summary_sheet.write_string(row + 2, 0, "As of")
        summary_sheet.write_string(row + 2, 1, summary.as_of.isoformat())
        summary_sheet.write_string(row + 3, 0, "Tables")
        summary_sheet.write_string(row + 3, 1, summary.tables_sha256)
        self._book.close()


WRITERS = {"csv": CsvOut, "parquet": ParquetOut, "xlsx": XlsxOut}


class RejectsOut:
    """The rejected rows: row number in the input, city, and every reason (text cells
    neutralised, pricing.csvsafe)."""

    def __init__(self, path: Path) -> None:
        self._handle = path.open("w", newline="", encoding="utf-8")
        self._writer = Writer(self._handle)
        self._writer.writerow(["row", "city", "reason"])

    def write(self, rows: list[tuple[int, str, str]]) -> None:
        self._writer.writerows(
            (row, neutralise(city), neutralise(reason)) for row, city, reason in rows)

    def close(self) -> None:
        self._handle.close()
