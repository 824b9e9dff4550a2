"""Workbooks that print: the batch, comparison and aging workbooks carry a print setup (one page
wide, orientation by width, the header row repeated, "Page N of M" in the footer), right-aligned
headers over numbers, a filter over the table, and a totals row where totals make sense. The
aging workbook prints on one page, checked through LibreOffice."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from invoices.documents.aging_workbook import write_aging
from pricing.cli import app
from tests.conftest import libreoffice_convert

D = Decimal
REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
AGING_COLUMNS = ["bill_to", "current", "1-30", "31-60", "61-90", "over 90", "disputed", "total"]
AGING_ROWS = [
    ["KMC Telecom of Virginia, Inc.", D("1000.00"), D("250.50"), D("0.00"), D("0.00"), D("0.00"),
     D("100.00"), D("1350.50")],
    ["KMC Telecom of Alabama, Inc.", D("0.00"), D("0.00"), D("2000.25"), D("0.00"), D("49.75"),
     D("0.00"), D("2050.00")],
]
# By hand, column by column: 1,000.00 + 0; 250.50 + 0; 0 + 2,000.25; 0; 0 + 49.75; 100.00 + 0;
# 1,350.50 + 2,050.00.
AGING_TOTALS = [D("1000.00"), D("250.50"), D("2000.25"), D("0.00"), D("49.75"), D("100.00"),
                D("3400.50")]
runner = CliRunner()


def assert_prints(sheet, orientation: str, header_row: int, pages_tall: int = 0) -> None:
    """Letter paper, one page wide (and `pages_tall` tall; 0: as many as it takes), margins,
    the 1-based `header_row` on every page, and "Page N of M" in the footer."""
    setup = sheet.page_setup
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert setup.fitToWidth in (None, 1)           # 1 is the default, so it may be left out
    assert (setup.fitToHeight if setup.fitToHeight is not None else 1) == pages_tall
    assert setup.orientation == orientation and setup.paperSize == 1
    assert sheet.page_margins.left == 0.5 and sheet.page_margins.bottom == 0.7
    assert sheet.print_title_rows == f"${header_row}:${header_row}"
    footer = sheet.oddFooter.right.text
    assert "&P" in footer and "&N" in footer


def headers(sheet, row: int) -> dict[str, str | None]:
    """Each header's horizontal alignment."""
    return {c.value: c.alignment.horizontal for c in sheet[row] if c.value is not None}


def shown(cell) -> int:
    """Characters a number takes as its format shows it (separators, places, a percent sign)."""
    if "%" in cell.number_format:
        return len(f"{cell.value * 100:.2f}%")
    return len(f"{cell.value:,.{2 if '.00' in cell.number_format else 0}f}")


def assert_fits(values, first_row: int, last_row: int) -> None:
    """No "###": each column is wider than the widest number shown in it, totals included
    (`values`: the sheet read with data_only=True, so formulas give their values)."""
    for column in values.iter_cols(min_row=first_row, max_row=last_row):
        widest = max((shown(c) for c in column if isinstance(c.value, (int, float))), default=0)
        assert width(values, column[0].column) > widest, (column[0].column_letter, widest)


def width(sheet, col: int) -> float:
    """A column's width (adjacent columns of one width are stored as one range)."""
    (found,) = [d.width for d in sheet.column_dimensions.values() if d.min <= col <= d.max]
    return found


