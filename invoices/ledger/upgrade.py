"""Upgrade a schema-2 ledger (before billing state was kept by city, month and kind) to the
current schema, once, keeping the old file beside it.

Everything is copied as it was: invoices (each the month's first, supplement 0), lines,
payments, disputes, credit notes, the termination and the number sequences. The billing state
the new schema keeps is derived from what each invoice recorded it was priced from: the level a
city was billed at in each annual period, the city-months billed and the hours that priced them.
A schema-2 ledger that billed a city twice for a month, or at two levels in one period, cannot
be upgraded silently: the upgrade refuses and names each conflict, and the old ledger stays as
it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
from pathlib import Path

from dateutil.relativedelta import relativedelta

from invoices.ledger import schema as s
from invoices.ledger.chain import hash_existing
from pricing.city_key import city_key
from invoices.ledger.store import Ledger, inspect_file
from pricing.errors import PricingError
from pricing.values import canonical_month, month_label, parse_month



class _Unreadable(Exception):
    """A value in the old ledger that is not in its canonical form."""


def _DAY(text: str) -> dt.date:
    """A date the old ledger wrote; anything but YYYY-MM-DD in ASCII is unreadable."""
    try:
        if len(text) != 10 or not text.isascii():
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except (ValueError, TypeError):
        raise _Unreadable(f"date {text!r}") from None


def _month(text: str) -> str:
    try:
        label = canonical_month(text)
    except ValueError:
        raise _Unreadable(f"month {text!r}") from None
    if label != text:
        raise _Unreadable(f"month {text!r} (meant {label}?)")
    return label


def _earlier_month(month: str, back: int) -> str:
    """The month `back` months before `month` ("YYYY-MM"): an old invoice records its month and
    its number in the period, so the period's earlier months follow from those two."""
    first = dt.date(*parse_month(month), 1) - relativedelta(months=back)
    return month_label(first.year, first.month)


def _old_rows(path: Path) -> dict[str, list[sqlite3.Row]]:
    db = sqlite3.connect(path)                  # our own old ledger: fold its WAL in first
    try:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.row_factory = sqlite3.Row
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
                for table in ("sequence", "invoices", "lines", "payments", "disputes",
                              "credits", "terminations")}
    finally:
        db.close()


def _billing_state(invoices: list[sqlite3.Row]) -> tuple[list[dict], list[dict], list[dict], list[str]]:
    periods: dict[tuple[str, int], dict] = {}
    months: dict[tuple[str, str], dict] = {}
    hours: dict[tuple[str, str], dict] = {}
    conflicts: list[str] = []
    for invoice in sorted(invoices, key=lambda r: (r["month"], r["number"])):
        inputs = json.loads(invoice["inputs"])
        period, number = inputs["period"], inputs["month_number"]
        for city in inputs.get("cities", []):
            name, level = city["city"], city["billed_level"]
            known = periods.setdefault((name, period), {
                "city": name, "period": period, "level": level, "first_month": invoice["month"],
                "invoice": invoice["number"]})
            if known["level"] != level:
                conflicts.append(f"{name}: billed at {known['level']} (invoice "
                                 f"{known['invoice']:06d}) and {level} (invoice "
                                 f"{invoice['number']:06d}) in the period starting {period}-10-01")
            key = (city_key(name), invoice["month"])      # one city under two spellings too
            if key in months:
                conflicts.append(f"{name} {invoice['month']}: billed on invoices "
                                 f"{months[key]['invoice']:06d} and {invoice['number']:06d}")
                continue
            months[key] = {"city": name, "month": invoice["month"], "period": period,
                           "bill_to": invoice["bill_to"], "invoice": invoice["number"],
                           "integration_sites": city.get("integration_sites", 0)}
            recorded = {int(m): h for m, h in city.get("hours", {}).items()}
            for m in range(1, number + 1):
                label = _earlier_month(invoice["month"], number - m)
                hours.setdefault((name, label), {"city": name, "month": label, "period": period,
                                                 "hours": recorded.get(m, "0"),
                                                 "invoice": invoice["number"]})
    return list(periods.values()), list(months.values()), list(hours.values()), conflicts


