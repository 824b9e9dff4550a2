"""The impact workbook: every city old and new, totals by level, and a chart of the
difference by level. Formats and print setup from pricing.fileio.workbook_style."""

from __future__ import annotations

from pathlib import Path

from pricing.fileio.writes import replaced_atomically
from pricing.fileio.workbook_style import Column, Styles, book_options, table_sheet

CITY_COLUMNS = [Column("city"), Column("level_old"), Column("level_new"),
                Column("total_old", "money", total=True), Column("total_new", "money", total=True),
                Column("delta", "money", total=True)]
LEVEL_COLUMNS = [Column("level"), Column("cities", "integer", total=True),
                 Column("total_old", "money", total=True), Column("total_new", "money", total=True),
                 Column("delta", "money", total=True)]


def write_impact(path: Path, result, title: str) -> Path:
    import xlsxwriter

    with replaced_atomically(path) as temp:
        book = xlsxwriter.Workbook(str(temp), book_options())
        styles = Styles(book)
        levels = [[b.level, b.cities, b.total_old, b.total_new, b.delta] for b in result.by_level]
        sheet = table_sheet(book, styles, "By level", title, LEVEL_COLUMNS, levels,
                            subtitle=f"as of {result.as_of.isoformat()}; tables "
                                     f"{result.tables_old[:12]} against {result.tables_new[:12]}",
                            totals={"cities": len(result.cities), "total_old": result.total_old,
                                    "total_new": result.total_new, "delta": result.total_delta})
        if levels:
            chart = book.add_chart({"type": "bar"})
            first, last = 4, 3 + len(levels)           # the table's rows (header on row 4)
            chart.add_series({"name": "difference", "categories": ["By level", first, 0, last, 0],
                              "values": ["By level", first, 4, last, 4],
                              "data_labels": {"value": True, "num_format": "#,##0.00"}})
            chart.set_title({"name": "Difference by level (new - old)"})
            chart.set_legend({"none": True})
            chart.set_x_axis({"num_format": "$#,##0"})
            chart.set_y_axis({"reverse": True})        # levels top-down, as in the table
            sheet.insert_chart(last + 3, 0, chart, {"x_scale": 1.3, "y_scale": 1.0})
        rows = [[c.city, c.level_old, c.level_new, c.old["total"], c.new["total"], c.delta]
                for c in result.cities]
        table_sheet(book, styles, "Cities", title, CITY_COLUMNS, rows,
                    totals={"total_old": result.total_old, "total_new": result.total_new,
                            "delta": result.total_delta})
        book.close()
    return path
