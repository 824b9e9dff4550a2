"""Price many cities at once: numpy on integer cents, no per-row Python.

Each function mirrors one rule of the scalar core (service_level.pick_level, hours.price_hours
for hours incurred in the period's first month, integration.integration_line) and must agree with
it to the cent; tests/test_batch_parity.py checks that on random cities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pricing.batch.rules import HOURS_SCALE, BatchRules


@dataclass(frozen=True)
class PricedArrays:
    """Per-row results; `level` is -1 where no level fits or the switch count is wrong.

    Attributes:
      level: index into BatchRules.level_names.
      annual_price, hours_charge, integration_charge, total: integer cents.
    """

    level: np.ndarray
    annual_price: np.ndarray
    hours_charge: np.ndarray
    integration_charge: np.ndarray
    total: np.ndarray


def pick_levels(rules: BatchRules, counts: dict[str, np.ndarray]) -> np.ndarray:
    """Index of the smallest level whose every bound holds, -1 where none does (in the first
    period, the level every city is billed at, -1 where the switch count fits no level)."""
    if rules.fixed_level is not None:
        switch_ok = np.isin(counts["five_ess"], rules.level_five_ess)
        return np.where(switch_ok, rules.fixed_level, -1).astype(np.int64)
    n = len(counts["five_ess"])
    fits = np.empty((len(rules.level_names), n), dtype=bool)
    for k in range(len(rules.level_names)):
        row = counts["five_ess"] == rules.level_five_ess[k]
        for component, bounds in rules.bounds.items():
            row &= counts[component] <= bounds[k]
        fits[k] = row
    level = fits.argmax(axis=0).astype(np.int64)
    level[~fits.any(axis=0)] = -1
    return level


def hours_cents(rules: BatchRules, hours_scaled: np.ndarray) -> np.ndarray:
    """Blocks while fewer than the maximum are completed, then hourly with a minimum,
    rounded half-up to the cent once per row."""
    block = rules.block_hours_scaled
    blocks = np.minimum(-(-hours_scaled // block), rules.max_blocks)
    excess = hours_scaled - blocks * block
    billed = np.where(excess > 0, np.maximum(excess, rules.minimum_hours_scaled), 0)
    hourly = (billed * rules.hourly_rate_cents * 2 + HOURS_SCALE) // (2 * HOURS_SCALE)
    return blocks * rules.block_price_cents + hourly


def price_arrays(rules: BatchRules, counts: dict[str, np.ndarray], hours_scaled: np.ndarray,
                 sites: np.ndarray) -> PricedArrays:
    level = pick_levels(rules, counts)
    annual = np.where(level >= 0, rules.level_price_cents[np.maximum(level, 0)], 0)
    hours = hours_cents(rules, hours_scaled)
    integration = sites * rules.integration_cents
    return PricedArrays(level, annual, hours, integration, annual + hours + integration)
