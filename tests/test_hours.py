"""Provisioning/customer care hours, worked by hand from PSA Amdt 1 Appendix A (001 L139-153):
1,500-hour blocks at $121,500; after ten blocks, or from the tenth month (July), $81 an hour
as incurred with a one-hour minimum."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pricing.errors import PricingError
from pricing.rules.hours import price_hours

D = Decimal
ON = dt.date(2000, 10, 1)


def charges(tables, monthly):
    result = price_hours({m: D(h) for m, h in monthly.items()}, tables, ON)
    return [(line.kind, line.quantity, line.amount) for line in result.lines], result


@pytest.mark.parametrize("hours, blocks", [("1", 1), ("1499.5", 1), ("1500", 1), ("1500.25", 2),
                                           ("3000", 2), ("3001", 3), ("13500", 9), ("13501", 10)])
def test_blocks_around_1500(tables, hours, blocks):
    lines, result = charges(tables, {1: hours})
    assert lines == [("hour_block", D(blocks), D(121500) * blocks)]
    assert result.blocks_bought == blocks


def test_exactly_ten_blocks_at_15000_hours(tables):
    lines, result = charges(tables, {1: "15000"})
    assert lines == [("hour_block", D(10), D("1215000.00"))]
    assert result.prepaid_left == 0


def test_past_15000_hours_bills_hourly(tables):
    # 15,100 h: 10 blocks ($1,215,000) + 100 h x $81 = $8,100.
    lines, _ = charges(tables, {1: "15100"})
    assert lines == [("hour_block", D(10), D("1215000.00")), ("hourly", D(100), D("8100.00"))]


def test_quarter_hour_past_15000_is_charged_the_one_hour_minimum(tables):
    lines, _ = charges(tables, {1: "15000.25"})
    assert lines[-1] == ("hourly", D(1), D("81.00"))


def test_after_ten_blocks_later_months_are_hourly(tables):
    # Month 1: 15,000 h = 10 blocks; month 2: 20.25 h x $81 = $1,640.25.
    lines, _ = charges(tables, {1: "15000", 2: "20.25"})
    assert lines[1] == ("hourly", D("20.25"), D("1640.25"))


def test_tenth_month_bills_hourly_without_a_block(tables):
    # July (month 10), no blocks bought: 12.5 h x $81 = $1,012.50.
    assert charges(tables, {10: "12.5"})[0] == [("hourly", D("12.5"), D("1012.50"))]


def test_ninth_month_still_buys_a_block(tables):
    assert charges(tables, {9: "12.5"})[0] == [("hour_block", D(1), D("121500.00"))]


def test_tenth_month_draws_on_prepaid_hours_first(tables):
    # June: 100 h opens a block (1,400 left); July: 1,450 h = 1,400 prepaid + 50 h x $81 = $4,050.
    lines, result = charges(tables, {9: "100", 10: "1450"})
    assert lines == [("hour_block", D(1), D("121500.00")), ("hourly", D(50), D("4050.00"))]
    assert result.prepaid_left == 0


def test_one_hour_minimum_in_a_month_with_hours(tables):
    # August: 0.5 h is charged as 1 h = $81; September: no hours, no charge.
    assert charges(tables, {11: "0.5", 12: "0"})[0] == [("hourly", D(1), D("81.00"))]


def test_fractional_hours_round_once_half_up(tables):
    # 1.335 h x $81 = $108.135 -> $108.14 (half-up at the cent).
    lines, _ = charges(tables, {12: "1.335"})
    assert lines == [("hourly", D("1.335"), D("108.14"))]


def test_prepaid_hours_cover_later_month_with_no_charge(tables):
    # October: 1,600 h buys 2 blocks (1,400 left); July: 12.5 h from prepaid, nothing billed.
    lines, result = charges(tables, {1: "1600", 10: "12.5"})
    assert lines == [("hour_block", D(2), D("243000.00"))]
    assert result.prepaid_left == D("1387.5")


def test_negative_hours_are_refused(tables):
    with pytest.raises(PricingError, match="month 3 has negative hours"):
        price_hours({3: D(-1)}, tables, ON)


def test_lines_say_in_the_customers_words_which_rule_priced_them(tables):
    # Period 2000: October (month 1) 1,600 h buy blocks 1 and 2 (1,400 h left); April (month 7)
    # 14,000 h use the 1,400 and buy blocks 3 to 10 (12,000 h), 600 h are hourly; July
    # (month 10) 0.5 h is billed as the one-hour minimum.
    from pricing.rules.periods import annual_period

    result = price_hours({1: D(1600), 7: D(14000), 10: D("0.5")}, tables, ON,
                         annual_period(tables, 2000))
    assert [(line.description, line.quantity) for line in result.lines] == [
        ("1,500-hour blocks bought in 2000-10 (blocks 1 and 2 of the 10 prepaid before hourly "
         "billing)", D(2)),
        ("1,500-hour blocks bought in 2001-04 (blocks 3 to 10 of the 10 prepaid before hourly "
         "billing)", D(8)),
        ("Hours billed at the hourly rate in 2001-04 (600 hours; after the 10th prepaid block "
         "was used up)", D(600)),
        ("Hours billed at the hourly rate in 2001-07 (0.5 hours, billed as the 1-hour minimum; "
         "from the 10th month of the annual period)", D(1))]
    assert result.line_rules[2:] == (
        "hourly, after the 10th prepaid block was used up",
        "hourly, from the 10th month of the annual period; the 1-hour minimum charge for a "
        "month with hours")
    one = price_hours({3: D(10)}, tables, ON, annual_period(tables, 2000)).lines[0]
    assert one.description == ("1,500-hour block bought in 2000-12 (block 1 of the 10 prepaid "
                               "before hourly billing)")