def test_aging_workbook_prints_with_a_totals_row(tmp_path):
    path = tmp_path / "aging.xlsx"
    assert write_aging(path, dt.date(2001, 6, 30), AGING_COLUMNS, AGING_ROWS) == path
    assert [p.name for p in tmp_path.iterdir()] == ["aging.xlsx"]      # no temporary left
    sheet = load_workbook(path)["Aging"]
    assert sheet["A1"].value == "Aging as of 2001-06-30"
    titles = ["Bill to", "Current", "1-30 days", "31-60 days", "61-90 days", "Over 90 days",
              "Disputed", "Total"]                  # the report's keys, headed for people
    assert [c.value for c in sheet[4]] == titles
    assert headers(sheet, 4) == {"Bill to": None, **{name: "right" for name in titles[1:]}}
    assert sheet.auto_filter.ref == "A4:H6" and sheet.freeze_panes == "A5"
    assert sheet["A7"].value == "Total"
    assert [sheet.cell(7, c).value for c in range(2, 9)] == [
        f"=SUM({letter}5:{letter}6)" for letter in "BCDEFGH"]
    assert sheet["B5"].number_format == "#,##0.00;-#,##0.00"
    # Bill-to (31 characters) and seven money columns of 12 are wider than a portrait page (95).
    assert_prints(sheet, "landscape", header_row=4, pages_tall=1)
    values = load_workbook(path, data_only=True)["Aging"]
    assert [D(str(values.cell(7, c).value)) for c in range(2, 9)] == AGING_TOTALS
    assert_fits(values, 5, 7)


def test_a_narrow_aging_prints_portrait(tmp_path):
    path = write_aging(tmp_path / "aging.xlsx", dt.date(2001, 6, 30), ["bill_to", "total"],
                       [["KMC Telecom of Virginia, Inc.", D("1350.50")]])
    sheet = load_workbook(path)["Aging"]
    assert_prints(sheet, "portrait", header_row=4, pages_tall=1)
    assert sheet["A6"].value == "Total" and sheet["B6"].value == "=SUM(B5:B5)"


def test_batch_workbook_prints_with_totals_that_add_up(tmp_path):
    out = tmp_path / "priced.xlsx"
    result = runner.invoke(app, ["batch", str(EXAMPLES / "cities.csv"), "-o", str(out),
                                 "--as-of", "2001-10-01"])
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    sheet = book["Cities"]
    header = [c.value for c in sheet[1]]
    assert headers(sheet, 1) == {**{name: "right" for name in header},
                                 "city": None, "level": "left"}
    assert sheet["J1"].value == "level" and sheet["J1"].alignment.indent == 1   # off the counts
    assert sheet["J2"].alignment.indent == 1
    assert sheet.auto_filter.ref == "A1:N37"              # 36 cities; not the totals row
    assert sheet.freeze_panes == "A2"
    assert_prints(sheet, "landscape", header_row=1)
    assert sheet["A38"].value == "Total" and sheet.max_row == 38
    values = load_workbook(out, data_only=True)["Cities"]
    for name in ("annual_price", "hours_charge", "integration_charge", "total"):
        col = header.index(name) + 1
        letter = get_column_letter(col)
        assert sheet.cell(38, col).value == f"=SUM({letter}2:{letter}37)"
        rows = [D(str(values.cell(r, col).value)) for r in range(2, 38)]
        assert D(str(values.cell(38, col).value)) == sum(rows)
    assert D(str(values["N38"].value)) == D("20106270.25")     # the CLI's own total
    assert_fits(values, 2, 38)

    summary = book["Summary"]
    assert [c.value for c in summary[3]] == ["level", "cities", "total"]
    assert headers(summary, 3) == {"level": None, "cities": "right", "total": "right"}
    assert summary.auto_filter.ref == "A3:C8"
    assert_prints(summary, "portrait", header_row=3)
    cached = load_workbook(out, data_only=True)["Summary"]
    levels = [(r[0], r[1], D(str(r[2]))) for r in cached.iter_rows(min_row=4, max_row=8,
                                                                      values_only=True)]
    assert [(summary["A9"].value, summary["B9"].value, summary["C9"].value)] == [
        ("All levels", "=SUM(B4:B8)", "=SUM(C4:C8)")]
    assert cached["B9"].value == sum(r[1] for r in levels) == 36
    assert D(str(cached["C9"].value)) == sum(r[2] for r in levels) == D("20106270.25")
    facts = {r[0]: r[1] for r in cached.iter_rows(min_row=11, values_only=True) if r[0]}
    assert facts["As of"] == dt.datetime(2001, 10, 1)          # a date cell, not text
    assert (facts["Period from"], facts["Period to"]) == (dt.datetime(2001, 10, 1),
                                                          dt.datetime(2002, 9, 30))
    assert summary["B11"].is_date and summary["B11"].number_format == "yyyy-mm-dd"
    assert_fits(cached, 4, 9)


