"""Re-leveling between annual periods: the two-component rule (PSA Amdt 1, Appendix A, note 3).

"The annual price charged may change, for any Customer city, if any two (2) of the components
listed above change during the preceding annual period." The project's rule: a city's level for
a period is recomputed from its counts at the end of the preceding period only when at least two
of the six component counts changed during it; otherwise the level carries over. The first
annual period bills every city at Very Small.
"""

from __future__ import annotations

from dataclasses import dataclass

from pricing.rules.components import Counts, changed_components
from pricing.rules.periods import annual_period
from pricing.rules.service_level import LevelChoice, level_by_name, pick_level
from pricing.tables.loader import TableSet


@dataclass(frozen=True)
class LevelDecision:
    """The level billed in a period, the level before it, and why.

    Attributes:
      period: the year the annual period starts in.
      previous_level: the level billed in the period before (None for the first period).
      level: the level billed in this period, with its price and source.
      changed: the components whose counts changed during the preceding period.
      reason: a sentence a reader can check against the contract.
      rule: which rule set the level, in a few words: "first annual period", "new city",
        "re-evaluated: N components changed" or "carried over".
    """

    period: int
    previous_level: str | None
    level: LevelChoice
    changed: tuple[str, ...]
    reason: str
    rule: str = ""


def level_for_period(tables: TableSet, period: int, previous_level: str | None,
                     start_counts: Counts | None, end_counts: Counts) -> LevelDecision:
    """The level for annual period `period`, from the preceding period's level and counts.

    start_counts: the city's counts before the preceding period began (None for a city with
    no earlier report: it is then compared with its first report in the period, which the
    caller passes as start_counts). end_counts: its counts at the preceding period's end.
    """
    this = annual_period(tables, period)
    rules = tables.rows("annual_periods", this.start)[0]
    if this.is_first:
        level = level_by_name(rules.first_period_level, tables, this.start)
        return LevelDecision(period, None, level, (),
                             f"the first annual period bills every city at {level.level}",
                             "first annual period")
    if previous_level is None:
        level = level_by_name(rules.new_city_level, tables, this.start)
        return LevelDecision(period, None, level, (),
                             f"a new city starts at {level.level}", "new city")
    changed = tuple(changed_components(start_counts, end_counts)) if start_counts else ()
    if len(changed) >= rules.relevel_min_changed:
        level = pick_level(end_counts, tables, this.start)
        moved = "moves to" if level.level != previous_level else "stays at"
        return LevelDecision(period, previous_level, level, changed,
            f"{len(changed)} components changed ({', '.join(changed)}), so the level is "
            f"re-evaluated from the counts: {moved} {level.level} ({level.reason})",
            f"re-evaluated: {len(changed)} components changed ({', '.join(changed)})")
    level = level_by_name(previous_level, tables, this.start)
    what = f"only {', '.join(changed)} changed" if changed else "no component changed"
    return LevelDecision(period, previous_level, level, changed,
        f"{what}; the level changes only when {rules.relevel_min_changed} or more components "
        f"change, so {level.level} carries over", "carried over")
