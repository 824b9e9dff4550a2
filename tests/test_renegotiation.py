"""Renegotiating the contract: a new table version, what changed, what it costs, the review.

Hand-worked: today Small is 198,000.00 a year (PSA Amendment 1 Appendix A, service_levels
1998-10-01). A new version from 2002-10-01 raising it to 210,000.00 must price 198,000.00 on
2002-09-30 and 210,000.00 on 2002-10-01, and cost 12,000.00 more for each Small city.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pricing.cli import app
from pricing.rules.components import Counts
from pricing.errors import ProblemsError
from pricing.rules.service_level import pick_level
from pricing.tables import load_tables
from pricing.tables.versions import diff_versions, new_version

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SMALL = Counts(gateway_elements=20, five_ess=1, slc=10, sm=1, dacs_ii=1, dacs_iv=1)
runner = CliRunner()


def snapshot(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file()}


def raised_small(directory: Path) -> Path:
    """The service_levels in force, with Small at 210,000.00, as a CSV to add."""
    text = (directory / "service_levels" / "1998-10-01.csv").read_text()
    assert "Small,2,198000.00," in text
    path = directory.parent / "small-210000.csv"
    path.write_text(text.replace("Small,2,198000.00,", "Small,2,210000.00,"))
    return path


def test_a_new_version_prices_from_its_date(tables_copy):
    path = new_version(tables_copy, "service_levels", dt.date(2002, 10, 1),
                       "PSA Amendment 4 (draft)", raised_small(tables_copy))
    assert path == tables_copy / "service_levels" / "2002-10-01.csv"
    new = load_tables(tables_copy)                              # validates every hash
    assert pick_level(SMALL, new, dt.date(2002, 9, 30)).annual_price == D("198000.00")
    assert pick_level(SMALL, new, dt.date(2002, 10, 1)).annual_price == D("210000.00")
    (entry,) = [e for e in new.entries if (e.table, e.effective_from) ==
                ("service_levels", dt.date(2002, 10, 1))]
    assert entry.source == "PSA Amendment 4 (draft)"
    lines = (tables_copy / "MANIFEST.csv").read_text().splitlines()
    at = [i for i, line in enumerate(lines) if line.startswith("service_levels,")]
    assert at == [at[0], at[0] + 1] and lines[at[1]].startswith("service_levels,2002-10-01,")


def test_without_a_file_the_version_in_force_is_copied_to_edit(tables_copy):
    path = new_version(tables_copy, "payment_terms", dt.date(2002, 1, 1), "draft")
    assert path.read_bytes() == (tables_copy / "payment_terms" / "2001-04-16.csv").read_bytes()
    assert load_tables(tables_copy).rows("payment_terms", dt.date(2002, 1, 1))[0].net_days == 20


@pytest.mark.parametrize("change, messages", [
    (dict(effective=dt.date(1998, 10, 1)), ["already has a version on 1998-10-01"]),
    (dict(source="  "), ["expected the contract citation"]),
    (dict(csv="level,rank,annual_price\nSmall,2,-5\n"), ["missing column"]),
    (dict(csv=None, negative=True), ["annual_price"]),
    (dict(table="service_level"), ["unknown table 'service_level'"]),
    (dict(effective=dt.date(1998, 1, 1), copy=True), ["no version of service_levels is in force on 1998-01-01"]),
])
def test_a_refused_version_writes_nothing_and_lists_every_problem(tables_copy, change, messages):
    before = snapshot(tables_copy)
    source = raised_small(tables_copy)
    if change.get("csv"):
        source.write_text(change["csv"])
    if change.get("negative"):
        source.write_text(source.read_text().replace("210000.00", "-210000.00"))
    with pytest.raises(ProblemsError) as refused:
        new_version(tables_copy, change.get("table", "service_levels"),
                    change.get("effective", dt.date(2002, 10, 1)), change.get("source", "draft"),
                    None if change.get("copy") else source)
    shown = str(refused.value) + "\n".join(str(p) for p in refused.value.problems)
    for message in messages:
        assert message in shown
    assert str(tables_copy) in shown and "pricing-tables-" not in shown   # real paths
    assert snapshot(tables_copy) == before


def test_diff_shows_the_changed_cell_and_both_sources(tables_copy, tables):
    new_version(tables_copy, "service_levels", dt.date(2002, 10, 1), "PSA Amendment 4 (draft)",
                raised_small(tables_copy))
    new = load_tables(tables_copy)
    found = diff_versions("service_levels", tables, dt.date(2002, 9, 30), new, dt.date(2002, 10, 1))
    assert (found.added, found.removed) == ([], [])
    (change,) = found.changed
    assert (change.key, change.column, change.old, change.new) == (
        {"level": "Small"}, "annual_price", D("198000.00"), D("210000.00"))
    assert found.old.source.startswith("PSA Amendment 1 Appendix A")
    assert found.new.source == "PSA Amendment 4 (draft)"
    shown = runner.invoke(app, ["tables", "diff", "service_levels", "--as-of", "2002-09-30",
                                "--vs", "2002-10-01", "--tables", str(tables_copy), "--format", "json"])
    assert json.loads(shown.stdout)["changed"] == [{"key": {"level": "Small"}, "column": "annual_price",
                                                    "old": "198000.00", "new": "210000.00"}]
    terms = runner.invoke(app, ["tables", "diff", "payment_terms", "--as-of", "2001-04-15",
                                "--vs", "2001-04-16", "--format", "csv"])
    # Net 30 became Net 20 on 2001-04-16 (PSA Amendment 3 Section 1(b)).
    assert "changed,agreement=PSA,net_days,30,20" in terms.stdout


def test_impact_costs_12000_more_for_each_small_city(tables_copy, tables, tmp_path):
    new_version(tables_copy, "service_levels", dt.date(2002, 10, 1), "draft",
                raised_small(tables_copy))
    from pricing.analysis.impact import impact

    result = impact(EXAMPLES / "cities.csv", dt.date(2002, 10, 1), tables, load_tables(tables_copy))
    small = [c for c in result.cities if c.level_old == "Small"]
    assert len(small) == 10 and all(c.delta == D("12000.00") for c in small)
    assert all(c.delta == 0 for c in result.cities if c.level_old != "Small")
    assert result.total_delta == D("120000.00")
    by_level = {b.level: b for b in result.by_level}
    assert by_level["Small"].delta == D("120000.00") and by_level["Large"].delta == 0
    made = runner.invoke(app, ["impact", str(EXAMPLES / "cities.csv"), "--as-of", "2002-10-01",
                               "--vs-tables", str(tables_copy), "-o", str(tmp_path / "i.json")])
    assert made.exit_code == 0, made.output
    data = json.loads((tmp_path / "i.json").read_text())
    assert set(data) >= {"cities", "by_level", "total_old", "total_new", "total_delta"}
    assert data["total_delta"] == "120000.00"
    book = runner.invoke(app, ["impact", str(EXAMPLES / "cities.csv"), "--as-of", "2002-10-01",
                               "--vs-tables", str(tables_copy), "-o", str(tmp_path / "i.xlsx")])
    assert book.exit_code == 0
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "i.xlsx", data_only=True)["By level"]
    assert sheet._charts and [c.value for c in sheet[4]][:5] == ["level", "cities", "total_old",
                                                                "total_new", "delta"]
    total = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "Total")
    assert D(str(total[4])) == D("120000.00")


def test_impact_names_bad_rows_by_file_and_row(tables, tmp_path):
    from pricing.analysis.impact import impact

    bad = tmp_path / "c.csv"
    bad.write_text("city,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv\nA,1,1,1,1,1,1\nB,x,1,1,1,1,1\n")
    with pytest.raises(ProblemsError) as refused:
        impact(bad, dt.date(2002, 10, 1), tables, tables)
    (problem,) = refused.value.problems
    assert (problem.file, problem.row) == (str(bad), 3)


def test_review_agrees_with_relevel_and_budgets_the_hours(tables, tmp_path):
    from pricing.reports.levels import levels_for_period
    from pricing.reports.load import load_reports
    from pricing.analysis.review import review

    reports = load_reports(EXAMPLES / "reports.csv")
    hours = {"Huntsville AL": {"2000-10": D("1600"), "2001-01": D("300"), "2001-10": D("5000")}}
    pack = review(reports, 2001, tables, hours)
    # The meeting: sixty days before the preceding period ends on 2001-09-30.
    assert (pack.start, pack.end, pack.meeting_date) == (dt.date(2001, 10, 1),
                                                          dt.date(2002, 9, 30), dt.date(2001, 8, 1))
    relevel = {c.city: c.decision for c in levels_for_period(reports, 2001, tables)}
    assert [c.city for c in pack.cities] == list(relevel)
    for city in pack.cities:
        decision = relevel[city.city]
        assert (city.level, city.previous_level, city.changed) == (
            decision.level.level, decision.previous_level, decision.changed)
    huntsville = next(c for c in pack.cities if c.city == "Huntsville AL")
    # Medium 245,000.00 -> Large 320,000.00 (two components changed). 1,900 hours in the previous
    # period (2001-10's 5,000 are not in it) bought two blocks, 243,000.00, and would again.
    assert (huntsville.previous_level, huntsville.level) == ("Medium", "Large")
    assert (huntsville.price_before, huntsville.price) == (D("245000.00"), D("320000.00"))
    assert (huntsville.hours_used, huntsville.forecast_blocks) == (D("1900"), 2)
    assert (huntsville.budget_before, huntsville.budget) == (D("488000.00"), D("563000.00"))
    assert pack.totals["budget_change"] == pack.totals["budget"] - pack.totals["budget_before"]
    hours_csv = tmp_path / "h.csv"
    hours_csv.write_text("city,month,hours\nHuntsville AL,2000-10,1600\nHuntsville AL,2001-01,300\n")
    made = runner.invoke(app, ["review", str(EXAMPLES / "reports.csv"), "--period", "2001",
                               "--hours", str(hours_csv), "--format", "json"])
    data = json.loads(made.stdout)
    assert set(data) == {"period", "start", "end", "meeting_date", "cities", "totals"}
    assert data["meeting_date"] == "2001-08-01" and data["totals"]["budget"] == str(pack.totals["budget"])
    for suffix in ("xlsx", "pdf"):
        written = runner.invoke(app, ["review", str(EXAMPLES / "reports.csv"), "--period", "2001",
                                      "-o", str(tmp_path / f"review.{suffix}")])
        assert written.exit_code == 0, written.output
    assert (tmp_path / "review.pdf").read_bytes()[:5] == b"%PDF-"


def test_new_version_needs_a_named_tables_directory_and_impact_stays_out_of_it(tables_copy, tmp_path, monkeypatch):
    monkeypatch.delenv("PRICING_TABLES", raising=False)
    refused = runner.invoke(app, ["tables", "new-version", "payment_terms", "--effective",
                                  "2002-01-01", "--source", "draft"])
    shown = " ".join(refused.output.replace("│", " ").split())
    assert refused.exit_code == 2 and "the installed tables are not edited in place" in shown
    before = snapshot(tables_copy)
    inside = runner.invoke(app, ["impact", str(EXAMPLES / "cities.csv"), "--as-of", "2002-10-01",
                                 "--vs-tables", str(tables_copy), "-o", str(tables_copy / "MANIFEST.csv")])
    assert inside.exit_code == 2 and snapshot(tables_copy) == before


def test_the_review_pdf_reads_as_a_page_for_people(tmp_path):
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    hours_csv = tmp_path / "h.csv"
    hours_csv.write_text("city,month,hours\nHuntsville AL,2000-10,1600\nHuntsville AL,2001-01,300\n")
    pdf = tmp_path / "review.pdf"
    made = runner.invoke(app, ["review", str(EXAMPLES / "reports.csv"), "--period", "2001",
                               "--hours", str(hours_csv), "-o", str(pdf)])
    assert made.exit_code == 0, made.output
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())
    for header in ("City", "Level before", "Annual price before", "Hours used", "Blocks they buy",
                   "Budget before"):
        assert header in text
    assert "gateway_elements" not in text and "previous_level" not in text
    # Huntsville AL: counts at the start and end of period 2000 from examples/reports.csv, the
    # two components that changed, and the reason the re-leveling rule gives.
    assert ("Gateway elements 31 → 43 · 5ESS/VCDX 1 · SLC 11 → 15 · SM 1 · DACS II 1 · "
            "DACS IV 1") in text
    assert ("Changed: Gateway elements, SLC. Why: 2 components changed (Gateway elements, SLC), "
            "so the level is re-evaluated from the counts: moves to Large (Gateway elements 43 is "
            "over Medium's limit of 35)") in text
    assert "5 cities; 4 with components changed in the previous period; 2 change level." in text
    # budgets: the five prices plus Huntsville's two blocks (243,000.00) in each period
    assert "Total 979,000.00 1,199,000.00 +220,000.00 1,222,000.00 1,442,000.00" in text
