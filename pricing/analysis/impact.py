"""What a change of tables costs: every city priced under both table sets, side by side.

Both pricings go through the batch path (the same vectorized core as `pricing batch`, exact
decimals), so a city list of any size and format works, and a bad row is reported with its file
and row number before anything is compared.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pricing.errors import Problem, ProblemsError
from pricing.tables.loader import TableSet

ZERO = Decimal("0.00")
MONEY = ("annual_price", "hours_charge", "integration_charge", "total")


@dataclass(frozen=True)
class CityImpact:
    """One city under the old and the new tables. Attributes: city, level_old, level_new, and
    old/new of annual_price, hours_charge, integration_charge and total."""

    city: str
    level_old: str
    level_new: str
    old: dict[str, Decimal]
    new: dict[str, Decimal]

    @property
    def delta(self) -> Decimal:
        return self.new["total"] - self.old["total"]

    def as_dict(self) -> dict:
        out = {"city": self.city, "level_old": self.level_old, "level_new": self.level_new}
        for name in MONEY:
            out[f"{name}_old"] = str(self.old[name])
            out[f"{name}_new"] = str(self.new[name])
        out["delta"] = str(self.delta)
        return out


@dataclass(frozen=True)
class LevelImpact:
    """Cities at a level (under the old tables) and their totals, old and new."""

    level: str
    cities: int
    total_old: Decimal
    total_new: Decimal

    @property
    def delta(self) -> Decimal:
        return self.total_new - self.total_old

    def as_dict(self) -> dict:
        return {"level": self.level, "cities": self.cities, "total_old": str(self.total_old),
                "total_new": str(self.total_new), "delta": str(self.delta)}


@dataclass(frozen=True)
class Impact:
    """Attributes: as_of, cities, by_level (in level order), the overall totals, and the
    manifest hashes of the two table sets."""

    as_of: dt.date
    cities: tuple[CityImpact, ...]
    by_level: tuple[LevelImpact, ...]
    total_old: Decimal
    total_new: Decimal
    tables_old: str
    tables_new: str

    @property
    def total_delta(self) -> Decimal:
        return self.total_new - self.total_old

    def as_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "tables_old": self.tables_old,
                "tables_new": self.tables_new, "cities": [c.as_dict() for c in self.cities],
                "by_level": [b.as_dict() for b in self.by_level],
                "total_old": str(self.total_old), "total_new": str(self.total_new),
                "total_delta": str(self.total_delta)}


def _priced(source: Path, tables: TableSet, as_of: dt.date, work: Path, name: str) -> list[dict]:
    """The city list priced under one table set (batch path), every bad row an error."""
    import csv

    import pyarrow.parquet as pq

    from pricing.batch.run import run_batch

    out, rejects = work / f"{name}.parquet", work / f"{name}.rejects.csv"
    summary = run_batch(source, out, tables, as_of, rejects)
    if summary.rejected:
        with rejects.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))[1:]
        raise ProblemsError([Problem(str(source), int(row), None, f"{city}: {reason}")
                             for row, city, reason in rows],
                            f"{source}: {summary.rejected} row(s) cannot be priced")
    return pq.read_table(out).to_pylist()


def impact(source: Path, as_of: dt.date, old_tables: TableSet, new_tables: TableSet) -> Impact:
    """Every city of `source` (CSV, XLSX or Parquet, as `pricing batch` reads) priced as of
    `as_of` under both table sets, with totals by level and overall."""
    with tempfile.TemporaryDirectory(prefix="pricing-impact-") as scratch:
        old = _priced(source, old_tables, as_of, Path(scratch), "old")
        new = _priced(source, new_tables, as_of, Path(scratch), "new")
    cities = tuple(CityImpact(a["city"], a["level"], b["level"],
                              {m: a[m] for m in MONEY}, {m: b[m] for m in MONEY})
                   for a, b in zip(old, new))
    order = [row.level for row in old_tables.rows("service_levels", as_of)]
    levels = []
    for level in order + sorted({c.level_old for c in cities} - set(order)):
        members = [c for c in cities if c.level_old == level]
        if members:
            levels.append(LevelImpact(level, len(members),
                                      sum((c.old["total"] for c in members), ZERO),
                                      sum((c.new["total"] for c in members), ZERO)))
    return Impact(as_of, cities, tuple(levels), sum((c.old["total"] for c in cities), ZERO),
                  sum((c.new["total"] for c in cities), ZERO), old_tables.manifest_sha256,
                  new_tables.manifest_sha256)
