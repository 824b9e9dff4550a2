"""The contract's numbers for one batch run, as integer cents and numpy arrays.

Built once per run from the same tables and the same functions the scalar core uses (annual
period, first-period rule, term check), so the vectorized path cannot drift from the scalar
one on anything but arithmetic, and that arithmetic is checked against it by property tests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from pricing.rules.agreements import check_in_term
from pricing.rules.components import BOUND_COLUMNS
from pricing.money import to_cents
from pricing.rules.periods import AnnualPeriod, period_containing
from pricing.rules.integration import integration_row
from pricing.rules.service_level import level_by_name
from pricing.tables.loader import TableSet

HOURS_SCALE = 10_000          # hours are carried as integer ten-thousandths of an hour
NO_LIMIT = np.iinfo(np.int64).max


@dataclass(frozen=True)
class BatchRules:
    """Everything the vectorized pricer needs, fixed for one as-of date.

    Attributes:
      as_of: the date whose tables price the batch.
      period: the annual period containing as_of (the one the batch prices).
      level_names: level names in rank order.
      levels: the service_levels rows in rank order (for messages shared with the scalar path).
      level_price_cents: annual price of each level, in cents.
      bounds: {component: upper bound per level (NO_LIMIT where blank)}.
      level_five_ess: the 5ESS/VCDX count each level is configured with.
      fixed_level: index of the level every city is billed at (first period), else None.
      block_hours_scaled, block_price_cents, max_blocks, hourly_rate_cents,
      minimum_hours_scaled: the hour-block rule for hours incurred in the period's first month.
      integration_cents: system integration per switch site.
      sources: {output column: citation}.
    """

    as_of: dt.date
    period: AnnualPeriod
    level_names: tuple[str, ...]
    levels: tuple
    level_price_cents: np.ndarray
    bounds: dict[str, np.ndarray]
    level_five_ess: np.ndarray
    fixed_level: int | None
    block_hours_scaled: int
    block_price_cents: int
    max_blocks: int
    hourly_rate_cents: int
    minimum_hours_scaled: int
    integration_cents: int
    sources: dict[str, str]


def batch_rules(tables: TableSet, as_of: dt.date) -> BatchRules:
    """The rules for pricing a city list as of a date (the annual period containing it)."""
    period = period_containing(tables, as_of)
    check_in_term(tables, "PSA", as_of)
    check_in_term(tables, "PSA", period.start)
    level_version = tables.version("service_levels", as_of)
    levels = tuple(sorted(level_version.rows, key=lambda row: row.rank))
    names = tuple(row.level for row in levels)
    fixed = None
    if period.is_first:
        first = tables.rows("annual_periods", period.start)[0].first_period_level
        fixed = names.index(level_by_name(first, tables, as_of).level)
    hours_version = tables.version("service_hours", as_of)
    rule = hours_version.rows[0]
    one_time = tables.version("one_time_services", as_of)
    integration = integration_row(one_time)
    return BatchRules(
        as_of=as_of, period=period, level_names=names, levels=levels,
        level_price_cents=np.array([to_cents(row.annual_price) for row in levels], dtype=np.int64),
        bounds={component: np.array([NO_LIMIT if getattr(row, column) is None
                                     else getattr(row, column) for row in levels], dtype=np.int64)
                for component, column in BOUND_COLUMNS.items()},
        level_five_ess=np.array([row.five_ess for row in levels], dtype=np.int64),
        fixed_level=fixed,
        block_hours_scaled=rule.block_hours * HOURS_SCALE,
        block_price_cents=to_cents(rule.block_price),
        # Batch hours are incurred in the period's first month: blocks apply unless the
        # table starts hourly billing from month 1.
        max_blocks=rule.hourly_after_blocks if rule.hourly_from_month > 1 else 0,
        hourly_rate_cents=to_cents(rule.hourly_rate),
        minimum_hours_scaled=rule.minimum_hours * HOURS_SCALE,
        integration_cents=to_cents(integration.price),
        sources={"annual_price": str(level_version.citation),
                 "hours_charge": str(hours_version.citation),
                 "integration_charge": str(one_time.citation)},
    )
