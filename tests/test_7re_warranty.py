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
from pricing.equipment.warranty import product_warranty
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


# ---------------------------------------------------------------------------------------------
# The 7 R/E Connection Gateway's own periods (issue 29, point 9). 004 L325: "** The Warranty
# Periods for the 7 R/E Connection Gateway are twelve (12) months for the hardware and eighteen
# (18) months for the Software." A footnote naming one product is more specific than A-1.26's
# "any other 7R/E Software ... three (3) months" (FACTS.md ambiguity 33(a)).

GATEWAY = "7 R/E(TM) Connection Gateway (previously PacketStar(TM) Connection Gateway (PCG))"


def test_the_tables_give_the_connection_gateway_12_and_18_months_citing_l325(tables):
    rows = {r.part: r for r in tables.version("warranties", dt.date(1999, 11, 15)).rows
            if r.product == GATEWAY}
    assert (rows["hardware"].months, rows["software"].months) == (12, 18)
    assert all("(004 L325)" in r.section for r in rows.values())


def test_connection_gateway_software_in_a_7re_quote_keeps_its_18_months(tables):
    # Installed 2000-06-15, after the Packet Solution's installation of 2000-03-15
    # alone would give 3 months; L325 gives 18: 2000-06-15 + 18 months = 2001-12-15, so the
    # last covered day is 2001-12-14. Its hardware the same day: 12 months -> 2001-06-14.
    check = check_packet_solution(quote(*SOLUTION_0315,
                                        part("7 R/E Connection Gateway", "2000-06-15", "software"),
                                        part("PacketStar Connection Gateway", "2000-06-15",
                                             "hardware")), tables, AS_OF)
    assert ends(check)[3:] == [("7 R/E Connection Gateway", "software", 18, dt.date(2001, 12, 14)),
                               ("PacketStar Connection Gateway", "hardware", 12,
                                dt.date(2001, 6, 14))]
    assert all("(004 L325)" in w.reason for w in check.warranties[3:])
    # The Packet Gateway's software the same day is still "other 7R/E software": 3 months.
    other = check_packet_solution(quote(*SOLUTION_0315,
                                        part("Packet Gateway", "2000-06-15", "software")),
                                  tables, AS_OF)
    assert ends(other)[3] == ("Packet Gateway", "software", 3, dt.date(2000, 9, 14))


@pytest.mark.parametrize("typed", ["7 R/E Connection Gateway", "7R/E Connection Gateway",
                                   "PacketStar Connection Gateway", GATEWAY + "**"])
def test_product_warranty_gives_the_connection_gateways_periods(tables, typed):
    # Shipped 2000-03-15: hardware 12 months -> 2001-03-14; software 18 months -> 2001-09-14.
    found = product_warranty(tables, typed, AS_OF, start=dt.date(2000, 3, 15))
    assert found.product == GATEWAY and found.unknown == ()
    assert [(p.part, p.months, p.end) for p in found.periods] == [
        ("hardware", 12, dt.date(2001, 3, 14)), ("software", 18, dt.date(2001, 9, 14))]
    assert all(p.basis == "the product's own period" and "(004 L325)" in p.section
               for p in found.periods)


def test_product_warranty_of_a_schedule_default_and_of_a_7re_component(tables):
    # 004 L292: data networking "twelve (12) months for the hardware and ninety (90) days for
    # the Software". PathStar shipped 2000-01-31: 12 months -> 2001-01-30; 90 days -> 2000-04-30
    # is day 90 after, so the last covered day is 2000-04-29.
    pathstar = product_warranty(tables, "PathStar Access Server", AS_OF, start=dt.date(2000, 1, 31))
    assert [(p.part, p.months, p.days, p.end, p.basis) for p in pathstar.periods] == [
        ("hardware", 12, None, dt.date(2001, 1, 30), "the data networking default"),
        ("software", None, 90, dt.date(2000, 4, 29), "the data networking default")]
    # 004 L342: a Packet Gateway's hardware 12 months; its software 12 months with a new
    # Packet Solution installation, three (3) months otherwise.
    gateway = product_warranty(tables, "Packet Gateway", AS_OF, part="software")
    assert [(p.part, p.months, p.condition) for p in gateway.periods] == [
        ("software", 12, "licensed with a new 7R/E Packet Solution installation"),
        ("software", 3, "any other 7R/E software (upgrades, updates, new releases)")]


