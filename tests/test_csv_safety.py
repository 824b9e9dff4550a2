"""No formula reaches a CSV: every CSV a command writes neutralises text cells a spreadsheet
would run (first character =, +, -, @, tab or CR) with a leading apostrophe, and leaves the
program's own numbers as they are. An input column named like a batch output column is refused.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from pricing.cli import app
from pricing.cli.common import emit_csv
from pricing.fileio.csvsafe import neutralise, neutralise_cell, neutralise_column
from pricing.errors import ProblemsError

runner = CliRunner()
AS_OF = "2001-10-01"
COUNTS = "city,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv,hours,integration_sites"

# (text as given, as it must read back)
DANGEROUS = [
    ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
    ("+1", "'+1"),
    ("-2", "'-2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
]


def read_csv_text(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def read_csv_file(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def write_csv_file(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


# --- the rule itself ---------------------------------------------------------------------

@pytest.mark.parametrize("given, expected", DANGEROUS + [
    ("Huntsville AL", "Huntsville AL"), ("", ""), ("a=b", "a=b"), (" =x", " =x"),
    ("\u00e9=", "\u00e9="), ("'=x", "'=x")])
def test_neutralise_one_string_and_a_column_agree(given, expected):
    assert neutralise(given) == expected
    assert neutralise_column(pa.array([given], pa.string())).to_pylist() == [expected]
    assert neutralise_column(pa.array([given], pa.large_string())).to_pylist() == [expected]


def test_neutralise_column_nulls_slices_and_clean_columns():
    column = pa.array(["ok", None, "=1", "", "-2", "\u00e9"], pa.string())
    assert neutralise_column(column).to_pylist() == ["ok", None, "'=1", "", "'-2", "\u00e9"]
    assert neutralise_column(column.slice(3, 2)).to_pylist() == ["", "'-2"]
    clean = pa.array(["a", "b"], pa.string())
    assert neutralise_column(clean) is clean                 # nothing to do: no copy
    assert neutralise_column(pa.chunked_array([["=x"], ["y"]])).to_pylist() == ["'=x", "y"]
    with pytest.raises(TypeError):
        neutralise_column(pa.array([1, 2]))


def test_neutralise_cell_leaves_the_programs_numbers_and_dates():
    assert neutralise_cell(Decimal("-5.00")) == Decimal("-5.00")
    assert neutralise_cell(-3) == -3
    assert neutralise_cell(dt.date(2001, 4, 16)) == dt.date(2001, 4, 16)
    assert neutralise_cell(None) is None
    assert neutralise_cell("-5.00") == "'-5.00"              # text, e.g. from a user's file


def test_emit_csv_directly(capsys):
    emit_csv(["name", "amount", "count", "date", "blank", "reduction", "=head"],
             [['=HYPERLINK("x")', Decimal("-5.00"), -3, dt.date(2001, 4, 16), None, "-8.85%", "+1"],
              ["@SUM(A1)", Decimal("198000.00"), 7, dt.date(2001, 5, 1), "", "-0.91%", "\rcmd"]],
             computed=("reduction",))
    assert read_csv_text(capsys.readouterr().out) == [
        ["name", "amount", "count", "date", "blank", "reduction", "'=head"],
        ['\'=HYPERLINK("x")', "-5.00", "-3", "2001-04-16", "", "-8.85%", "'+1"],
        ["'@SUM(A1)", "198000.00", "7", "2001-05-01", "", "-0.91%", "'\rcmd"]]


# --- batch ------------------------------------------------------------------------------

def batch_input(tmp_path: Path) -> Path:
    # Huntsville AL, worked by hand in test_batch.py (PSA Amdt 1 Appendix A, period 2001-10-01):
    # 20 gateway > 15, 10 SLC > 8: Small $198,000; 1,600 h: 2 blocks $243,000; 1 site $100,000.
    rows = [COUNTS.split(",") + ["note", "@ref"]]
    for k, (given, _) in enumerate(DANGEROUS):
        rows.append([f"Huntsville AL {k}", 20, 1, 10, 1, 1, 1, "1600", 1, given, "x"])
    rows.append(["=CITY()", 20, 1, 10, 1, 1, 1, "1600", 1, "plain", "-9"])
    rows.append(["-Rejected", 20, 0, 10, 1, 1, 1, "1600", 1, "", ""])     # no 5ESS: rejected
    rows.append(['=HYPERLINK("r")', 20, 2, 10, 1, 1, 1, "1600", 1, "", ""])  # two: rejected
    return write_csv_file(tmp_path / "cities.csv", rows)


def test_batch_csv_neutralises_pass_through_columns_and_keeps_numbers(tmp_path):
    source, out = batch_input(tmp_path), tmp_path / "priced.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(out), "--as-of", AS_OF])
    assert result.exit_code == 1, result.output               # two rows rejected
    header, *rows = read_csv_file(out)
    assert header == COUNTS.split(",") + ["note", "'@ref", "level", "annual_price",
                                          "hours_charge", "integration_charge", "total"]
    numbers = ["20", "1", "10", "1", "1", "1", "1600.0000", "1",
               "Small", "198000.00", "243000.00", "100000.00", "541000.00"]
    assert [row[9] for row in rows[:6]] == [expected for _, expected in DANGEROUS]
    for row in rows:
        assert row[1:9] + row[11:] == numbers                  # the numbers untouched
    assert rows[6][0] == "'=CITY()" and rows[6][10] == "'-9"
    assert len(rows) == 7


def test_batch_rejects_file_neutralises_city_names(tmp_path):
    source, out = batch_input(tmp_path), tmp_path / "priced.csv"
    runner.invoke(app, ["batch", str(source), "-o", str(out), "--as-of", AS_OF])
    header, *rows = read_csv_file(tmp_path / "priced.rejects.csv")
    assert header == ["row", "city", "reason"]
    assert [(row[0], row[1]) for row in rows] == [("9", "'-Rejected"), ("10", '\'=HYPERLINK("r")')]
    assert rows[0][2].startswith("five_ess:")


@pytest.mark.parametrize("column", ["total", "Level", " annual_price "])
def test_batch_refuses_an_input_column_named_like_an_output_column(tmp_path, column):
    source = tmp_path / "cities.csv"
    source.write_text(f"{COUNTS},{column}\nHuntsville AL,20,1,10,1,1,1,1600,1,x\n")
    out = tmp_path / "priced.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(out), "--as-of", AS_OF])
    assert result.exit_code == 1
    name = column.strip()
    assert (f"{source}, row 1, column {name}: clashes with the output column "
            f"{name.lower()!r} the batch adds") in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cities.csv"]   # nothing written


def test_price_cities_refuses_a_column_named_like_an_output_column(tables):
    from pricing.batch.frame import price_cities

    df = pd.DataFrame({"city": ["A"], "gateway_elements": [1], "five_ess": [1], "slc": [1],
                       "sm": [1], "dacs_ii": [1], "dacs_iv": [1], "Total": ["mine"]})
    with pytest.raises(ProblemsError) as caught:
        price_cities(df, dt.date(2001, 10, 1), tables)
    assert [str(p) for p in caught.value.problems] == [
        "DataFrame, column Total: clashes with the output column 'total' the batch adds "
        "(it adds level, annual_price, hours_charge, integration_charge, total); "
        "rename or remove the column"]


# --- relevel, capacity, compare ---------------------------------------------------------

def monthly_reports(tmp_path: Path, cities: dict[str, list[tuple[str, int, int]]]) -> Path:
    """{city: [(first month, gateway, slc), ...]}: counts hold until the next step's month;
    every month is reported (no gaps)."""
    rows = [["city", "month", "gateway_elements", "five_ess", "slc", "sm", "dacs_ii", "dacs_iv"]]
    for city, steps in cities.items():
        y, m = map(int, steps[0][0].split("-"))
        while f"{y:04d}-{m:02d}" <= steps[-1][0]:
            label = f"{y:04d}-{m:02d}"
            _, gateway, slc = [s for s in steps if s[0] <= label][-1]
            rows.append([city, label, gateway, 1, slc, 1, 1, 1])
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return write_csv_file(tmp_path / "reports.csv", rows)


# Period 1998 (first): gateway 10 -> 20 and SLC 5 -> 10, two changes, so period 1999 is
# re-evaluated from 20/10: Small, $198,000 (as test_reports.py works by hand).
HISTORY = [("1998-10", 10, 5), ("1999-06", 20, 10), ("1999-09", 20, 10)]


def test_relevel_csv_to_stdout_and_to_a_file(tmp_path):
    path = monthly_reports(tmp_path, {'=HYPERLINK("x")': HISTORY, "-2": HISTORY})
    expected = [["city", "previous_level", "level", "annual_price", "changed", "reason"],
                ["'-2", "Very Small", "Small", "198000.00", "gateway_elements, slc"],
                ['\'=HYPERLINK("x")', "Very Small", "Small", "198000.00", "gateway_elements, slc"]]
    result = runner.invoke(app, ["relevel", str(path), "--period", "1999", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = read_csv_text(result.stdout)
    assert [rows[0]] + [row[:5] for row in rows[1:]] == expected
    out = tmp_path / "levels.csv"
    result = runner.invoke(app, ["relevel", str(path), "--period", "1999", "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = read_csv_file(out)
    assert [rows[0]] + [row[:5] for row in rows[1:]] == expected


def test_capacity_csv(tmp_path):
    # Gateway 15 is exactly Very Small's limit: "at" it (test_reports.py).
    path = monthly_reports(tmp_path, {"@SUM(A1)": [("1998-10", 15, 5), ("1999-03", 15, 5)],
                                      "+1": [("1998-10", 14, 7), ("1999-03", 14, 7)]})
    result = runner.invoke(app, ["capacity", str(path), "--as-of", "1999-03-31", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert read_csv_text(result.stdout) == [
        ["city", "billed_level", "counts_level", "status", "at_limit", "forecast_month",
         "forecast_component", "last_report"],
        ["'+1", "Very Small", "Very Small", "within", "", "", "", "1999-03"],
        ["'@SUM(A1)", "Very Small", "Very Small", "at", "gateway_elements", "", "", "1999-03"]]


def test_compare_csv_neutralises_element_names_not_reductions(tmp_path):
    old = write_csv_file(tmp_path / "old.csv", [["element", "amount", "kind"],
                                               ['=HYPERLINK("x")', 1000, "element"],
                                               ["-2", 2000, "element"]])
    new = write_csv_file(tmp_path / "new.csv", [["element", "amount", "kind"],
                                               ['=HYPERLINK("x")', 900, "element"],
                                               ["-2", 2500, "element"]])
    result = runner.invoke(app, ["compare", str(old), str(new), "--format", "csv"])
    assert result.exit_code == 0, result.output
    # (900 - 1000) / 1000 = -10.00%; (2500 - 2000) / 2000 = 25.00%; shipping 5% of 3,000 and
    # 3,400: 150.00 and 170.00; subtotal 3,150.00 and 3,570.00 (+13.33%).
    assert read_csv_text(result.stdout) == [
        ["line", "old", "new", "reduction"],
        ['\'=HYPERLINK("x")', "1000", "900", "-10.00%"],
        ["'-2", "2000", "2500", "25.00%"],
        ["Shipping", "150.00", "170.00", "13.33%"],
        ["Subtotal", "3150.00", "3570.00", "13.33%"],
        ["Grand Total", "3150.00", "3570.00", "13.33%"]]


def test_compare_example_reductions_stay_numbers():
    repo = Path(__file__).resolve().parent.parent / "examples"
    result = runner.invoke(app, ["compare", str(repo / "exhibit_c_old.csv"),
                                 str(repo / "exhibit_c_new.csv"), "--format", "csv"])
    assert ["Grand Total", "8107860", "6912687", "-14.74%"] in read_csv_text(result.stdout)