def test_comparison_workbook_prints(tmp_path):
    out = tmp_path / "compare.xlsx"
    result = runner.invoke(app, ["compare", str(EXAMPLES / "exhibit_c_old.csv"),
                                 str(EXAMPLES / "exhibit_c_new.csv"), "--format", "xlsx",
                                 "-o", str(out)])
    assert result.exit_code == 1               # the new quote's shipping does not reconcile
    book = load_workbook(out)
    sheet = book["Comparison"]
    assert headers(sheet, 1) == {"Line": None, "Old": "right", "New": "right",
                                 "Reduction": "right"}
    assert sheet.auto_filter.ref == "A1:D12" and sheet["A12"].value == "Grand Total"
    assert sheet["D12"].value == "=ROUND((C12-B12)/B12,4)" and sheet["B12"].number_format == "#,##0"
    assert sheet.max_row == 12                 # no totals row: the quotes' totals are lines
    assert_prints(sheet, "portrait", header_row=1)
    assert width(sheet, 1) >= len("KMC Central Office")
    values = load_workbook(out, data_only=True)
    assert_fits(values["Comparison"], 2, 12)
    notes = book["Reconciliation"]
    assert headers(notes, 1) == {"Quote": None, "Figure": None, "Stated": "right",
                                 "Computed": "right", "Difference": "right", "Note": "left"}
    assert notes.auto_filter.ref == "A1:F2"
    assert [notes.cell(2, c).value for c in range(1, 6)] == ["new", "shipping", 212509, 237508.9,
                                                             -24999.9]
    assert_prints(notes, "landscape", header_row=1)   # the note is wide
    assert_fits(values["Reconciliation"], 2, 2)


def _to_pdf(xlsx: Path, work: Path) -> Path:
    return libreoffice_convert(xlsx, "pdf", work)


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdfinfo") is None,
                    reason="LibreOffice and poppler-utils are installed by .ci/run")
def test_aging_prints_on_one_page_through_libreoffice(tmp_path):
    # Sixty bill-tos: more rows than one page holds at the width's scale, so only the fit to
    # one page tall keeps it to one. Each filler owes 10.00 at 1-30 days.
    filler = [[f"Bill-to {n:02d}", D("0.00"), D("10.00"), D("0.00"), D("0.00"), D("0.00"),
               D("0.00"), D("10.00")] for n in range(58)]
    path = write_aging(tmp_path / "aging.xlsx", dt.date(2001, 6, 30), AGING_COLUMNS,
                       AGING_ROWS + filler)
    pdf = _to_pdf(path, tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    (pages,) = [line.split()[1] for line in info.stdout.splitlines() if line.startswith("Pages:")]
    assert pages == "1"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    # By hand: 1-30 is 250.50 + 58 x 10.00 = 830.50; total 3,400.50 + 580.00 = 3,980.50.
    (total,) = [line.split() for line in text.splitlines() if line.strip().startswith("Total")]
    assert total == ["Total", "1,000.00", "830.50", "2,000.25", "0.00", "49.75", "100.00",
                     "3,980.50"]
    assert "Aging as of 2001-06-30" in text and "Page 1 of 1" in text


def test_more_rows_than_a_sheet_holds_are_refused_and_nothing_is_written(tmp_path, monkeypatch):
    from pricing.batch import writers

    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 30)        # the real limit is 1,048,576
    refused = CliRunner().invoke(app, ["batch", str(EXAMPLES / "cities.csv"), "-o",
                                       str(tmp_path / "p.xlsx"), "--as-of", "2001-10-01"])
    assert refused.exit_code == 1
    assert "an XLSX sheet holds at most 30 rows; write CSV or Parquet" in refused.output
    assert list(tmp_path.iterdir()) == []