def upgrade(path: Path) -> Path:
    """Upgrade the schema-2 ledger at `path` in place; returns where the old file was kept."""
    kind, version = inspect_file(path)
    if kind == "ledger":
        raise PricingError(f"{path}: already a ledger of schema {version}; nothing to upgrade")
    if kind != "old-ledger":
        raise PricingError(f"no ledger at {path}" if kind == "missing" else
                           f"{path}: an empty file, not a ledger")
    backup = path.with_name(path.name + ".schema2.bak")
    if backup.exists():
        raise PricingError(f"{backup} already exists: move it away first (the upgrade keeps the "
                           f"old ledger there)")
    old = _old_rows(path)
    unreadable = []
    for invoice in old["invoices"]:
        try:
            _month(invoice["month"])
        except _Unreadable as error:
            unreadable.append(f"invoice {invoice['number']:06d}: {error}")
    if unreadable:
        raise PricingError(f"{path}: cannot upgrade; the old ledger holds values not written "
                           f"canonically, so it may have billed a month twice under two "
                           f"spellings:\n  " + "\n  ".join(unreadable))
    try:
        periods, months, hours, conflicts = _billing_state(old["invoices"])
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise PricingError(f"{path}: cannot upgrade; an invoice's recorded inputs are unreadable "
                           f"({type(error).__name__}: {str(error)[:200]})") from None
    seen: dict[tuple, int] = {}
    month_of = {i["number"]: i["month"] for i in old["invoices"]}
    for line in old["lines"]:
        month = month_of.get(line["invoice"])
        if month is None:
            conflicts.append(f"line {line['position']} of invoice {line['invoice']}: no such invoice")
            continue
        key = (city_key(line["city"]), month, line["kind"])
        if key in seen and seen[key] != line["invoice"]:
            conflicts.append(f"{key[0]} {key[1]}: {key[2]} charged on invoices {seen[key]:06d} "
                             f"and {line['invoice']:06d}")
        seen.setdefault(key, line["invoice"])
    if conflicts:
        raise PricingError(f"{path}: cannot upgrade; the old ledger billed these twice (credit "
                           f"the duplicates, then ask for a manual repair):\n  "
                           + "\n  ".join(sorted(set(conflicts))))
    temp = path.with_name(f".{path.name}.upgrade-{os.getpid()}.tmp")
    for leftover in (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm")):
        leftover.unlink(missing_ok=True)
    try:
        _copy(old, temp, periods, months, hours)
    except _Unreadable as error:
        raise PricingError(f"{path}: cannot upgrade; the old ledger holds a {error} not written "
                           f"YYYY-MM-DD") from None
    else:
        shutil.copy2(path, backup)
        os.replace(temp, path)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return backup
    finally:
        for leftover in (temp, Path(f"{temp}-wal"), Path(f"{temp}-shm")):
            leftover.unlink(missing_ok=True)


def _copy(old, temp: Path, periods, months, hours) -> None:
    """Write the new ledger at `temp`: every old row, and the billing state derived."""
    month_of = {i["number"]: i["month"] for i in old["invoices"]}
    unknown = {"recorded_by": s.UNKNOWN}          # schema 2 did not record who
    with Ledger(temp, "create") as new, new.write() as conn:
        for table, rows in (
                (s.invoices, [{**{k: r[k] for k in r.keys()}, "supplement": 0,
                               "issued_by": s.UNKNOWN,
                               "invoice_date": _DAY(r["invoice_date"]),
                               "due_date": _DAY(r["due_date"]), "written": bool(r["written"])}
                              for r in old["invoices"]]),
                (s.lines, [{**{k: r[k] for k in r.keys()}, "month": month_of[r["invoice"]]}
                           for r in old["lines"]]),
                (s.city_periods, periods), (s.city_months, months), (s.city_hours, hours),
                (s.payments, [{**{k: r[k] for k in r.keys()}, "date": _DAY(r["date"]),
                               **unknown} for r in old["payments"]]),
                (s.disputes, [{**{k: r[k] for k in r.keys()}, "date": _DAY(r["date"]),
                               "resolved_date": _DAY(r["resolved_date"]) if r["resolved_date"] else None,
                               "recorded_at": s.UNKNOWN, **unknown,
                               **({"resolved_at": s.UNKNOWN, "resolved_by": s.UNKNOWN}
                                  if r["resolved_date"] else {})}
                              for r in old["disputes"]]),
                (s.credits, [{**{k: r[k] for k in r.keys()}, "date": _DAY(r["date"]),
                              "written": bool(r["written"]), "recorded_at": s.UNKNOWN,
                              **unknown} for r in old["credits"]]),
                (s.terminations, [{**{k: r[k] for k in r.keys()}, "date": _DAY(r["date"]),
                                   "kind": "terminated", **unknown}
                                  for r in old["terminations"]]),
                (s.sequences, [{"name": r["name"], "last": r["last"]} for r in old["sequence"]])):
            if rows:
                conn.execute(table.insert(), rows)
        hash_existing(conn)             # the old entries, in the order recorded
