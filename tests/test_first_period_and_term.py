"""The first annual period everywhere, the PSA's term everywhere, and one rule for who may be
billed (issue 13). Worked by hand from PSA Amendment 1 Appendix A (note 3 and its Charges
table), PSA Amendment 1 Section 1 and PSA Amendment 2 Sections 1-2."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pricing.rules.agreements import customer_for
from pricing.cli import app
from pricing.rules.components import Counts
from pricing.errors import PricingError
from pricing.quote import price_city
from pricing.reports.levels import meeting_date
from pricing.rules.service_level import level_fixed_on

REPO = Path(__file__).resolve().parent.parent
REPORTS = str(REPO / "examples" / "reports.csv")
EXPIRY = "after the PSA expires (2005-09-30, PSA Amendment 2 Section 2)"
runner = CliRunner()


def level_args(as_of: str, gateway: int = 20, slc: int = 10) -> list[str]:
    return ["level", "--gateway-elements", str(gateway), "--slc", str(slc), "--as-of", as_of]


# -- relevel --period 1998 ---------------------------------------------------------------------

def test_relevel_first_period_prints_every_city_at_very_small_and_exits_0():
    result = runner.invoke(app, ["relevel", REPORTS, "--period", "1998", "--format", "csv"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "city,previous_level,level,annual_price,changed,reason"
    # The three cities reported in the first period; each at Very Small, $163,000 (note 3).
    rows = [line.split(",") for line in lines[1:]]
    assert [row[0] for row in rows] == ["Dothan AL", "Huntsville AL", "Montgomery AL"]
    assert {(row[2], row[3]) for row in rows} == {("Very Small", "163000.00")}
    assert "no period precedes it, so there is no meeting" in result.stderr


def test_relevel_first_period_json():
    result = runner.invoke(app, ["relevel", REPORTS, "--period", "1998", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert {(r["level"], r["annual_price"], r["previous_level"]) for r in rows} == {
        ("Very Small", "163000.00", None)}


def test_no_meeting_before_the_first_period(tables):
    assert meeting_date(tables, 1998) is None
    # Period 1999: sixty days before 1999-09-30.
    assert meeting_date(tables, 1999) == dt.date(1999, 8, 1)


# -- level --as-of in the first period ---------------------------------------------------------

@pytest.mark.parametrize("as_of", ["1998-10-01", "1999-05-01", "1999-09-30"])
def test_level_in_first_period_is_billed_very_small(as_of):
    # 20 gateway elements > 15 and 10 SLCs > 8: the counts give Small ($198,000); the first
    # period bills Very Small ($163,000) whatever the counts.
    result = runner.invoke(app, level_args(as_of) + ["--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["level"], data["annual_price"]) == ("Small", "198000.00")
    assert (data["billed_level"], data["billed_annual_price"]) == ("Very Small", "163000.00")
    assert "first annual period" in data["billed_reason"]


def test_level_text_in_first_period_says_billed_very_small():
    result = runner.invoke(app, level_args("1999-05-01"))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Small: 198,000.00 a year (as of 1999-05-01)"
    assert lines[-1].startswith("billed at Very Small: 163,000.00 a year; the first annual period "
                                "bills every city at Very Small (1998-10-01 to 1999-09-30")


def test_level_after_first_period_has_no_fixed_billed_level():
    result = runner.invoke(app, level_args("1999-10-01") + ["--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["level"], data["billed_level"], data["billed_reason"]) == ("Small", None, None)
    text = runner.invoke(app, level_args("1999-10-01")).stdout
    assert "billed at" not in text


@pytest.mark.parametrize("day, fixed", [
    (dt.date(1998, 10, 1), "Very Small"), (dt.date(1999, 9, 30), "Very Small"),
    (dt.date(1999, 10, 1), None), (dt.date(2001, 5, 1), None)])
def test_level_fixed_on(tables, day, fixed):
    large = Counts(gateway_elements=45, five_ess=1, slc=22, sm=3, dacs_ii=1, dacs_iv=1)
    found = level_fixed_on(large, tables, day)
    assert (found[0].level if found else None) == fixed
    if found:
        assert found[0].annual_price == D("163000.00")


# -- the PSA's term: level, relevel, capacity ---------------------------------------------------

@pytest.mark.parametrize("args", [
    level_args("2005-10-01"),
    ["relevel", REPORTS, "--period", "2005"],
    ["capacity", REPORTS, "--as-of", "2005-10-01"],
    ["capacity", REPORTS, "--as-of", "2006-03-31"],
])
def test_dates_after_the_psa_expiry_are_refused(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert EXPIRY in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args", [
    level_args("2005-09-30"),
    ["relevel", REPORTS, "--period", "2004"],
    ["capacity", REPORTS, "--as-of", "2005-09-30"],
])
def test_last_day_of_the_term_is_allowed(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output


def test_same_message_as_quote_and_batch():
    # The same check (pricing.rules.agreements.check_in_term) gives the same words everywhere.
    level = runner.invoke(app, level_args("2005-10-01")).stderr
    batch = runner.invoke(app, ["batch", str(REPO / "examples" / "cities.csv"), "-o", "x.csv",
                                "--as-of", "2005-10-01"]).stderr
    assert level.strip() == batch.strip() == f"error: 2005-10-01 is {EXPIRY}"


# -- who may be billed -------------------------------------------------------------------------

def quote_request(**changes) -> dict:
    base = {"city": "Huntsville", "bill_to": "KMC Telecom III, Inc.", "period": 2000,
            "counts": {"gateway_elements": 20, "five_ess": 1, "slc": 10, "sm": 1, "dacs_ii": 1,
                       "dacs_iv": 1}}
    base.update(changes)
    return base


def test_customer_on_one_day(tables):
    # KMC Telecom III, Inc. joins the PSA 2000-09-29 (PSA Amendment 2 Section 1).
    assert customer_for(tables, "PSA", "KMC Telecom III Inc", dt.date(2000, 9, 29)) == \
        "KMC Telecom III, Inc."
    with pytest.raises(PricingError, match="only from 2000-09-29 .*not on 2000-09-28"):
        customer_for(tables, "PSA", "KMC Telecom III, Inc.", dt.date(2000, 9, 28))


def test_customer_for_a_whole_period(tables):
    assert customer_for(tables, "PSA", "KMC Telecom III, Inc.", dt.date(2000, 10, 1),
                        dt.date(2001, 9, 30)) == "KMC Telecom III, Inc."
    # Period 1999 (1999-10-01 to 2000-09-30): a customer only for its last two days.
    with pytest.raises(PricingError, match="needs a PSA customer for the whole of it"):
        customer_for(tables, "PSA", "KMC Telecom III, Inc.", dt.date(1999, 10, 1),
                     dt.date(2000, 9, 30))
    with pytest.raises(PricingError, match="not a customer under the PSA"):
        customer_for(tables, "PSA", "KMC III Services LLC", dt.date(2001, 1, 1))


def test_quote_needs_a_customer_for_the_whole_period(tables):
    assert price_city(quote_request(), tables).bill_to == "KMC Telecom III, Inc."
    # KMC Telecom Inc., an original party (1997-09-04): the first period, Very Small $163,000.
    first = price_city(quote_request(period=1998, bill_to="KMC Telecom Inc."), tables)
    assert (first.bill_to, first.level.level, first.total) == (
        "KMC Telecom Inc.", "Very Small", D("163000.00"))
    with pytest.raises(PricingError, match="only from 2000-09-29.*1999-10-01 to 2000-09-30 needs "
                                           "a PSA customer for the whole of it"):
        price_city(quote_request(period=1999), tables)


def test_cli_quote_refuses_a_part_period_customer(tmp_path):
    path = tmp_path / "city.json"
    path.write_text(json.dumps(quote_request(period=1999)))
    result = runner.invoke(app, ["quote", str(path)])
    assert result.exit_code == 1
    assert "KMC Telecom III, Inc. is a PSA customer only from 2000-09-29" in result.stderr
    assert "for the whole of it" in result.stderr
