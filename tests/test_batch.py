"""`pricing batch` and `price_cities`: values by hand, every format, every bad input."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from pricing.batch import run as batch_run
from pricing.batch.frame import price_cities
from pricing.batch.run import run_batch
from pricing.cli import app
from pricing.errors import PricingError, ProblemsError

D = Decimal
REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "cities.csv"
AS_OF = dt.date(2001, 10, 1)
HEADER = "city,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv,hours,integration_sites\n"
runner = CliRunner()


def read_rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="") as handle:
        return {row["city"]: row for row in csv.DictReader(handle)}


def write(tmp_path: Path, text: str, name: str = "cities.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# Worked by hand from PSA Amdt 1 Appendix A (period 2001-10-01 to 2002-09-30):
@pytest.mark.parametrize("city, level, annual, hours, integration, total", [
    # 20 gateway > 15, 10 SLC > 8: Small. 1,600 h: 2 blocks. 1 site.
    ("Huntsville AL", "Small", "198000.00", "243000.00", "100000.00", "541000.00"),
    # 38 gateway > 35, SM 3: Large. 16,250.25 h: 10 blocks + 1,250.25 h x $81 = 101,270.25.
    ("Macon GA", "Large", "320000.00", "1316270.25", "100000.00", "1736270.25"),
    # 15 gateway, 8 SLC: Very Small. 15,000 h: exactly 10 blocks, nothing hourly.
    ("Columbus GA", "Very Small", "163000.00", "1215000.00", "0.00", "1378000.00"),
    # SM 5, DACS II 2: Very Large. 18,000 h: 10 blocks + 3,000 h x $81. 2 sites.
    ("Eau Claire WI", "Very Large", "390000.00", "1458000.00", "200000.00", "2048000.00"),
    # 1,499 h: one block; 1,501 h: two.
    ("Savannah GA", "Small", "198000.00", "121500.00", "0.00", "319500.00"),
    ("Augusta GA", "Medium", "245000.00", "243000.00", "0.00", "488000.00"),
])
def test_example_cities_by_hand(tmp_path, tables, city, level, annual, hours, integration, total):
    out = tmp_path / "priced.csv"
    summary = run_batch(EXAMPLE, out, tables, AS_OF)
    assert summary.rejected == 0 and summary.priced == 36
    row = read_rows(out)[city]
    assert (row["level"], row["annual_price"], row["hours_charge"], row["integration_charge"],
            row["total"]) == (level, annual, hours, integration, total)


def test_first_annual_period_bills_very_small(tmp_path, tables):
    out = tmp_path / "priced.csv"
    run_batch(EXAMPLE, out, tables, dt.date(1999, 3, 1))
    rows = read_rows(out)
    assert {row["level"] for row in rows.values()} == {"Very Small"}
    assert rows["Eau Claire WI"]["annual_price"] == "163000.00"


def test_summary_totals_by_level(tmp_path, tables):
    summary = run_batch(EXAMPLE, tmp_path / "p.csv", tables, AS_OF)
    rows = read_rows(tmp_path / "p.csv").values()
    assert summary.totals["total"] == sum(D(r["total"]) for r in rows)
    assert sum(n for n, _ in summary.by_level.values()) == 36
    assert summary.by_level["Very Large"][0] == 2


def test_chunked_equals_one_shot(tmp_path, tables, monkeypatch):
    chunks = []
    real = batch_run.price_chunk
    monkeypatch.setattr(batch_run, "price_chunk",
                        lambda chunk, *a: chunks.append(chunk.table.num_rows) or real(chunk, *a))
    run_batch(EXAMPLE, tmp_path / "one.csv", tables, AS_OF, chunk_rows=1_000_000)
    assert chunks == [36]
    run_batch(EXAMPLE, tmp_path / "small.csv", tables, AS_OF, chunk_rows=3)
    assert len(chunks) > 5 and sum(chunks[1:]) == 36
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "small.csv").read_bytes()


def test_careful_block_equals_fast_block(tmp_path, tables):
    """A malformed cell sends its block down the text path; valid rows price the same."""
    good = EXAMPLE.read_text()
    bad = good + "Broken City,x,1,1,1,1,1,0,0\n"
    run_batch(EXAMPLE, tmp_path / "fast.csv", tables, AS_OF)
    summary = run_batch(write(tmp_path, bad), tmp_path / "careful.csv", tables, AS_OF, chunk_rows=5)
    assert summary.rejected == 1
    assert (tmp_path / "fast.csv").read_bytes() == (tmp_path / "careful.csv").read_bytes()


@pytest.mark.parametrize("out_name", ["p.csv", "p.parquet", "p.xlsx"])
@pytest.mark.parametrize("in_kind", ["csv", "parquet", "xlsx"])
def test_every_format_in_and_out(tmp_path, tables, in_kind, out_name):
    source = EXAMPLE
    frame = pd.read_csv(EXAMPLE, dtype=str)
    if in_kind == "parquet":
        source = tmp_path / "in.parquet"
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), source)
    elif in_kind == "xlsx":
        source = tmp_path / "in.xlsx"
        numeric = pd.read_csv(EXAMPLE)
        numeric.to_excel(source, index=False)
    out = tmp_path / out_name
    summary = run_batch(source, out, tables, AS_OF)
    assert (summary.priced, summary.rejected) == (36, 0)
    if out_name.endswith(".csv"):
        got = {c: D(r["total"]) for c, r in read_rows(out).items()}
    elif out_name.endswith(".parquet"):
        table = pq.read_table(out)
        assert table.schema.field("total").type == pa.decimal128(18, 2)
        got = dict(zip(table.column("city").to_pylist(), table.column("total").to_pylist()))
    else:
        sheet = load_workbook(out, data_only=True)["Cities"]
        header = [c.value for c in sheet[1]]
        got = {r[0]: D(str(r[header.index("total")])) for r in sheet.iter_rows(min_row=2, values_only=True)
               if r[0] != "Total"}
    assert got["Huntsville AL"] == D("541000.00")
    assert got["Macon GA"] == D("1736270.25")
    assert sum(got.values()) == summary.totals["total"]


def test_xlsx_is_a_workbook_to_hand_on(tmp_path, tables):
    out = tmp_path / "p.xlsx"
    summary = run_batch(EXAMPLE, out, tables, AS_OF)
    book = load_workbook(out)
    sheet = book["Cities"]
    assert sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    total_col = header.index("total") + 1
    assert sheet.cell(2, total_col).number_format == "#,##0.00"
    last = sheet.max_row
    assert sheet.cell(last, 1).value == "Total"
    letter = sheet.cell(1, total_col).column_letter
    assert sheet.cell(last, total_col).value == f"=SUM({letter}2:{letter}{last - 1})"
    cached = load_workbook(out, data_only=True)
    assert D(str(cached["Cities"].cell(last, total_col).value)) == summary.totals["total"]
    levels = {r[0]: r[1] for r in cached["Summary"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert levels["Very Small"] == 10 and levels["Very Large"] == 2
    assert levels["All levels"] == 36


def test_formula_like_names_are_written_as_text(tmp_path, tables):
    source = write(tmp_path, HEADER + "=HYPERLINK(1),10,1,5,1,1,1,0,0\n@SUM(A1),10,1,5,1,1,1,0,0\n"
                   "-2 Mile,10,1,5,1,1,1,0,0\n")
    run_batch(source, tmp_path / "p.csv", tables, AS_OF)
    assert set(read_rows(tmp_path / "p.csv")) == {"'=HYPERLINK(1)", "'@SUM(A1)", "'-2 Mile"}
    run_batch(source, tmp_path / "p.xlsx", tables, AS_OF)
    sheet = load_workbook(tmp_path / "p.xlsx")["Cities"]
    assert sheet.cell(2, 1).value == "=HYPERLINK(1)" and sheet.cell(2, 1).data_type == "s"


def test_bad_rows_are_rejected_and_valid_rows_kept(tmp_path, tables):
    source = write(tmp_path, HEADER +
                   "Good,10,1,5,1,1,1,0,0\n"          # row 2
                   "Letters,ten,1,5,1,1,1,0,0\n"      # row 3
                   "Negative,10,1,-5,1,1,1,0,0\n"     # row 4
                   "No switch,10,0,5,1,1,1,0,0\n"     # row 5
                   "Two switches,10,2,5,1,1,1,0,0\n"  # row 6
                   "Good,12,1,5,1,1,1,0,0\n"          # row 7: duplicate of row 2
                   "Hours,10,1,5,1,1,1,-1,0\n"        # row 8
                   ",10,1,5,1,1,1,0,0\n"              # row 9
                   "Fine,30,1,5,1,1,1,,\n")           # row 10: blanks are zero
    summary = run_batch(source, tmp_path / "p.csv", tables, AS_OF)
    assert (summary.rows, summary.priced, summary.rejected) == (9, 2, 7)
    assert set(read_rows(tmp_path / "p.csv")) == {"Good", "Fine"}
    with (tmp_path / "p.rejects.csv").open() as handle:
        rejects = {int(r["row"]): r["reason"] for r in csv.DictReader(handle)}
    assert rejects[3] == "gateway_elements: expected a whole number of zero or more, got 'ten'"
    assert rejects[4] == "slc: expected a whole number of zero or more, got '-5'"
    assert "got 0; a city without a 5ESS/VCDX has no service level" in rejects[5]
    assert "got 2; price each switch site as its own city" in rejects[6]
    assert rejects[7] == "city: duplicate name (first on row 2)"
    assert rejects[8].startswith("hours: expected hours of zero or more")
    assert rejects[9] == "city: missing"


def test_duplicates_across_chunks(tmp_path, tables):
    lines = "".join(f"City {i},10,1,5,1,1,1,0,0\n" for i in range(10)) + "City 3,10,1,5,1,1,1,0,0\n"
    summary = run_batch(write(tmp_path, HEADER + lines), tmp_path / "p.csv", tables, AS_OF,
                        chunk_rows=4)
    assert summary.rejected == 1
    assert (tmp_path / "p.rejects.csv").read_text().splitlines()[1] == \
        "12,City 3,city: duplicate name (first on row 5)"


def test_missing_column_writes_nothing(tmp_path, tables):
    source = write(tmp_path, "city,gateway_elements,five_ess,sm,dacs_ii,dacs_iv\nA,1,1,1,1,1\n")
    with pytest.raises(ProblemsError) as caught:
        run_batch(source, tmp_path / "p.csv", tables, AS_OF)
    assert [str(p) for p in caught.value.problems] == [f"{source}, row 1, column slc: missing column"]
    assert list(tmp_path.iterdir()) == [source]


@pytest.mark.parametrize("text, message", [("", "empty file"), (HEADER, "no cities to price")])
def test_empty_input(tmp_path, tables, text, message):
    with pytest.raises(PricingError, match=message):
        run_batch(write(tmp_path, text), tmp_path / "p.csv", tables, AS_OF)
    assert not (tmp_path / "p.csv").exists()


def test_interrupted_run_leaves_no_half_file(tmp_path, tables, monkeypatch):
    calls = []
    real = batch_run.price_chunk

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(batch_run, "price_chunk", failing)
    (tmp_path / "p.csv").write_text("the previous result\n")
    with pytest.raises(KeyboardInterrupt):
        run_batch(EXAMPLE, tmp_path / "p.csv", tables, AS_OF, chunk_rows=5)
    assert (tmp_path / "p.csv").read_text() == "the previous result\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]


def test_as_of_outside_the_psa_term(tables, tmp_path):
    with pytest.raises(PricingError, match="after the PSA expires"):
        run_batch(EXAMPLE, tmp_path / "p.csv", tables, dt.date(2006, 1, 1))


def test_cli_exit_codes(tmp_path):
    ok = runner.invoke(app, ["batch", str(EXAMPLE), "-o", str(tmp_path / "p.csv"), "--as-of", "2001-10-01"])
    assert ok.exit_code == 0, ok.output
    assert "priced 36 of 36 cities" in ok.output
    bad = write(tmp_path, HEADER + "A,1,1,1,1,1,1,0,0\nB,x,1,1,1,1,1,0,0\n", "bad.csv")
    rejected = runner.invoke(app, ["batch", str(bad), "-o", str(tmp_path / "b.csv"), "--as-of",
                                   "2001-10-01", "--rejects", str(tmp_path / "r.csv")])
    assert rejected.exit_code == 1
    assert "1 row(s) rejected" in rejected.output and (tmp_path / "r.csv").exists()
    usage = runner.invoke(app, ["batch", str(EXAMPLE), "-o", str(tmp_path / "p.txt")])
    assert usage.exit_code == 2
    missing = runner.invoke(app, ["batch", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "p.csv"),
                                  "--as-of", "2001-10-01"])
    assert missing.exit_code == 1 and "no such file" in missing.output
    assert "Traceback" not in missing.output


def test_price_cities_dataframe(tables):
    frame = pd.read_csv(EXAMPLE)
    priced = price_cities(frame, AS_OF, tables)
    assert list(priced.columns[-5:]) == ["level", "annual_price", "hours_charge",
                                         "integration_charge", "total"]
    assert str(priced["total"].dtype) == "decimal128(18, 2)[pyarrow]"
    row = priced.set_index("city").loc["Macon GA"]
    assert (row["level"], row["total"]) == ("Large", D("1736270.25"))


def test_price_cities_raises_on_bad_rows(tables):
    frame = pd.read_csv(EXAMPLE)
    frame.loc[4, "five_ess"] = 3
    with pytest.raises(ProblemsError, match="index 4: five_ess"):
        price_cities(frame, AS_OF, tables)


def test_dask_partitions_match_pandas(tables):
    dd = pytest.importorskip("dask.dataframe")
    import dask

    frame = pd.read_csv(EXAMPLE)
    expected = price_cities(frame, AS_OF, tables)
    ddf = dd.from_pandas(frame, npartitions=4)
    meta = price_cities(frame.iloc[:0], AS_OF, tables)
    with dask.config.set(scheduler="synchronous"):
        got = ddf.map_partitions(price_cities, AS_OF, tables, meta=meta).compute()
    assert got["total"].tolist() == expected["total"].tolist()
    assert got["level"].tolist() == expected["level"].tolist()


def test_seen_names_across_runs():
    """Names found in frozen runs and in the open run, earliest row reported."""
    from pricing.batch.dedupe import SeenNames
    import numpy as np

    seen = SeenNames(run_names=4)
    h = lambda *v: np.array(v, dtype=np.uint64)
    r = lambda *v: np.array(v, dtype=np.int64)
    assert seen.claim_sorted(h(1, 2, 3, 4, 5), r(2, 3, 4, 5, 6)).tolist() == [0] * 5
    assert len(seen.runs) == 1 and len(seen) == 5
    assert seen.claim_sorted(h(2, 5, 7, 7, 9), r(8, 7, 9, 10, 11)).tolist() == [3, 6, 0, 9, 0]
    assert seen.claim_sorted(h(9), r(12)).tolist() == [11]
    assert len(seen) == 7


def test_malformed_lines_and_blank_lines_keep_exact_row_numbers(tmp_path, tables):
    source = write(tmp_path, HEADER +
                   "A,10,1,5,1,1,1,0,0\n"           # row 2
                   "\n"                             # row 3: blank, skipped
                   "B,10,1,5,1,1,1,0\n"             # row 4: a cell short
                   "C,10,1,5,1,1,1,0,0,extra\n"     # row 5: a cell over
                   "D,10,1,x,1,1,1,0,0\n"           # row 6
                   "E,10,1,5,1,1,1,0,0\n")          # row 7
    summary = run_batch(source, tmp_path / "p.csv", tables, AS_OF)
    assert (summary.rows, summary.priced, summary.rejected) == (5, 2, 3)
    assert (tmp_path / "p.rejects.csv").read_text().splitlines()[1:] == [
        "4,B,\"expected 9 cells, got 8\"",
        "5,C,\"expected 9 cells, got 10\"",
        "6,D,\"slc: expected a whole number of zero or more, got 'x'\""]
    assert set(read_rows(tmp_path / "p.csv")) == {"A", "E"}


def test_price_cities_first_row_duplicate(tables):
    frame = pd.read_csv(EXAMPLE).iloc[:3]
    frame = pd.concat([frame, frame.iloc[:1]], ignore_index=True)
    with pytest.raises(ProblemsError, match="index 3: city: duplicate name"):
        price_cities(frame, AS_OF, tables)
