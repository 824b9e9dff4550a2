"""7R/E warranties, worked by hand from GA Amendment 3 Section A-1.26 (004 L342):

"The Warranty Period for 7R/E hardware (whether or not the hardware is part of a 7R/E Packet
Solution) is twelve (12) months. The Warranty Period for Software licensed with a new 7R/E
Packet Solution installation (all three elements ... must be installed at the same time ...) is
twelve (12) months. The Warranty Period for any other 7R/E Software including ... upgrades or
updates ... is three (3) months."

The last covered day is the day before the period's anniversary of the installation date.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pricing.cli import app
from pricing.equipment.packet_solution import check_packet_solution
from pricing.errors import MissingPriceError, PricingError
from pricing.tables import load_tables
from tests.conftest import rehash

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()
AS_OF = dt.date(2000, 3, 1)


def quote(*components):
    return {"date": "2000-03-01", "comparable_5ess_tdm": "2500000", "price": "1900000",
            "components": list(components)}


def part(component, on, kind=None, **extra):
    item = {"component": component, "installed_on": on, **extra}
    if kind is not None:
        item["part"] = kind
    return item


SOLUTION_0315 = [part("Call Feature Server", "2000-03-15", "hardware"),
                 part("One-Link Manager", "2000-03-15", "hardware"),
                 part("Packet Gateway", "2000-03-15", "hardware")]


def ends(check):
    return [(w.component, w.part, w.months, w.end) for w in check.warranties]


def test_software_with_a_new_installation_12_months_later_software_3_months(tables):
    # CFS, OLM and PG hardware installed 2000-03-15: a new Packet Solution installation.
    # CFS software licensed with it, same day: 12 months -> anniversary 2001-03-15, so the last
    #   covered day is 2001-03-14. The hardware: 12 months, also 2001-03-14.
    # PG software installed 2000-06-01, after the installation: "any other 7R/E Software",
    #   3 months -> anniversary 2000-09-01, last covered day 2000-08-31.
    check = check_packet_solution(quote(*SOLUTION_0315,
                                        part("Call Feature Server", "2000-03-15", "software"),
                                        part("Packet Gateway", "2000-06-01", "software")),
                                  tables, AS_OF)
    assert check.is_packet_solution and check.installed_on == dt.date(2000, 3, 15)
    assert ends(check) == [
        ("Call Feature Server", "hardware", 12, dt.date(2001, 3, 14)),
        ("One-Link Manager", "hardware", 12, dt.date(2001, 3, 14)),
        ("Packet Gateway", "hardware", 12, dt.date(2001, 3, 14)),
        ("Call Feature Server", "software", 12, dt.date(2001, 3, 14)),
        ("Packet Gateway", "software", 3, dt.date(2000, 8, 31))]
    new, later = check.warranties[3], check.warranties[4]
    assert "new 7R/E Packet Solution installation of 2000-03-15" in new.reason
    assert "installed after the Packet Solution's installation of 2000-03-15" in later.reason
    assert all("GA Amendment 3 Section A-1.26" in w.reason for w in check.warranties)
    assert all(w.source.table == "warranties" for w in check.warranties)


def test_a_component_installed_later_does_not_break_the_packet_solution(tables):
    # A second Packet Gateway (hardware) installed 2000-06-01: the three elements were still
    # installed at one time on 2000-03-15, so the rest is a Packet Solution; the later unit's
    # hardware has its own 12 months: 2000-06-01 -> last covered day 2001-05-31.
    check = check_packet_solution(quote(*SOLUTION_0315, part("Packet Gateway", "2000-06-01")),
                                  tables, AS_OF)
    assert check.installed_together and check.is_packet_solution and not check.missing
    assert check.installed_on == dt.date(2000, 3, 15)
    assert check.warranties[3].end == dt.date(2001, 5, 31)
    assert "not a 7R/E Packet Solution" not in check.verdict


def test_software_of_a_quote_that_is_not_a_packet_solution_is_other_software(tables):
    # No One-Link Manager: no new Packet Solution installation, so the CFS software installed
    # 2000-03-15 gets 3 months -> last covered day 2000-06-14; the hardware still 12 months
    # ("whether or not the hardware is part of a 7R/E Packet Solution").
    check = check_packet_solution(quote(part("Call Feature Server", "2000-03-15", "hardware"),
                                        part("Packet Gateway", "2000-03-15", "hardware"),
                                        part("Call Feature Server", "2000-03-15", "software")),
                                  tables, AS_OF)
    assert not check.is_packet_solution and check.installed_on is None
    assert ends(check)[1:] == [("Packet Gateway", "hardware", 12, dt.date(2001, 3, 14)),
                               ("Call Feature Server", "software", 3, dt.date(2000, 6, 14))]
    assert "not a new 7R/E Packet Solution installation" in check.warranties[2].reason


def test_only_software_of_the_three_elements_is_not_a_new_installation(tables):
    # The three elements' software upgraded on one day is not a new installation: units counted
    # are hardware units, so the elements are missing and the software gets 3 months
    # (2000-11-30 + 3 months -> 2001-02-28 clamped, last covered day 2001-02-27).
    check = check_packet_solution(quote(*[{**c, "part": "software", "installed_on": "2000-11-30"}
                                          for c in SOLUTION_0315]), tables, AS_OF)
    assert check.missing == ("Call Feature Server", "One-Link Manager", "Packet Gateway")
    assert {(w.months, w.end) for w in check.warranties} == {(3, dt.date(2001, 2, 27))}


def test_part_defaults_to_hardware_and_says_so(tables):
    check = check_packet_solution(json.loads((REPO / "examples" / "seven_re_quote.json").read_text()),
                                  tables, dt.date(1999, 11, 15))
    # Installed 2000-06-01: 12 months hardware -> last covered day 2001-05-31.
    assert ends(check) == [(name, "hardware", 12, dt.date(2001, 5, 31))
                           for name in ("Call Feature Server", "One-Link Manager", "Packet Gateway")]
    assert all(w.reason.startswith("part not given, read as hardware") for w in check.warranties)


def test_undated_components_and_access_vehicles_get_no_guessed_date(tables):
    check = check_packet_solution(quote(*SOLUTION_0315,
                                        {"component": "Packet Gateway", "part": "software"},
                                        {"component": "RLAG", "quantity": 10, "access_vehicle": True}),
                                  tables, AS_OF)
    assert check.is_packet_solution
    undated, rlag = check.warranties[3], check.warranties[4]
    assert (undated.months, undated.end) == (None, None) and "cannot be told" in undated.reason
    assert (rlag.months, rlag.end) == (None, None) and "access vehicle" in rlag.reason


@pytest.mark.parametrize("value", ["firmware", "Hardware", "", 1, ["software"], {"a": 1}, True])
def test_an_invalid_part_is_a_clean_error_naming_the_component(tables, value):
    bad = quote(*SOLUTION_0315, {"component": "Packet Gateway", "part": value})
    with pytest.raises(PricingError) as error:
        check_packet_solution(bad, tables, AS_OF)
    assert "components[3] ('Packet Gateway').part: expected 'hardware' or 'software', got" \
        in str(error.value)


def test_cli_reports_an_invalid_part_cleanly(tmp_path):
    path = tmp_path / "quote.json"
    path.write_text(json.dumps(quote(*SOLUTION_0315,
                                     {"component": "Packet Gateway", "part": "firmware"})))
    result = runner.invoke(app, ["check-7re", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "components[3] ('Packet Gateway').part: expected 'hardware' or 'software', " \
           "got 'firmware'" in result.output


def test_a_missing_warranties_row_is_an_error_naming_the_table(tables_copy):
    csv = tables_copy / "warranties" / "1999-11-15.csv"
    csv.write_text("".join(line for line in csv.read_text().splitlines(keepends=True)
                           if not line.startswith("packet_solution,,software,other,")))
    rehash(tables_copy)
    broken = load_tables(tables_copy)
    later_software = quote(*SOLUTION_0315, part("Packet Gateway", "2000-06-01", "software"))
    with pytest.raises(MissingPriceError) as error:
        check_packet_solution(later_software, broken, AS_OF)
    message = str(error.value)
    assert "components[3] ('Packet Gateway')" in message
    assert "table warranties 1999-11-15 (warranties/1999-11-15.csv) has no row for schedule " \
           "packet_solution, part software, condition other" in message
    # The rows still there are read: the same quote without the later software is fine.
    assert check_packet_solution(quote(*SOLUTION_0315), broken, AS_OF).is_packet_solution


def test_an_installation_before_the_warranties_table_is_an_error_naming_it(tables):
    early = quote(*[{**c, "installed_on": "1999-06-01"} for c in SOLUTION_0315])
    with pytest.raises(MissingPriceError, match=r"components\[0\] \('Call Feature Server'\): "
                       r"table warranties has no version in force on 1999-06-01"):
        check_packet_solution(early, tables, AS_OF)


def test_cli_table_and_json_give_each_components_warranty(tmp_path):
    path = tmp_path / "quote.json"
    path.write_text(json.dumps(quote(*SOLUTION_0315,
                                     part("Packet Gateway", "2000-06-01", "software"))))
    text = runner.invoke(app, ["check-7re", str(path)])
    assert text.exit_code == 0, text.output
    assert "installed at one time: yes (2000-03-15)" in text.output
    assert "2000-08-31" in text.output and "2001-03-14" in text.output
    out = runner.invoke(app, ["check-7re", str(path), "--format", "json"])
    data = json.loads(out.output)
    assert data["installed_on"] == "2000-03-15"
    last = data["warranties"][-1]
    assert (last["component"], last["part"], last["warranty_months"], last["warranty_end"]) == (
        "Packet Gateway", "software", 3, "2000-08-31")
    assert last["reason"].startswith("other 7R/E software: installed after")
    assert last["source"].startswith("warranties 1999-11-15")
