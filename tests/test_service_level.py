"""Service levels from component counts, worked by hand from PSA Amdt 1 Appendix A (001 L96-105).

Bounds (upper only): gateway elements VS 15, S 25, M 35, L 50; SLC VS 8, S 15, M 20, L 25;
SM VS 1, S 1, M 2, L 3; DACS II and DACS IV 1 up to Large; Very Large has no limits.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pricing.rules.components import COMPONENTS, Counts
from pricing.errors import PricingError
from pricing.rules.service_level import pick_level

ON = dt.date(2000, 10, 1)


def counts(ge=10, slc=5, sm=1, dacs_ii=1, dacs_iv=1, five_ess=1) -> Counts:
    return Counts(gateway_elements=ge, five_ess=five_ess, slc=slc, sm=sm, dacs_ii=dacs_ii,
                  dacs_iv=dacs_iv)


@pytest.mark.parametrize("city, level, price", [
    (counts(ge=15, slc=8), "Very Small", "163000.00"),        # at every Very Small bound
    (counts(ge=0, slc=0, sm=0, dacs_ii=0, dacs_iv=0), "Very Small", "163000.00"),
    (counts(ge=16, slc=8), "Small", "198000.00"),             # one past gateway 15
    (counts(ge=15, slc=9), "Small", "198000.00"),             # one past SLC 8
    (counts(ge=10, slc=12), "Small", "198000.00"),            # 10 gateway, 12 SLC: Small
    (counts(ge=25, slc=15), "Small", "198000.00"),            # at every Small bound
    (counts(ge=26, slc=15), "Medium", "245000.00"),
    (counts(ge=25, slc=16), "Medium", "245000.00"),
    (counts(ge=10, slc=5, sm=2), "Medium", "245000.00"),      # SM 2 breaks Small's 1
    (counts(ge=35, slc=20, sm=2), "Medium", "245000.00"),
    (counts(ge=36, slc=20, sm=2), "Large", "320000.00"),
    (counts(ge=35, slc=21, sm=2), "Large", "320000.00"),
    (counts(ge=35, slc=20, sm=3), "Large", "320000.00"),
    (counts(ge=50, slc=25, sm=3), "Large", "320000.00"),      # at every Large bound
    (counts(ge=51, slc=25, sm=3), "Very Large", "390000.00"),
    (counts(ge=50, slc=26, sm=3), "Very Large", "390000.00"),
    (counts(ge=50, slc=25, sm=4), "Very Large", "390000.00"),
    (counts(dacs_ii=2), "Very Large", "390000.00"),           # DACS II 2 fits no bounded level
    (counts(dacs_iv=2), "Very Large", "390000.00"),
    (counts(ge=400, slc=300, sm=12, dacs_ii=5, dacs_iv=5), "Very Large", "390000.00"),
])
def test_level_at_and_past_each_bound(tables, city, level, price):
    choice = pick_level(city, tables, ON)
    assert (choice.level, choice.annual_price) == (level, Decimal(price))


def test_reason_names_the_deciding_bounds(tables):
    choice = pick_level(counts(ge=20, slc=10), tables, ON)
    assert choice.reason == ("gateway_elements 20 is over Very Small's limit of 15; "
                             "slc 10 is over Very Small's limit of 8")
    assert choice.source.table == "service_levels"
    assert choice.source.version == dt.date(1998, 10, 1)


def test_smallest_level_reason(tables):
    assert pick_level(counts(), tables, ON).reason == "every count is within Very Small's bounds"


@pytest.mark.parametrize("five_ess, words", [(0, "got 0"), (2, "got 2")])
def test_zero_or_several_switches_is_an_error(tables, five_ess, words):
    with pytest.raises(PricingError, match=f"five_ess: .* {words}"):
        pick_level(counts(five_ess=five_ess), tables, ON)


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_counts_must_be_whole_non_negative(bad):
    with pytest.raises(PricingError, match="slc: expected a whole number of zero or more"):
        counts(slc=bad)


def test_before_the_service_tables_begin(tables):
    with pytest.raises(PricingError, match="service_levels has no version in force on 1998-09-30"):
        pick_level(counts(), tables, dt.date(1998, 9, 30))


count_values = st.integers(min_value=0, max_value=80)


@given(base=st.tuples(*[count_values] * 5), component=st.sampled_from(
    [c for c in COMPONENTS if c != "five_ess"]), rise=st.integers(min_value=1, max_value=40))
def test_level_never_falls_when_a_count_rises(tables, base, component, rise):
    ge, slc, sm, dacs_ii, dacs_iv = base
    before = counts(ge, slc, sm, dacs_ii, dacs_iv)
    raised = before.as_dict()
    raised[component] += rise
    after = Counts(**raised)
    assert pick_level(after, tables, ON).rank >= pick_level(before, tables, ON).rank