def test_product_warranty_says_when_the_texts_give_no_period(tables):
    # 004 L92 gives DACS II Systems a discount; no filed text gives it a warranty period.
    found = product_warranty(tables, "DACS II Systems", AS_OF)
    assert found.unknown == ("hardware", "software")
    assert all(p.end is None and "base GA Warranty clause" in p.note for p in found.periods)


def test_product_warranty_refuses_unknown_and_ambiguous_names_and_early_dates(tables):
    with pytest.raises(PricingError, match=r"'Cajun' is ambiguous: .*'Cajun\(TM\) 330R "
                       r"Stackable Switching System'; 'Cajun\(TM\) 550R"):
        product_warranty(tables, "Cajun", AS_OF)
    with pytest.raises(PricingError, match="'Widget' is not a product"):
        product_warranty(tables, "Widget", AS_OF)
    with pytest.raises(MissingPriceError, match="table warranties has no version in force on "
                                                "1999-06-01"):
        product_warranty(tables, "PathStar Access Server", AS_OF, start=dt.date(1999, 6, 1))


def warranty_app():
    """The `warranty` command as `pricing` runs it (pricing/cli/__init__.py registers it)."""
    import typer

    from pricing.cli import equipment_cmd

    wrapper = typer.Typer(pretty_exceptions_enable=False)
    wrapper.command("warranty")(equipment_cmd.warranty)
    wrapper.command("other", hidden=True)(lambda: None)    # keep "warranty" a subcommand
    return wrapper


@pytest.mark.parametrize("args, code, shown", [
    (["7 R/E Connection Gateway", "--shipped", "2000-03-15"], 0, ["18 months", "2001-09-14",
                                                                  "2001-03-14", "004 L325"]),
    (["Cajun"], 1, ["ambiguous", "Cajun(TM) 330R", "Cajun(TM) 550R"]),
    (["Widget"], 1, ["'Widget' is not a product"]),
    (["DACS II Systems"], 1, ["no warranty period for its hardware and software"]),
    (["PathStar Access Server", "--shipped", "1999-06-01"], 1, ["no version in force on 1999-06-01"]),
    (["PathStar Access Server", "--as-of", "2000-13-01"], 2, ["--as-of"]),
    (["PathStar Access Server", "--part", "firmware"], 2, ["--part"]),
    (["PathStar Access Server", "--format", "xml"], 2, ["--format"]),
])
def test_warranty_command_exit_codes(args, code, shown):
    result = runner.invoke(warranty_app(), ["warranty", *args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert all(text in result.output for text in shown), result.output


def test_warranty_command_json_and_csv():
    out = runner.invoke(warranty_app(), ["warranty", "PacketStar Connection Gateway",
                                         "--part", "software", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert (data["product"], data["found_by"]) == (GATEWAY, "former name")
    assert [(p["part"], p["months"], p["section"]) for p in data["periods"]] == [
        ("software", 18, "GA Amendment 3 Access Products footnote ** (004 L325)")]
    csv_out = runner.invoke(warranty_app(), ["warranty", "7 R/E Connection Gateway",
                                             "--format", "csv", "--shipped", "2000-03-15"])
    assert csv_out.exit_code == 0
    assert csv_out.output.splitlines()[2] == (
        "software,,18 months,2001-09-14,the product's own period,"
        "GA Amendment 3 Access Products footnote ** (004 L325)")
