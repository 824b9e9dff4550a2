"""Notebook views: HTML reprs of the library's results, the analyst's float money option, and the
what-if explorer's functions. Figures are worked from the tables by hand:

- 20 gateway elements and 10 SLC break Very Small's bounds (15 and 8): Small, 198,000.00 a
  year; 12 and 6 stay within them: Very Small, 163,000.00 (PSA Amendment 1 Appendix A).
- Hours are bought in 1,500-hour blocks at 121,500.00; after ten blocks each hour is 81.00.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from pricing.batch.frame import price_cities
from pricing.analysis.explorer import hour_blocks, months_of, render, what_if
from pricing.quote import price_city
from pricing.rules.service_level import pick_level
from pricing.rules.components import Counts

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SMALL = {"gateway_elements": 20, "five_ess": 1, "slc": 10, "sm": 1, "dacs_ii": 1, "dacs_iv": 1}
VERY_SMALL = {**SMALL, "gateway_elements": 12, "slc": 6}
AS_OF = dt.date(2001, 10, 1)


def test_quote_html_shows_money_as_printed_and_sources_as_tooltips(tables):
    quote = price_city(json.loads((EXAMPLES / "huntsville.json").read_text()), tables, AS_OF)
    html = quote._repr_html_()
    # Huntsville: Small 198,000.00 + two blocks for 1,600 hours 243,000.00 + one integration
    # 100,000.00 = 541,000.00.
    for shown in ("198,000.00", "243,000.00", "100,000.00", "541,000.00", "Small"):
        assert shown in html
    assert "541000.00" not in html
    assert 'title="service_levels 1998-10-01: PSA Amendment 1 Appendix A' in html
    assert "<td class=\"src\"" in html and ">service_levels 1998-10-01<" in html


def test_level_html_says_why(tables):
    choice = pick_level(Counts(**SMALL), tables, AS_OF)
    html = choice._repr_html_()
    assert "Small" in html and "198,000.00" in html
    assert "gateway_elements" in html and ">15<" in html and ">20<" in html


def test_equipment_packet_solution_invoice_and_tables_have_html_views(tables, tmp_path):
    from invoices.ledger.store import Ledger
    from invoices.workflows import run_month
    from pricing.equipment.packet_solution import check_packet_solution
    from pricing.equipment.price import read_order_csv

    equipment = read_order_csv(EXAMPLES / "order.csv", tables)._repr_html_()
    assert "Rejected lines" in equipment and "net_amount" in equipment
    check = check_packet_solution(json.loads((EXAMPLES / "seven_re_quote.json").read_text()),
                                  tables, dt.date(2000, 6, 1))._repr_html_()
    assert "2,041,392.80" in check and "2001-05-31" in check       # ceiling; 12-month warranty
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        run_month("2001-04", EXAMPLES / "invoice_cities.csv", tmp_path / "out", tables, ledger,
                  EXAMPLES / "invoice_hours.csv", EXAMPLES / "invoice_events.csv")
        invoice = ledger.get(3)
    html = invoice._repr_html_()
    assert "241,916.67" in html and "Roanoke VA" in html and "2001-05-20" in html
    listing = tables._repr_html_()
    assert tables.manifest_sha256 in listing and "payment_terms" in listing


def test_html_views_escape_what_they_show(tables):
    quote = price_city({"city": "<script>alert(1)</script>", "period": 2001,
                        "counts": VERY_SMALL}, tables, AS_OF)
    html = quote._repr_html_()
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_price_cities_float_money_for_pandas_and_exact_decimal_totals(tables):
    cities = pd.read_csv(EXAMPLES / "cities.csv")
    exact = price_cities(cities, AS_OF, tables)
    floats = price_cities(cities, AS_OF, tables, money="float")
    assert str(floats["total"].dtype) == "float64"
    summary = floats.describe()
    assert {"annual_price", "hours_charge", "integration_charge", "total"} <= set(summary.columns)
    # The README's batch totals for the example list as of 2001-10-01: 20,106,270.25 in all.
    assert exact["total"].sum() == D("20106270.25")
    assert exact.groupby("level")["total"].sum()["Very Large"] == D("3267000.00")
    assert [D(f"{v:.2f}") for v in floats["total"]] == list(exact["total"])
    with pytest.raises(ValueError, match="money: expected one of decimal, float"):
        price_cities(cities, AS_OF, tables, money="int")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**9 - 1), min_size=1, max_size=30))
def test_float_money_rounds_back_to_the_exact_cents(cents):
    from pricing.money import from_cents

    floats = pd.Series([c / 100 for c in cents], dtype="float64")
    assert [D(f"{v:.2f}") for v in floats] == [from_cents(c) for c in cents]


def test_explorer_months_follow_the_annual_period(tables):
    assert months_of(tables, AS_OF) == ["2001-10", "2001-11", "2001-12", "2002-01", "2002-02",
                                        "2002-03", "2002-04", "2002-05", "2002-06", "2002-07",
                                        "2002-08", "2002-09"]
    assert months_of(tables, dt.date(2001, 9, 30))[0] == "2000-10"


def test_explorer_what_if_and_hour_blocks(tables):
    hours = {"2001-10": 15000, "2001-11": 100, "2001-12": 0}
    quote = what_if(VERY_SMALL, hours, AS_OF, tables)
    assert quote.level.level == "Very Small"
    # 15,000 hours in October buy all ten blocks (1,215,000.00); November's 100 hours are then
    # billed hourly at 81.00 (8,100.00); 163,000.00 + 1,215,000.00 + 8,100.00 = 1,386,100.00.
    assert quote.total == D("1386100.00")
    rows = hour_blocks(quote, hours)
    assert [(r.month, r.cumulative, r.blocks, r.hourly) for r in rows] == [
        ("2001-10", D("15000"), D("1215000.00"), D("0")),
        ("2001-11", D("15100"), D("0"), D("8100.00")),
        ("2001-12", D("15100"), D("0"), D("0"))]
    bigger = what_if(SMALL, {}, AS_OF, tables)
    assert (bigger.level.level, bigger.total) == ("Small", D("198000.00"))


def test_explorer_render_shows_the_scenario_or_why_not(tables):
    html = render(SMALL, {"2001-10": 1600}, AS_OF, tables)
    assert "Small: 198,000.00" not in html                       # the heading has the total
    assert "Small: 441,000.00 for the annual period 2001-10-01 to 2002-09-30" in html
    assert "243,000.00" in html and "Hours and what they bought" in html
    refused = render(SMALL, {}, dt.date(2009, 1, 1), tables)
    assert refused.startswith('<p style="color:#a00">Cannot price this:')
    assert "after the PSA expires (2005-09-30" in refused
    odd = render(SMALL, {"2001-10": -5}, AS_OF, tables)
    assert "Cannot price this" in odd and "zero or more" in odd


def test_explorer_widgets_update_the_display(tables):
    pytest.importorskip("ipywidgets")
    from pricing.analysis.explorer import explorer

    box = explorer(tables, AS_OF, SMALL)
    controls, output = box.children
    assert "Small: 198,000.00 for the annual period" in output.value
    date, gateway = controls.children[0], controls.children[1]
    gateway.value = 12
    slc = next(w for w in controls.children if getattr(w, "description", "") == "slc")
    slc.value = 6
    assert "Very Small: 163,000.00" in output.value
    hours = controls.children[-1].children
    assert [w.description for w in hours][:2] == ["2001-10", "2001-11"]
    hours[0].value = 1600
    assert "Very Small: 406,000.00" in output.value              # 163,000 + 2 blocks
    date.value = dt.date(2000, 10, 1)
    assert [w.description for w in controls.children[-1].children][0] == "2000-10"


def test_explorer_keeps_the_hours_on_a_date_in_the_same_period(tables):
    """A new as-of date in the annual period keeps each month's hours; a date in another
    period shows that period's months at zero; a date no period holds keeps the sliders and
    says why it cannot price."""
    pytest.importorskip("ipywidgets")
    from pricing.analysis.explorer import explorer

    box = explorer(tables, AS_OF, SMALL)
    controls, output = box.children
    date, sliders = controls.children[0], controls.children[-1]
    october, march = sliders.children[0], sliders.children[5]
    october.value, march.value = 1600, 100
    # Small 198,000.00; 1,700 hours in the period buy two blocks (243,000.00).
    assert "Small: 441,000.00" in output.value
    date.value = dt.date(2002, 3, 15)                            # the same period, 2001-10 on
    assert sliders.children[0] is october and sliders.children[5] is march
    assert [s.value for s in sliders.children] == [1600, 0, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0]
    assert "Small: 441,000.00 for the annual period 2001-10-01 to 2002-09-30" in output.value
    date.value = dt.date(1990, 1, 1)                             # before the first period
    assert sliders.children[0] is october and "Cannot price this" in output.value
    date.value = dt.date(2002, 10, 1)                            # the next period
    assert [s.description for s in sliders.children][0] == "2002-10"
    assert all(s.value == 0 for s in sliders.children)
    assert "Small: 198,000.00 for the annual period 2002-10-01 to 2003-09-30" in output.value


@pytest.mark.parametrize("hours", [
    [1600.0, 12.5, None],                              # float64 with a missing value
    ["1600", "12.5", None],                            # object strings
    [1600, "12.5", None],                              # mixed object: pandas spells it
    pd.array(["1600", "12.5", None], dtype="string"),  # pandas' string dtype
])
def test_price_cities_reads_hours_of_any_dtype_the_same(tables, hours):
    frame = pd.DataFrame({"city": ["A", "B", "C"], **{k: [v] * 3 for k, v in SMALL.items()},
                          "hours": hours})
    priced = price_cities(frame, AS_OF, tables)
    # Small 198,000.00; 1,600 hours buy two blocks (243,000.00), 12.5 hours one (121,500.00).
    assert list(priced["total"]) == [D("441000.00"), D("319500.00"), D("198000.00")]
