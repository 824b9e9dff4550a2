"""Monthly component reports: re-leveling over periods, capacity, forecasts, starting level.
Worked by hand from PSA Amendment 1 Appendix A notes 3 and 4 (001)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pricing.cli import app
from pricing.errors import ProblemsError
from pricing.reports.capacity import capacity, outgrow_month
from pricing.reports.levels import levels_for_period, meeting_date
from pricing.reports.load import load_reports
from pricing.reports.start_level import start_level

REPO = Path(__file__).resolve().parent.parent
HEADER = "city,month,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv\n"
runner = CliRunner()


def reports(tmp_path: Path, rows: dict[str, list[tuple[str, int, int]]]) -> Path:
    """rows: {city: [(first month, gateway, slc) ... ]}: each tuple's counts hold from its
    month until the next tuple's, every month reported (so there are no gaps)."""
    lines = [HEADER]
    for city, steps in rows.items():
        y, m = map(int, steps[0][0].split("-"))
        end_y, end_m = map(int, steps[-1][0].split("-"))
        current = steps[0]
        while (y, m) <= (end_y, end_m):
            label = f"{y:04d}-{m:02d}"
            for step in steps:
                if step[0] <= label:
                    current = step
            lines.append(f"{city},{label},{current[1]},1,{current[2]},1,1,1\n")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    path = tmp_path / "reports.csv"
    path.write_text("".join(lines))
    return path


def level_of(tmp_path, tables, rows, period, current=None) -> dict:
    found = levels_for_period(load_reports(reports(tmp_path, rows)), period, tables, current)
    return {c.city: c.as_dict() for c in found}


# A city's history: period 1998: 10/5 -> 20/10 (two components change); period 1999: only
# gateway 20 -> 40; period 2000: gateway 40 -> 45 and SLC 10 -> 22.
HISTORY = {"X": [("1998-10", 10, 5), ("1999-06", 20, 10), ("1999-11", 40, 10),
                 ("2000-12", 45, 22), ("2001-09", 45, 22)]}


def test_first_period_bills_very_small(tmp_path, tables):
    assert level_of(tmp_path, tables, HISTORY, 1998)["X"]["level"] == "Very Small"


def test_two_changes_relevel_from_the_end_counts(tmp_path, tables):
    # 1998 period: gateway 10 -> 20, SLC 5 -> 10: re-evaluated from 20/10: Small ($198,000).
    row = level_of(tmp_path, tables, HISTORY, 1999)["X"]
    assert (row["previous_level"], row["level"], row["annual_price"]) == ("Very Small", "Small", "198000.00")
    assert row["changed"] == ["gateway_elements", "slc"]


def test_one_change_past_a_bound_keeps_the_level(tmp_path, tables):
    # 1999 period: only gateway changed (20 -> 40, counts now Large): Small carries over.
    row = level_of(tmp_path, tables, HISTORY, 2000)["X"]
    assert (row["previous_level"], row["level"], row["changed"]) == ("Small", "Small", ["gateway_elements"])
    assert "carries over" in row["reason"]


def test_later_two_changes_relevel_again(tmp_path, tables):
    # 2000 period: 40/10 -> 45/22: gateway 45 <= 50, SLC 22 <= 25: Large ($320,000).
    row = level_of(tmp_path, tables, HISTORY, 2001)["X"]
    assert (row["previous_level"], row["level"], row["annual_price"]) == ("Small", "Large", "320000.00")


def test_given_current_level_applies_the_rule_once(tmp_path, tables):
    row = level_of(tmp_path, tables, HISTORY, 2001, {"X": "Medium"})["X"]
    assert (row["previous_level"], row["level"]) == ("Medium", "Large")
    row = level_of(tmp_path, tables, HISTORY, 2000, {"X": "Medium"})["X"]
    assert (row["previous_level"], row["level"]) == ("Medium", "Medium")


def test_new_city_starts_very_small(tmp_path, tables):
    rows = {"New": [("2000-03", 40, 20), ("2000-09", 40, 20)]}
    assert level_of(tmp_path, tables, rows, 1999)["New"]["level"] == "Very Small"


def test_meeting_is_sixty_days_before_september_30(tables):
    assert meeting_date(tables, 2000) == dt.date(2000, 8, 1)


