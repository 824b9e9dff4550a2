"""The ledger: every invoice and line, in SQLite, so nothing is billed twice and numbers never
skip.

Invoice numbers come from one sequence row updated inside the same write transaction
(BEGIN IMMEDIATE) that inserts the invoices, so a run that fails or is killed before COMMIT
uses no number, and two runs at once queue on SQLite's write lock instead of racing. A unique
key on (bill_to, month) makes running a month again harmless. Money is stored as integer cents.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from invoices.faults import fault_point
from invoices.records import Invoice, InvoiceLine
from pricing.errors import PricingError
from pricing.money import from_cents, to_cents

LEDGER_ENV = "PRICING_LEDGER"
DEFAULT_LEDGER = "ledger.sqlite3"
SCHEMA_VERSION = 2

SCHEMA = """
CREATE TABLE IF NOT EXISTS sequence (name TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS invoices (
    number INTEGER PRIMARY KEY,
    bill_to TEXT NOT NULL,
    month TEXT NOT NULL,
    invoice_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    terms TEXT NOT NULL,
    net_days INTEGER NOT NULL,
    contract TEXT NOT NULL,
    seller TEXT NOT NULL,
    seller_address TEXT NOT NULL,
    customer_address TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    tables_sha256 TEXT NOT NULL,
    inputs TEXT NOT NULL,
    citations TEXT NOT NULL,
    file TEXT NOT NULL,
    written INTEGER NOT NULL DEFAULT 0,
    issued_at TEXT NOT NULL,
    UNIQUE (bill_to, month)
);
CREATE TABLE IF NOT EXISTS payments (
    id INTEGER PRIMARY KEY,
    invoice INTEGER NOT NULL REFERENCES invoices(number),
    date TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS disputes (
    id INTEGER PRIMARY KEY,
    invoice INTEGER NOT NULL REFERENCES invoices(number),
    date TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    reason TEXT NOT NULL,
    resolved_date TEXT,
    resolution TEXT
);
CREATE TABLE IF NOT EXISTS credits (
    number INTEGER PRIMARY KEY,
    invoice INTEGER NOT NULL REFERENCES invoices(number),
    date TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    reason TEXT NOT NULL,
    file TEXT NOT NULL,
    written INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS terminations (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    date TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lines (
    invoice INTEGER NOT NULL REFERENCES invoices(number),
    position INTEGER NOT NULL,
    city TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (invoice, position)
);
"""


def resolve_ledger(path: str | os.PathLike | None) -> Path:
    return Path(path or os.environ.get(LEDGER_ENV) or DEFAULT_LEDGER)


class Ledger:
    """An open ledger file (created on first use)."""

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = resolve_ledger(path)
        try:
            self.db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            self.db.execute("PRAGMA foreign_keys = ON")
            self._use_wal()
            # Created inside a write transaction: BEGIN IMMEDIATE waits for another run's
            # lock, where a bare executescript would fail at once with "database is locked".
            with self.write() as db:
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as error:
            raise PricingError(f"{self.path}: not a usable ledger ({error})") from None

    def _use_wal(self, wait_seconds: float = 60) -> None:
        """Switch the file to WAL once. The switch does not wait on the busy timeout, so a
        second run opening the ledger at the same moment retries for a while."""
        import time

        deadline = time.monotonic() + wait_seconds
        while self.db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            try:
                self.db.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: taken at once (no upgrade deadlock), committed or rolled back."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def next_number(self, name: str = "invoice") -> int:
        """Take the next number of a sequence; call only inside write()."""
        row = self.db.execute("SELECT last FROM sequence WHERE name = ?", (name,)).fetchone()
        number = (row[0] if row else 0) + 1
        self.db.execute("INSERT INTO sequence (name, last) VALUES (?, ?) ON CONFLICT(name) "
                        "DO UPDATE SET last = excluded.last", (name, number))
        return number

    def issue(self, drafts: list[Invoice], out_dir: Path) -> tuple[list[Invoice], list[Invoice]]:
        """Number and record the drafts not issued yet, in one transaction.
        Returns (issued now, already issued for the same bill-to and month)."""
        issued, existing = [], []
        now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self.write() as db:
            for draft in drafts:
                found = db.execute("SELECT number FROM invoices WHERE bill_to = ? AND month = ?",
                                   (draft.bill_to, draft.month)).fetchone()
                if found:
                    existing.append(self.get(found[0]))
                    continue
                number = self.next_number()
                invoice = draft.numbered(number, str(out_dir.resolve() / f"invoice-{number:06d}.xlsx"))
                db.execute(
                    "INSERT INTO invoices (number, bill_to, month, invoice_date, due_date, terms,"
                    " net_days, contract, seller, seller_address, customer_address, total_cents,"
                    " tables_sha256, inputs, citations, file, written, issued_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                    (number, invoice.bill_to, invoice.month, invoice.invoice_date.isoformat(),
                     invoice.due_date.isoformat(), invoice.terms, invoice.net_days,
                     invoice.contract, invoice.seller, invoice.seller_address,
                     invoice.customer_address, to_cents(invoice.total), invoice.tables_sha256,
                     json.dumps(invoice.inputs, sort_keys=True), json.dumps(invoice.citations),
                     invoice.file, now))
                db.executemany(
                    "INSERT INTO lines (invoice, position, city, kind, description, quantity,"
                    " unit_price, amount_cents, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(number, i, l.city, l.kind, l.description, str(l.quantity),
                      str(l.unit_price), to_cents(l.amount), l.source)
                     for i, l in enumerate(invoice.lines, start=1)])
                issued.append(invoice)
            fault_point("before-commit")
        return issued, existing

    def unwritten(self) -> list[Invoice]:
        """Issued invoices whose workbook was not confirmed written (a run was stopped)."""
        numbers = [r[0] for r in self.db.execute(
            "SELECT number FROM invoices WHERE written = 0 ORDER BY number")]
        return [self.get(n) for n in numbers]

    def mark_written(self, *numbers: int) -> None:
        """Record that these invoices' workbooks are on disk (one transaction for all)."""
        with self.write() as db:
            db.executemany("UPDATE invoices SET written = 1 WHERE number = ?",
                           [(n,) for n in numbers])

    def get(self, number: int) -> Invoice:
        row = self.db.execute(
            "SELECT number, bill_to, month, invoice_date, due_date, terms, net_days, contract,"
            " seller, seller_address, customer_address, total_cents, tables_sha256, inputs,"
            " citations, file FROM invoices WHERE number = ?", (number,)).fetchone()
        if row is None:
            raise PricingError(f"no invoice number {number} in {self.path}")
        lines = tuple(InvoiceLine(city, kind, description, Decimal(quantity), Decimal(unit),
                                  from_cents(cents), source)
                      for city, kind, description, quantity, unit, cents, source in self.db.execute(
                          "SELECT city, kind, description, quantity, unit_price, amount_cents,"
                          " source FROM lines WHERE invoice = ? ORDER BY position", (number,)))
        return Invoice(row[0], row[1], row[2], dt.date.fromisoformat(row[3]),
                       dt.date.fromisoformat(row[4]), row[5], row[6], row[7], row[8], row[9],
                       row[10], lines, from_cents(row[11]), row[12], json.loads(row[13]),
                       tuple(json.loads(row[14])), row[15])

    def levels_billed(self, months: list[str]) -> dict[str, str]:
        """{city: level} billed in any of these months (the latest wins)."""
        levels: dict[str, str] = {}
        if not months:
            return levels
        marks = ", ".join("?" * len(months))
        for (inputs,) in self.db.execute(f"SELECT inputs FROM invoices WHERE month IN ({marks}) "
                                         f"ORDER BY month, number", months):
            for city in json.loads(inputs).get("cities", []):
                if city.get("billed_level"):
                    levels[city["city"]] = city["billed_level"]
        return levels

    def numbers(self, month: str | None = None, bill_to: str | None = None) -> list[int]:
        query, args = "SELECT number FROM invoices WHERE 1 = 1", []
        if month:
            query, args = query + " AND month = ?", args + [month]
        if bill_to:
            query, args = query + " AND bill_to = ?", args + [bill_to]
        return [r[0] for r in self.db.execute(query + " ORDER BY number", args)]
