"""The first-period rule and the two-component rule (PSA Amdt 1, Appendix A, note 3)."""

from __future__ import annotations

from pricing.rules.components import Counts
from pricing.rules.relevel import level_for_period


def c(ge, slc, sm=1, dacs_ii=1, dacs_iv=1):
    return Counts(gateway_elements=ge, five_ess=1, slc=slc, sm=sm, dacs_ii=dacs_ii, dacs_iv=dacs_iv)


def test_first_period_is_very_small_whatever_the_counts(tables):
    decision = level_for_period(tables, 1998, None, None, c(45, 24, sm=3))
    assert (decision.level.level, decision.level.annual_price) == ("Very Small", 163000)
    assert decision.reason == "the first annual period bills every city at Very Small"


def test_one_component_changed_keeps_the_level(tables):
    # Gateway 14 -> 30 alone would make the city Medium, but only one component changed.
    decision = level_for_period(tables, 1999, "Very Small", c(14, 8), c(30, 8))
    assert decision.level.level == "Very Small"
    assert decision.changed == ("gateway_elements",)
    assert "carries over" in decision.reason


def test_two_components_changed_relevels(tables):
    # Gateway 14 -> 30 and SLC 8 -> 12: re-evaluated from the end counts, Medium ($245,000).
    decision = level_for_period(tables, 1999, "Very Small", c(14, 8), c(30, 12))
    assert (decision.level.level, decision.level.annual_price) == ("Medium", 245000)
    assert decision.changed == ("gateway_elements", "slc")
    assert "moves to Medium" in decision.reason


def test_two_changes_within_bounds_keep_the_level_by_recomputation(tables):
    decision = level_for_period(tables, 2000, "Small", c(18, 10), c(20, 12))
    assert decision.level.level == "Small"
    assert "stays at Small" in decision.reason


def test_relevel_can_move_down(tables):
    decision = level_for_period(tables, 2001, "Medium", c(30, 18), c(12, 6))
    assert decision.level.level == "Very Small"


def test_new_city_starts_very_small(tables):
    assert level_for_period(tables, 2002, None, None, c(40, 20)).level.level == "Very Small"
