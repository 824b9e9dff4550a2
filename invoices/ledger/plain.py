"""The ledger read through the database driver alone: how reports start at once.

Importing SQLAlchemy takes 0.2-0.3 s, longer than everything else a report does on a small
ledger, so the reports that list and age invoices (`invoice list`, `ar status`, `ar aging`)
read a SQLite ledger through Python's sqlite3, read-only. Their queries are SQL text run by
`rows`, which takes either connection: this module's, or a SQLAlchemy one (a writing command
computing the same balances inside its transaction, or a ledger on PostgreSQL, where the
driver's own import costs as much as SQLAlchemy's), so each question has one query whichever
way the ledger was opened.

The text uses `:name` parameters and standard SQL that SQLite and PostgreSQL both read; dates are
passed as dates and come back as `day(value)` reads them (SQLite returns the text it stores).
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from invoices.ledger.dates import damaged_dates
from invoices.ledger.opening import (TABLES, check_version, inspect_file, is_server,
                                     resolve_ledger, shown_address, sqlite_uri)
from pricing.errors import PricingError

_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")


def rows(conn, sql: str, **params) -> list[tuple]:
    """The rows of `sql` (with `:name` parameters) on either kind of connection."""
    if isinstance(conn, sqlite3.Connection):
        return conn.execute(sql, _for_sqlite(params)).fetchall()
    if conn.dialect.name == "sqlite":
        return [tuple(r) for r in conn.exec_driver_sql(sql, _for_sqlite(params)).all()]
    return [tuple(r) for r in conn.exec_driver_sql(_PARAMETER.sub(r"%(\1)s", sql), params).all()]


def _for_sqlite(params: dict) -> dict:
    """Dates as the text SQLite stores them (sqlite3's own date adapter is deprecated)."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()}


def day(value) -> dt.date | None:
    """A date column's value as read: a date from PostgreSQL, its text from SQLite."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def open_for_reading(path):
    """The ledger at `path`, read-only: a SQLite file through sqlite3 (PlainLedger), a server
    through SQLAlchemy (invoices.ledger.store.Ledger). Both offer `read()`, `where`, `path`."""
    address = resolve_ledger(path)
    if is_server(address):
        from invoices.ledger.store import Ledger

        return Ledger(address, "read")
    return PlainLedger(address)


class PlainLedger:
    """A SQLite ledger opened read-only through sqlite3: refused, with the same words, where
    invoices.ledger.store.Ledger refuses it in read mode (missing, empty, not a ledger, another
    schema, missing tables)."""

    server = False
    created = False

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = shown_address(path)
        kind, version = inspect_file(path)
        if kind == "missing":
            raise PricingError(f"no ledger at {path}")
        if kind == "empty":
            raise PricingError(f"{path}: an empty file, not a ledger yet")
        check_version(self.where if kind == "ledger" else str(path), version,
                      f"--ledger {path}")
        self.version = version
        try:
            self.db = sqlite3.connect(sqlite_uri(path, "ro"), uri=True, timeout=60,
                                      isolation_level=None)
            names = {r[0] for r in self.db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.Error as error:
            raise PricingError(f"{path}: not a usable ledger ({error})") from None
        missing = sorted(set(TABLES) - names)
        if missing:
            self.close()
            raise PricingError(f"{path}: a damaged ledger (missing tables: {', '.join(missing)})")

    def damaged_dates(self, limit: int = 4) -> list[str]:
        with self.read() as db:
            return damaged_dates(db, limit)

    @contextmanager
    def read(self):
        """A consistent snapshot (a deferred transaction, rolled back). A value that cannot be
        read (a row edited by hand) is named as the full ledger names it; SQLite's own errors
        go to the command's handler, which words them as for any ledger."""
        self.db.execute("BEGIN")
        try:
            yield self.db
        except (ValueError, TypeError, ArithmeticError) as error:
            self._damaged(error)
            raise
        finally:
            self.db.execute("ROLLBACK")

    def _damaged(self, error: Exception) -> None:
        from invoices.ledger.store import Ledger

        with Ledger(self.path, "read") as full:
            full._damaged(error)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> PlainLedger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