@pytest.mark.parametrize("gateway, slc, status, at_limit", [
    (15, 5, "at", ["gateway_elements"]),        # exactly Very Small's limit
    (14, 8, "at", ["slc"]),
    (14, 7, "within", []),
    (16, 5, "over", ["gateway_elements"]),       # the counts are Small's
])
def test_capacity_flags_at_exact_bounds(tmp_path, tables, gateway, slc, status, at_limit):
    path = reports(tmp_path, {"C": [("1998-10", gateway, slc), ("1999-03", gateway, slc)]})
    (row,) = capacity(load_reports(path), dt.date(1999, 3, 31), tables)
    assert (row.billed_level, row.status, list(row.at_limit)) == ("Very Small", status, at_limit)


def test_forecast_on_linear_growth(tmp_path, tables):
    # Gateway 10, 11, 12, 13 in Jan-Apr 2001 (first period 2000: Very Small): one a month, it
    # passes Very Small's 15 at 16, six months after January: July 2001.
    path = tmp_path / "r.csv"
    path.write_text(HEADER + "".join(f"L,2001-0{m},{9 + m},1,4,1,1,1\n" for m in range(1, 5)))
    (row,) = capacity(load_reports(path), dt.date(2001, 4, 30), tables)
    assert (row.status, row.forecast, row.forecast_component) == ("within", (2001, 7), "gateway_elements")


def test_outgrow_month_by_hand():
    # Points (0, 10), (1, 12), (2, 14): slope 2; passes 15 when 10 + 2t > 15: t = 3.
    assert outgrow_month([(0, 10), (1, 12), (2, 14)], 15) == 3
    assert outgrow_month([(0, 10), (1, 10)], 15) is None          # no growth
    assert outgrow_month([(0, 10)], 15) is None                    # one point: no trend


def test_start_level_from_similar_cities(tmp_path, tables):
    # Fast: reaches gateway 15 in its 5th month. Slow: never in its first twelve months.
    rows = {"Fast": [("1999-10", 6, 3), ("2000-02", 16, 5), ("2000-09", 24, 8)],
            "Fast2": [("1999-10", 8, 3), ("2000-04", 15, 5), ("2000-09", 22, 8)],
            "Slow": [("1999-10", 5, 3), ("2000-09", 9, 4)]}
    data = load_reports(reports(tmp_path, rows))
    result = start_level(data, 23, tables, dt.date(2000, 10, 1))
    assert result.level == "Small"
    assert {s.city: s.reached for s in result.similar} == {"Fast": (2000, 2), "Fast2": (2000, 4)}
    slow = start_level(data, 9, tables, dt.date(2000, 10, 1), tolerance=1)
    assert slow.level == "Very Small" and [s.city for s in slow.similar] == ["Slow"]
    none = start_level(data, 100, tables, dt.date(2000, 10, 1))
    assert none.level == "Very Small" and "no city of size 100" in none.reason


def test_loading_reports_lists_gaps_duplicates_and_bad_values(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "A,2000-01,10,1,5,1,1,1\nA,2000-03,10,1,5,1,1,1\n"
                    "A,2000-03,11,1,5,1,1,1\nB,2000-01,x,1,5,1,1,1\nB,2000-13,1,1,1,1,1,1\n")
    with pytest.raises(ProblemsError) as caught:
        load_reports(path)
    found = [str(p) for p in caught.value.problems]
    assert f"{path}, row 4, column month: A 2000-03 is reported twice (also row 3)" in found
    assert f"{path}, row 5, column gateway_elements: expected a whole number of zero or more, got 'x'" in found
    assert f"{path}, row 6, column month: expected a month YYYY-MM, got '2000-13'" in found
    assert any("A: no report for 2000-02" in p for p in found)


def test_cli_relevel_json_and_example():
    result = runner.invoke(app, ["relevel", str(REPO / "examples" / "reports.csv"), "--period", "2000",
                                 "--format", "json"])
    assert result.exit_code == 0
    rows = {r["city"]: r for r in json.loads(result.output)}
    assert set(rows["Dothan AL"]) >= {"city", "previous_level", "level", "changed", "reason"}
    assert (rows["Huntsville AL"]["previous_level"], rows["Huntsville AL"]["level"]) == ("Small", "Medium")
    assert rows["Montgomery AL"]["level"] == "Very Small"


def test_reports_return_dataframes(tables):
    from pricing.reports.levels import frame

    df = frame(levels_for_period(load_reports(REPO / "examples" / "reports.csv"), 2000, tables))
    assert list(df.columns) == ["city", "previous_level", "level", "annual_price", "changed", "reason"]
    assert len(df) == 5
