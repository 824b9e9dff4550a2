"""The monthly invoice run, worked by hand: shares, hours, terms, the ledger, the workbook."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from invoices.billing.explain import explain
from invoices.ledger.store import Ledger
from invoices.billing.monthly import monthly_share
from invoices.workflows import run_month
from pricing.cli import app
from pricing.errors import ProblemsError
from tests.conftest import libreoffice_convert, rehash

D = Decimal
REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
CITIES_HEADER = "city,bill_to,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv,level\n"
runner = CliRunner()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def run(tmp_path, tables, month, cities, hours=None, events=None, invoice_date=None):
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        return run_month(month, cities, tmp_path / "out", tables, ledger, hours, events, invoice_date)


def one_city(tmp_path, level="Small", counts="20,1,10,1,1,1", bill_to="KMC Telecom III, Inc."):
    """Huntsville AL at Small by default: the level agreed at the annual meeting (the cities
    file's level column), so the amounts below are Small's $198,000 a year."""
    return write(tmp_path, "cities.csv", CITIES_HEADER + f'Huntsville AL,"{bill_to}",{counts},{level}\n')


@pytest.mark.parametrize("month, invoice_date, terms, due", [
    ("2001-03", None, "Net 30", dt.date(2001, 4, 30)),              # dated 2001-03-31 + 30
    ("2001-04", None, "Net 20", dt.date(2001, 5, 20)),              # dated 2001-04-30 + 20
    ("2001-03", dt.date(2001, 4, 15), "Net 30", dt.date(2001, 5, 15)),   # day before the change
    ("2001-03", dt.date(2001, 4, 16), "Net 20", dt.date(2001, 5, 6)),    # the day of the change
])
def test_terms_and_due_dates(tmp_path, tables, month, invoice_date, terms, due):
    (invoice,) = run(tmp_path, tables, month, one_city(tmp_path), invoice_date=invoice_date).issued
    assert (invoice.terms, invoice.due_date) == (terms, due)


def test_monthly_shares_sum_to_the_annual_price():
    # $163,000 / 12 = $13,583.333...: months 1-11 bill $13,583.33, September the rest, $13,583.37.
    shares = [monthly_share(D("163000.00"), m) for m in range(1, 13)]
    assert shares[:11] == [D("13583.33")] * 11 and shares[11] == D("13583.37")
    assert sum(shares) == D("163000.00")
    assert sum(monthly_share(D("198000.00"), m) for m in range(1, 13)) == D("198000.00")


def test_twelve_invoices_of_a_period_sum_to_the_annual_price(tmp_path, tables):
    # Period 2000 (2000-10 to 2001-09), Small by the counts: $198,000 in twelve invoices.
    cities = one_city(tmp_path)
    totals = []
    for month in ["2000-10", "2000-11", "2000-12"] + [f"2001-{m:02d}" for m in range(1, 10)]:
        (invoice,) = run(tmp_path, tables, month, cities).issued
        totals.append(invoice.total)
    assert totals == [D("16500.00")] * 12
    assert sum(totals) == D("198000.00")
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        assert ledger.numbers() == list(range(1, 13))


def test_first_annual_period_bills_very_small(tmp_path, tables):
    cities = one_city(tmp_path, "", counts="45,1,24,3,1,1", bill_to="KMC Telecom Inc.")
    (invoice,) = run(tmp_path, tables, "1999-09", cities).issued
    # September 1999 is the first period's last month: $163,000 - 11 x $13,583.33 = $13,583.37.
    assert [l.amount for l in invoice.lines] == [D("13583.37")]


def test_block_purchase_and_hourly_overflow(tmp_path, tables):
    cities = one_city(tmp_path)
    hours = write(tmp_path, "hours.csv", "city,month,hours\nHuntsville AL,2001-06,100\n"
                  "Huntsville AL,2001-07,1450\nHuntsville AL,2001-08,0.5\n")
    june, july, august = (run(tmp_path, tables, m, cities, hours).issued[0]
                          for m in ("2001-06", "2001-07", "2001-08"))
    # June (month 9): a block, $121,500. July (month 10): 1,400 prepaid + 50 h x $81 = $4,050.
    # August: 0.5 h, charged the one-hour minimum, $81.
    assert [(l.kind, l.amount) for l in june.lines] == [("service_level", D("16500.00")),
                                                        ("hour_block", D("121500.00"))]
    assert [(l.kind, l.quantity, l.amount) for l in july.lines] == [
        ("service_level", D(1), D("16500.00")), ("hourly", D(50), D("4050.00"))]
    assert august.lines[1].amount == D("81.00") and august.total == D("16581.00")


def test_blocks_and_hourly_in_one_month_and_integration(tmp_path, tables):
    cities = one_city(tmp_path)
    hours = write(tmp_path, "hours.csv", "city,month,hours\nHuntsville AL,2000-10,15100\n")
    events = write(tmp_path, "events.csv", "city,date,kind,quantity\nHuntsville AL,2000-10-20,integration,2\n"
                   "Huntsville AL,2000-11-02,integration,1\n")
    (invoice,) = run(tmp_path, tables, "2000-10", cities, hours, events).issued
    # 15,100 h in October: 10 blocks ($1,215,000) + 100 h x $81 ($8,100); 2 sites ($200,000).
    assert [l.amount for l in invoice.lines] == [D("16500.00"), D("1215000.00"), D("8100.00"),
                                                 D("200000.00")]
    assert invoice.total == D("1439600.00")


def test_one_invoice_per_bill_to_and_rerun_issues_nothing(tmp_path, tables):
    args = ("2001-04", EXAMPLES / "invoice_cities.csv", EXAMPLES / "invoice_hours.csv",
            EXAMPLES / "invoice_events.csv")
    first = run(tmp_path, tables, *args)
    assert [(i.number, i.bill_to, i.total) for i in first.issued] == [
        # 13,583.33 + 20,416.67 + two blocks: Augusta's 1,500 h of 2001-03 (a month before its
        # first invoice, billed now as late hours of 2001-03) use up the first block, so its
        # 2 h of April (month 7, before the hourly month) buy the second.
        (1, "KMC Telecom II, Inc.", D("277000.00")),
        # 16,500 + 13,583.33 + Huntsville's 1,600 h of 2000-10, first billed now: two blocks
        # of 2000-10 ($243,000) whose 1,400 h left cover 2001-01's 300 h and April's 12.5 h.
        (2, "KMC Telecom III, Inc.", D("273083.33")),
        (3, "KMC Telecom of Virginia, Inc.", D("241916.67"))]  # 20,416.67 + block + integration
    again = run(tmp_path, tables, *args)
    assert again.issued == () and [i.number for i in again.existing] == [1, 2, 3]


def test_bad_input_issues_nothing_and_lists_every_problem(tmp_path, tables):
    cities = write(tmp_path, "cities.csv", CITIES_HEADER +
                   'A,"KMC Telecom III, Inc.",10,1,5,1,1,1,\n'
                   'B,KMC III Services LLC,10,1,5,1,1,1,\n'          # not a PSA customer
                   'C,"KMC Telecom II, Inc.",10,1,x,1,1,1,\n'        # malformed count
                   'D,"KMC Telecom II, Inc.",10,2,5,1,1,1,\n')       # two switches
    hours = write(tmp_path, "hours.csv", "city,month,hours\nA,2001-04,5\nZ,2001-04,3\nA,2001-13,1\n")
    with pytest.raises(ProblemsError) as caught:
        run(tmp_path, tables, "2001-04", cities, hours)
    found = [str(p) for p in caught.value.problems]
    assert any(f"{cities}, row 3, column bill_to:" in p and "not a customer under the PSA" in p
               for p in found)
    assert f"{cities}, row 4, column slc: expected a whole number of zero or more, got 'x'" in found
    assert any(f"{cities}, row 5, column five_ess:" in p for p in found)
    assert f"{hours}, row 3, column city: unknown city 'Z' (not in the cities file)" in found
    assert f"{hours}, row 4, column month: expected a month YYYY-MM, got '2001-13'" in found
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        assert ledger.numbers() == []
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("month, message", [
    ("1998-09", "first version takes effect 1998-10-01"),
    ("2005-10", "after the PSA expires"),
])
def test_month_outside_the_psa(tmp_path, tables, month, message):
    with pytest.raises(ProblemsError, match=message):
        run(tmp_path, tables, month, one_city(tmp_path, bill_to="KMC Telecom Inc."))


def test_bill_to_not_yet_a_psa_customer(tmp_path, tables):
    # KMC Telecom III became a PSA customer on 2000-09-29 (PSA Amendment 2).
    with pytest.raises(ProblemsError, match="only from 2000-09-29"):
        run(tmp_path, tables, "2000-08", one_city(tmp_path))


def test_workbook_cells(tmp_path, tables):
    result = run(tmp_path, tables, "2001-04", EXAMPLES / "invoice_cities.csv",
                 EXAMPLES / "invoice_hours.csv", EXAMPLES / "invoice_events.csv")
    invoice = result.issued[2]
    book = load_workbook(invoice.file)
    sheet = book["Invoice"]
    cells = {sheet.cell(r, 4).value: sheet.cell(r, 5).value for r in range(3, 10)}
    assert cells["Invoice number"] == "000003"
    assert cells["Invoice date"].date() == dt.date(2001, 4, 30)
    assert (cells["Terms"], cells["Due date"].date()) == ("Net 20", dt.date(2001, 5, 20))
    assert cells["Contract"] == "PSA LNS970602JC" and cells["Month billed"] == "April 2001"
    assert cells["Currency"] == "USD"
    assert sheet["A4"].value == "Lucent Technologies Inc., Global Service Providers Group"
    assert (sheet["A5"].value, sheet["A6"].value) == ("600 Mountain Avenue",
                                                      "Murray Hill, New Jersey 07074")
    assert sheet["A9"].value == "KMC Telecom of Virginia, Inc."
    assert (sheet["A10"].value, sheet["A11"].value) == ("1545 Route 206",
                                                        "Suite 300, Bedminster, New Jersey 07921")
    # The customer's sheet: no Source column; numeric headers right-aligned over their numbers.
    assert [c.value for c in sheet[14]] == ["City", "Description", "Quantity", "Unit price",
                                           "Amount"]
    assert [sheet.cell(14, c).alignment.horizontal for c in (1, 3, 4, 5)] == [None, "right",
                                                                            "right", "right"]
    assert sheet.freeze_panes == "A15"
    # Portrait, one page wide: fit to page on, height unbounded (0), width 1 (default, omitted);
    # header row repeated, "Page N of M" in the footer, the print area the customer's block.
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToHeight == 0
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.orientation == "portrait"
    assert sheet.print_title_rows == "$14:$14" and "&P of &N" in sheet.oddFooter.right.text
    assert sheet["E15"].value == "=ROUND(C15*D15,2)" and sheet["E15"].number_format == "#,##0.00;-#,##0.00"
    assert sheet["E19"].value == "=SUM(E15:E17)" and sheet["E20"].value == "=E19"
    assert "$" in sheet["E20"].number_format and sheet["D20"].value == "Total due"
    values = load_workbook(invoice.file, data_only=True)["Invoice"]
    assert [values.cell(r, 5).value for r in (15, 16, 17)] == [20416.67, 121500, 100000]
    assert values["E19"].value == values["E20"].value == 241916.67
    # No table name or reading note on the customer's sheet; all of them on Sources.
    shown = " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value)
    assert "service_levels" not in shown and "read as" not in shown and "PSA Amendment 1" not in shown
    sources = book["Sources"]
    assert sources["B1"].value == tables.manifest_sha256
    start = next(r for r in range(1, sources.max_row + 1) if sources.cell(r, 1).value == "Citations used")
    citations = [sources.cell(r, 2).value for r in range(start, sources.max_row + 1)]
    assert any(c.startswith("payment_terms 2001-04-16") for c in citations)
    assert any(c.startswith("one_time_services 1998-10-01") for c in citations)
    header = next(r for r in range(1, sources.max_row + 1) if sources.cell(r, 1).value == "Line")
    assert [sources.cell(header, c).value for c in range(1, 5)] == ["Line", "City", "Description",
                                                                   "Source"]
    assert sources.cell(header + 3, 4).value.startswith("one_time_services 1998-10-01")
    assert sources.page_setup.orientation == "landscape"


def _recalculated_total(xlsx: Path, work: Path) -> str:
    """Open in LibreOffice with recalculation forced on load, export the sheet to CSV, and
    return the 'Total due' amount it computed."""
    for line in libreoffice_convert(xlsx, "csv", work).read_text().splitlines():
        if line.split(",")[3:4] == ["Total due"]:
            return line.split(",", 4)[4].strip('"').replace(",", "").replace("$", "").split('"')[0]
    raise AssertionError("no Total due row")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by .ci/run")
def test_libreoffice_recalculates_the_ledger_total(tmp_path, tables):
    result = run(tmp_path, tables, "2001-04", EXAMPLES / "invoice_cities.csv",
                 EXAMPLES / "invoice_hours.csv", EXAMPLES / "invoice_events.csv")
    invoice = result.issued[2]
    assert D(_recalculated_total(Path(invoice.file), tmp_path / "a")) == invoice.total
    # The test can fail: plant wrong cached values in a copy; LibreOffice must recompute them.
    planted = tmp_path / "planted.xlsx"
    with zipfile.ZipFile(invoice.file) as source, zipfile.ZipFile(planted, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b"<v>241916.67</v>" in data
                data = data.replace(b"<v>241916.67</v>", b"<v>1</v>")
            target.writestr(item, data)
    assert load_workbook(planted, data_only=True)["Invoice"]["E20"].value == 1
    assert D(_recalculated_total(planted, tmp_path / "b")) == D("241916.67")


def test_explain_matches_and_spots_a_changed_table(tmp_path, tables, tables_copy):
    from pricing.tables import load_tables

    result = run(tmp_path, tables, "2001-04", EXAMPLES / "invoice_cities.csv",
                 EXAMPLES / "invoice_hours.csv", EXAMPLES / "invoice_events.csv")
    invoice = result.issued[2]
    assert explain(invoice, tables).matches
    path = tables_copy / "one_time_services" / "1998-10-01.csv"
    path.write_text(path.read_text().replace("100000.00", "90000.00"))
    rehash(tables_copy)
    changed = explain(invoice, load_tables(tables_copy))
    assert not changed.same_tables
    ((position, old, new),) = changed.differences
    assert position == 3 and (old.amount, new.amount) == (D("100000.00"), D("90000.00"))


def _cli(tmp_path: Path, *extra: str, fault: str | None = None,
         ledger: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRICING_LEDGER": ledger or str(tmp_path / "ledger.sqlite3")}
    env.pop("PRICING_FAULT", None)
    if fault:
        env["PRICING_FAULT"] = fault
    return subprocess.run(
        [sys.executable, "-m", "pricing", "invoice", "run", "--month", "2001-04",
         "--cities", str(EXAMPLES / "invoice_cities.csv"), "--hours", str(EXAMPLES / "invoice_hours.csv"),
         "--events", str(EXAMPLES / "invoice_events.csv"), "--out", str(tmp_path / "out"), *extra],
        capture_output=True, text=True, env=env, timeout=120)


def total_due(xlsx: str) -> Decimal:
    sheet = load_workbook(xlsx, data_only=True)["Invoice"]
    row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 4).value == "Total due")
    return D(str(sheet.cell(row, 5).value))


def _state(directory: Path, address: str | None = None) -> list[tuple]:
    with Ledger(address or directory / "ledger.sqlite3") as ledger:
        invoices = [ledger.get(n) for n in ledger.numbers()]
        assert ledger.unwritten() == []
    for invoice in invoices:
        assert total_due(invoice.file) == invoice.total
    assert sorted(p.name for p in (directory / "out").iterdir()) == \
        [f"invoice-{i.number:06d}.xlsx" for i in invoices]
    return [(i.number, i.bill_to, i.total, [l.amount for l in i.lines]) for i in invoices]


@pytest.mark.parametrize("fault", ["before-commit", "after-commit", "after-write"])
def test_killed_run_rerun_equals_uninterrupted_run(tmp_path, fault, ledger_address):
    """Killed at each fault point, on each backend, and run again: exactly the invoices of an
    uninterrupted run on a file."""
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    clean.mkdir(), killed.mkdir()
    address = ledger_address if ledger_address.startswith("postgresql") else \
        str(killed / "ledger.sqlite3")
    assert _cli(clean).returncode == 0
    stopped = _cli(killed, fault=fault, ledger=address)
    assert stopped.returncode == -9          # SIGKILL, for real
    assert _cli(killed, ledger=address).returncode == 0
    assert _state(killed, address) == _state(clean)


def test_runs_at_once_issue_each_invoice_once(tmp_path):
    env = {**os.environ, "PRICING_LEDGER": str(tmp_path / "ledger.sqlite3")}
    env.pop("PRICING_FAULT", None)
    command = [sys.executable, "-m", "pricing", "invoice", "run", "--no-hours", "--month", "2001-04",
               "--cities", str(EXAMPLES / "invoice_cities.csv"), "--out", str(tmp_path / "out")]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(3)]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0, 0], outputs
    issued = [line for out, _ in outputs for line in out.splitlines() if line.startswith("issued ")]
    assert len(issued) == 3
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        assert ledger.numbers() == [1, 2, 3]
        assert len({ledger.get(n).bill_to for n in (1, 2, 3)}) == 3


def test_cli_list_show_and_explain(tmp_path):
    assert _cli(tmp_path).returncode == 0
    env = {"PRICING_LEDGER": str(tmp_path / "ledger.sqlite3")}
    listed = runner.invoke(app, ["invoice", "list", "--format", "json"], env=env)
    assert listed.exit_code == 0
    data = json.loads(listed.stdout)
    assert [set(d) for d in data][0] == {"number", "bill_to", "month", "invoice_date", "due_date",
                                         "terms", "total", "open", "supplement", "file",
                                         "due_date_as_issued", "due_reason"}
    assert [d["total"] for d in data] == ["277000.00", "273083.33", "241916.67"]
    assert [d["open"] for d in data] == [d["total"] for d in data]       # nothing paid yet
    shown = json.loads(runner.invoke(app, ["invoice", "show", "3", "--format", "json"], env=env).stdout)
    assert [l["amount"] for l in shown["lines"]] == ["20416.67", "121500.00", "100000.00"]
    explained = runner.invoke(app, ["invoice", "explain", "3"], env=env)
    assert explained.exit_code == 0 and "all 3 lines match" in explained.output
    # Roanoke VA: 40 h in April (month 7) open its first block: 1,460 prepaid hours left.
    row = next(line for line in explained.stdout.splitlines() if line.startswith("Roanoke VA"))
    assert row.split() == ["Roanoke", "VA", "Medium", "40", "40", "1", "of", "10", "1,460", "0"]
    missing = runner.invoke(app, ["invoice", "show", "99"], env=env)
    assert missing.exit_code == 1 and "no invoice number 99" in missing.output


def test_level_holds_for_the_period_when_counts_grow(tmp_path, tables):
    # April 2001 (period 2000) is Huntsville's first month in the ledger: a new city starts at
    # Very Small (PSA Amendment 1 Appendix A, note 4), $163,000 / 12 = $13,583.33. By May its
    # counts are Medium's (30, 18, 2 SMs), but the level is set for the annual period: May still
    # bills Very Small. October starts period 2001: during period 2000 gateway elements, SLCs
    # and SMs changed (20->30, 10->18, 1->2), three of six components, so the level is
    # re-evaluated from the counts (note 3): Medium, $245,000 / 12 = $20,416.67.
    very_small = one_city(tmp_path, "")
    (april,) = run(tmp_path, tables, "2001-04", very_small).issued
    medium = one_city(tmp_path, "", counts="30,1,18,2,1,1")
    (may,) = run(tmp_path, tables, "2001-05", medium).issued
    october = run(tmp_path, tables, "2001-10", medium)
    assert (april.total, may.total, october.issued[0].total) == (
        D("13583.33"), D("13583.33"), D("20416.67"))
    assert may.lines[0].description.startswith("Service level Very Small")
    (decided,) = october.levels
    assert (decided.level, decided.rule) == (
        "Medium", "re-evaluated: 3 components changed (gateway_elements, slc, sm)")
    assert explain(may, tables).matches and explain(october.issued[0], tables).matches


def test_explain_shows_each_citys_hours_blocks_and_the_rule_of_each_line(tmp_path):
    # Invoice 1 (KMC Telecom II, 2001-04): Augusta GA's 1,500 h of 2001-03 (month 6) arrive late
    # and fill one block exactly; its 2 h of April (month 7) open a second: 1,498 h left.
    assert _cli(tmp_path).returncode == 0
    env = {"PRICING_LEDGER": str(tmp_path / "ledger.sqlite3")}
    result = runner.invoke(app, ["invoice", "explain", "1", "--format", "json"], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["matches"] and data["total"] == "277000.00"
    augusta = next(c for c in data["cities"] if c["city"] == "Augusta GA")
    assert augusta == {"city": "Augusta GA", "level": "Medium", "month_hours": "2",
                       "period_hours": "1502", "blocks_bought": 2, "blocks_before_hourly": 10,
                       "prepaid_left": "1498", "hourly_hours": "0"}
    assert [(l["kind"], l["amount"], l["rule"]) for l in data["lines"]] == [
        ("service_level", "13583.33",
         "level Very Small: a twelfth of the annual price (month 7 of 12 of the annual period)"),
        ("service_level", "20416.67",
         "level Medium: a twelfth of the annual price (month 7 of 12 of the annual period)"),
        ("late_hour_block:2001-03", "121500.00",
         "hours of 2001-03 reported after it was invoiced: priced as 2001-03 would have priced "
         "them, less what was billed for it"),
        ("hour_block", "121500.00",
         "prepaid block bought in month 7 of the annual period (a block is bought when the last "
         "is used up, before the 10th month and while fewer than 10 are completed)")]
    assert data["lines"][3]["description"] == (
        "1,500-hour block bought in 2001-04 (block 2 of the 10 prepaid before hourly billing)")
    table = runner.invoke(app, ["invoice", "explain", "1"], env=env)
    assert table.exit_code == 0
    assert "prepaid block bought in month 7 of the annual period" in table.stdout
    assert "all 4 lines match the tables (total 277,000.00)" in table.stdout


@pytest.mark.breaks_ledger            # a description changed behind the tool's back breaks the chain
def test_explain_tells_a_reworded_line_from_a_repriced_one(tmp_path):
    assert _cli(tmp_path).returncode == 0
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        with ledger.write() as conn:
            from invoices.ledger import schema
            from invoices.ledger.chain import drop_triggers

            drop_triggers(conn)                 # as anyone holding the file can
            conn.execute(schema.lines.update().where(schema.lines.c.invoice == 3)
                         .values(description="Service level Medium, 2001-04 (month 7 of 12)"))
    env = {"PRICING_LEDGER": str(tmp_path / "ledger.sqlite3")}
    result = runner.invoke(app, ["invoice", "explain", "3"], env=env)
    assert result.exit_code == 0 and "all 3 lines match" in result.stdout
    assert "lines 1, 2, 3 are worded otherwise now; the amounts are the same" in result.stderr
