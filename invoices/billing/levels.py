"""The level a city is billed at for an annual period, decided from what the ledger recorded.

PSA Amendment 1, Appendix A, note 3: "The annual price charged may change, for any Customer
city, if any two (2) of the components listed above change during the preceding annual
period"; note 4: a new location begins at Very Small (or Small, where similar cities filled
their capacity quickly). Design rule 2: the level is set the first month a city is billed in a
period, by the two-component rule applied to the counts the ledger recorded for the city (each
month's invoice records its counts), from the level billed before; a city the ledger never
billed is new; a `level` given in the cities file (the annual meeting's outcome, or
`start-level`'s suggestion) overrides both. The rule itself is `pricing.reports.levels`
`level_from_history`, the one `pricing relevel` uses, so the run and `relevel` agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from invoices.ledger import schema as s
from pricing.rules.components import Counts
from pricing.errors import PricingError
from pricing.rules.relevel import level_for_period
from pricing.reports.levels import level_from_history
from pricing.reports.load import Month, Reports
from pricing.tables.loader import TableSet
from pricing.values import parse_month

CHUNK = 500          # cities per query: well under every backend's limit of bound parameters


@dataclass(frozen=True)
class LevelSet:
    """A city's level set at its first month billed in a period, and the rule that set it.

    Attributes:
      city: the city as the ledger spells it.
      level: the level's name.
      rule: a few words: "given", "first annual period", "new city", "carried over" or
        "re-evaluated: 2 components changed (slc, sm)".
      reason: the sentence a reader checks against the contract.
    """

    city: str
    level: str
    rule: str
    reason: str

    def as_dict(self) -> dict:
        return {"city": self.city, "level": self.level, "rule": self.rule, "reason": self.reason}


@dataclass(frozen=True)
class History:
    """What the ledger recorded of some cities before a period: their monthly counts (as
    reports) and the level billed in each earlier period ({city: {period: level}})."""

    reports: Reports
    levels: dict[str, dict[int, str]]


def _chunks(names: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(names), CHUNK):
        yield names[start:start + CHUNK]


def recorded_history(conn, cities: Iterable[str], period: int, before: str) -> History:
    """The counts each city was billed with in the months before `before` ("YYYY-MM"), and its
    levels in the periods before `period`, read inside the run's transaction."""
    names = sorted(set(cities))
    levels: dict[str, dict[int, str]] = {}
    billed: list[tuple[int, str, str]] = []
    cp, l = s.city_periods.c, s.lines.c
    for part in _chunks(names):
        for city, year, level in conn.execute(select(cp.city, cp.period, cp.level).where(
                cp.city.in_(part), cp.period < period)):
            levels.setdefault(city, {})[year] = level
        billed += conn.execute(select(l.invoice, l.city, l.month).where(
            l.city.in_(part), l.kind == "service_level", l.month < before)).all()
    inputs: dict[int, dict] = {}
    numbers = sorted({invoice for invoice, _, _ in billed})
    i = s.invoices.c
    for start in range(0, len(numbers), CHUNK):
        for number, text in conn.execute(select(i.number, i.inputs).where(
                i.number.in_(numbers[start:start + CHUNK]))):
            inputs[number] = _cities_of(number, text)
    by_city: dict[str, list[tuple[Month, Counts]]] = {}
    for invoice, city, month in sorted(billed, key=lambda r: (r[1], r[2])):
        counts = inputs.get(invoice, {}).get(city)
        if counts is None:
            raise PricingError(f"invoice {invoice:06d} bills {city} for {month} but does not "
                               f"record its counts; run `pricing ledger check`")
        by_city.setdefault(city, []).append((parse_month(month), counts))
    return History(Reports(by_city), levels)


def _cities_of(number: int, text: str) -> dict[str, Counts]:
    """{city: the counts it was billed with} from an invoice's recorded inputs."""
    try:
        return {c["city"]: Counts(**c["counts"]) for c in json.loads(text)["cities"]}
    except (ValueError, TypeError, KeyError) as error:
        raise PricingError(f"invoice {number:06d}: its recorded inputs cannot be read "
                           f"({error}); run `pricing ledger check`") from None


def decide_level(city: str, counts: Counts, given: str | None, period: int, history: History,
                 tables: TableSet) -> LevelSet:
    """The level `city` is billed at in `period`, set at its first month billed in it."""
    if given:
        return LevelSet(city, given, "given",
                        f"{given} as given in the cities file's level column")
    found = level_from_history(history.reports, city, period, tables,
                               history.levels.get(city, {}))
    decision = (found.decision if found is not None
                else level_for_period(tables, period, None, None, counts))
    return LevelSet(city, decision.level.level, decision.rule, decision.reason)
