"""An itemized quote for one city, worked by hand; and every bad-input case."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pricing.cli import app
from pricing.errors import PricingError, ProblemsError
from pricing.quote import parse_city_request, price_city

D = Decimal
REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()


def city(**changes):
    base = {"city": "Huntsville", "bill_to": "KMC Telecom III, Inc.", "period": 2000,
            "counts": {"gateway_elements": 20, "five_ess": 1, "slc": 10, "sm": 1, "dacs_ii": 1,
                       "dacs_iv": 1},
            "hours": {"2000-10": D(1600), "2001-07": D("12.5")}, "integration_sites": 1}
    base.update(changes)
    return base


def test_huntsville_quote_by_hand(tables):
    # Small (20 gateway > 15, 10 SLC > 8): $198,000. October 1,600 h: 2 blocks = $243,000,
    # leaving 1,400 prepaid hours; July 12.5 h draws on them, no charge. One switch site
    # cut over: $100,000. Total $541,000.
    quote = price_city(city(), tables)
    assert quote.level.level == "Small"
    assert [(l.kind, l.quantity, l.unit_price, l.amount) for l in quote.lines] == [
        ("service_level", D(1), D("198000.00"), D("198000.00")),
        ("hour_block", D(2), D("121500.00"), D("243000.00")),
        ("integration", D(1), D("100000.00"), D("100000.00")),
    ]
    assert quote.total == D("541000.00")
    assert quote.period.start == dt.date(2000, 10, 1) and quote.period.end == dt.date(2001, 9, 30)
    assert all(line.source.citation.startswith("PSA Amendment 1 Appendix A") for line in quote.lines)


def test_first_period_bills_very_small(tables):
    # 1998 period, Large counts: still Very Small, $163,000 (note 3); 3 sites: $300,000.
    quote = price_city(city(period=1998, bill_to="KMC Telecom Inc.", hours={},
                            counts={"gateway_elements": 40, "five_ess": 1, "slc": 22, "sm": 3,
                                    "dacs_ii": 1, "dacs_iv": 1}, integration_sites=3), tables)
    assert quote.level.level == "Very Small"
    assert [l.amount for l in quote.lines] == [D("163000.00"), D("300000.00")]
    assert quote.total == D("463000.00")


def test_carried_over_level_overrides_counts(tables):
    quote = price_city(city(level="Very Small", hours={}, integration_sites=0), tables)
    assert quote.total == D("163000.00")
    assert "carried over" in quote.level_reason


def test_hourly_month_in_quote(tables):
    # July 2001 is month 10: 12.5 h x $81 = $1,012.50 when no block was bought.
    quote = price_city(city(hours={"2001-07": D("12.5")}, integration_sites=0), tables)
    assert [l.amount for l in quote.lines] == [D("198000.00"), D("1012.50")]
    assert quote.total == D("199012.50")


@pytest.mark.parametrize("changes, message", [
    ({"counts": {"gateway_elements": -1, "five_ess": 1, "slc": 1, "sm": 1, "dacs_ii": 1,
                 "dacs_iv": 1}}, "column counts.gateway_elements: expected a whole number"),
    ({"counts": {"gateway_elements": D("2.5"), "five_ess": 1, "slc": 1, "sm": 1, "dacs_ii": 1,
                 "dacs_iv": 1}}, "column counts.gateway_elements: expected a whole number"),
    ({"colour": "blue"}, "column colour: unknown field"),
    ({"hours": {"2000-11": D(-3)}}, "column hours.2000-11: expected hours of zero or more"),
    ({"hours": {"Nov 2000": 3}}, "column hours.Nov 2000: expected a month YYYY-MM"),
    ({"period": "2000"}, "column period: expected the year"),
])
def test_bad_fields_are_named(changes, message):
    with pytest.raises(ProblemsError) as caught:
        parse_city_request(city(**changes), "city.json")
    assert any(message in str(p) for p in caught.value.problems), caught.value.problems


@pytest.mark.parametrize("changes, message", [
    ({"counts": {"gateway_elements": 5, "five_ess": 0, "slc": 1, "sm": 1, "dacs_ii": 1,
                 "dacs_iv": 1}}, "five_ess: .* got 0"),
    ({"counts": {"gateway_elements": 5, "five_ess": 2, "slc": 1, "sm": 1, "dacs_ii": 1,
                 "dacs_iv": 1}}, "five_ess: .* got 2"),
    ({"hours": {"2000-09": D(3)}}, "hours.2000-09: 2000-09 is outside the annual period"),
    ({"period": 1997}, "the first annual period starts 1998-10-01"),
    ({"period": 2005}, "2005-10-01 is after the PSA expires \\(2005-09-30"),
    ({"period": 1999}, "KMC Telecom III, Inc. is a PSA customer only from 2000-09-29"),
    ({"bill_to": "KMC III Services LLC"}, "'KMC III Services LLC' is not a customer under the PSA"),
    ({"level": "Huge"}, "unknown service level 'Huge'"),
    ({"period": 1998, "bill_to": "KMC Telecom Inc.", "level": "Small"},
     "first annual period bills every city at Very Small"),
])
def test_contract_rule_violations(tables, changes, message):
    with pytest.raises(PricingError, match=message):
        price_city(city(**changes), tables)


hours_values = st.decimals(min_value=0, max_value=6000, places=2, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(monthly=st.dictionaries(st.integers(1, 12), hours_values, max_size=12),
       sites=st.integers(0, 4), ge=st.integers(0, 60), slc=st.integers(0, 30))
def test_total_is_exact_sum_of_rounded_lines(tables, monthly, sites, ge, slc):
    months = {f"{2000 + (m >= 4)}-{(m + 8) % 12 + 1:02d}": h for m, h in monthly.items()}
    quote = price_city(city(hours=months, integration_sites=sites,
                            counts={"gateway_elements": ge, "five_ess": 1, "slc": slc, "sm": 1,
                                    "dacs_ii": 1, "dacs_iv": 1}), tables)
    assert all(line.amount == line.amount.quantize(D("0.01")) for line in quote.lines)
    assert quote.total == sum(line.amount for line in quote.lines)
    for line in quote.lines:
        if line.kind == "hourly":   # $81 an hour, at least one hour, half-up to the cent
            assert line.quantity >= 1
            assert line.amount == (line.quantity * D(81)).quantize(D("0.01"), rounding="ROUND_HALF_UP")


def test_cli_quote_json_matches_readme_shape():
    result = runner.invoke(app, ["quote", str(REPO / "examples" / "huntsville.json"), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["city"], data["period"], data["level"], data["total"]) == (
        "Huntsville", 2000, "Small", "541000.00")
    assert [line["amount"] for line in data["lines"]] == ["198000.00", "243000.00", "100000.00"]


def test_cli_quote_bad_input_lists_problems_without_traceback(tmp_path):
    bad = tmp_path / "city.json"
    bad.write_text(json.dumps({"city": "X", "period": 2000, "counts": {"gateway_elements": -2},
                               "colour": 1}))
    result = runner.invoke(app, ["quote", str(bad)])
    assert result.exit_code == 1
    assert "column colour: unknown field" in result.output
    assert "column counts.gateway_elements: expected a whole number" in result.output
    assert "Traceback" not in result.output


def test_cli_quote_unparsable_json(tmp_path):
    bad = tmp_path / "city.json"
    bad.write_text('{"city": "X",\n  "period": }')
    result = runner.invoke(app, ["quote", str(bad)])
    assert result.exit_code == 1
    assert "city.json, row 2, column 13: not valid JSON" in result.output


def test_cli_level_json():
    result = runner.invoke(app, ["level", "--gateway-elements", "20", "--slc", "10", "--as-of",
                                 "2000-10-01", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert (data["level"], data["annual_price"], data["as_of"]) == ("Small", "198000.00", "2000-10-01")
    assert data["decided_by"][0] == {"level": "Very Small", "component": "gateway_elements",
                                     "count": 20, "limit": 15}


def test_cli_level_negative_count_is_usage_error():
    result = runner.invoke(app, ["level", "--gateway-elements", "-3", "--slc", "1"])
    assert result.exit_code == 2
