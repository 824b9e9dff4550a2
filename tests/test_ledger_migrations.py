"""Migrating a ledger of the previous schema (3) to schema 4 with Alembic, on SQLite and on
PostgreSQL: every row kept, records made before saying "unknown" for who made them, the
migrated schema the same as a new ledger's, and a failed upgrade leaving the ledger as it was.

The schema-3 ledger is built from tests/schema3.py (the previous release's declaration) and
filled with the rows of a ledger the CLI made: three April 2001 invoices of the bundled
examples, a payment, a dispute resolved and one open, a credit note and a termination.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect
from sqlalchemy.schema import CreateTable
from typer.testing import CliRunner

from invoices.ledger import schema
from invoices.ledger.store import Ledger
from pricing.cli import app
from tests import schema3

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()


def pricing(*args: str, ledger: str, user: str = "auditor"):
    """A command on behalf of `user` (on PostgreSQL, which refuses a typed name, as the role)."""
    server = ledger.startswith("postgresql")
    return runner.invoke(app, list(args), env={"PRICING_LEDGER": ledger,
                                               "PRICING_USER": None if server else user})


@pytest.fixture(scope="module")
def source_rows(tmp_path_factory) -> dict[str, list[dict]]:
    """The rows of a schema-4 ledger made through the CLI (the fixture of every test here)."""
    work = tmp_path_factory.mktemp("source")
    ledger = str(work / "ledger.sqlite3")
    steps = [("invoice", "run", "--no-hours", "--month", "2001-04", "--cities",
              str(EXAMPLES / "invoice_cities.csv"), "--out", str(work / "out")),
             ("ar", "pay", "1", "10000.00", "--date", "2001-05-10"),
             ("ar", "dispute", "2", "500.00", "--date", "2001-05-11", "--reason", "hours"),
             ("ar", "resolve", "1", "--date", "2001-05-20", "--resolution", "agreed"),
             ("ar", "dispute", "3", "400.00", "--date", "2001-05-12", "--reason", "count"),
             ("ar", "credit", "2", "500.00", "--date", "2001-05-21", "--reason", "dispute 1",
              "--out", str(work / "out")),
             ("ar", "terminate", "--date", "2001-06-15")]
    for step in steps:
        done = pricing(*step, ledger=ledger)
        assert done.exit_code == 0, (step, done.output)
    with Ledger(ledger, "read") as book, book.read() as conn:
        return {table.name: [dict(r) for r in conn.execute(
                    table.select().order_by(*table.primary_key.columns)).mappings()]
                for table in schema.metadata.sorted_tables}


def make_schema_3(address: str, rows: dict[str, list[dict]], indexes: bool = True) -> None:
    """A schema-3 ledger at `address` holding `rows` (less what schema 4 added)."""
    url = address if address.startswith("postgresql") else f"sqlite:///{address}"
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    tables = list(schema3.metadata.sorted_tables)
    with engine.begin() as conn:
        for table in tables:
            conn.execute(CreateTable(table))          # the table alone: indexes as asked
        if indexes:
            for index in schema3.INDEXES:
                index.create(conn)
        for table in tables:
            kept = [{k: v for k, v in r.items() if k in table.c} for r in rows[table.name]]
            if table is schema3.ledger_meta:
                kept = [{**r, "value": "3"} if r["key"] == "schema_version" else r for r in kept]
            if kept:
                conn.execute(table.insert(), kept)
        if conn.dialect.name == "postgresql":       # ids were inserted as they were
            for name in ("payments", "disputes", "terminations"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                     f"(SELECT coalesce(max(id), 0) + 1 FROM {name}), false)")
    engine.dispose()


@pytest.fixture
def old_ledger(ledger_address, source_rows) -> str:
    make_schema_3(ledger_address, source_rows)
    return ledger_address


def shape(address: str) -> dict:
    """What a schema is, as the database reports it: columns with types and nullability,
    primary and foreign keys, unique and check constraints and indexes, per table; and the
    triggers that keep history append-only."""
    url = address if address.startswith("postgresql") else f"sqlite:///{address}"
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        look = inspect(conn)
        found = {}
        for table in sorted(set(look.get_table_names()) - {"alembic_version"}):
            found[table] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"], c.get("default"))
                            for c in look.get_columns(table)],
                "primary": look.get_pk_constraint(table)["constrained_columns"],
                "foreign": sorted((tuple(f["constrained_columns"]), f["referred_table"])
                                  for f in look.get_foreign_keys(table)),
                "unique": sorted(u["name"] or str(u["column_names"])
                                 for u in look.get_unique_constraints(table)),
                "checks": sorted(c["name"] for c in look.get_check_constraints(table)),
                "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                                  for i in look.get_indexes(table)
                                  if not i["name"].startswith("sqlite_autoindex")),
            }
        if address.startswith("postgresql"):            # the history's triggers (schema 6)
            found["(triggers)"] = sorted(tuple(r) for r in conn.exec_driver_sql(
                "SELECT tgname, tgrelid::regclass::text, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE NOT tgisinternal"))
        else:
            found["(triggers)"] = sorted(tuple(r) for r in conn.exec_driver_sql(
                "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"))
    engine.dispose()
    return found


def test_a_schema_3_ledger_is_refused_until_upgraded_then_keeps_every_row(old_ledger, source_rows):
    refused = pricing("invoice", "list", ledger=old_ledger)
    assert refused.exit_code == 1
    assert "a ledger of schema 3, older than this tool's 8" in refused.output
    assert "run `pricing ledger upgrade" in refused.output
    assert "pricing:pricing@" not in refused.output                  # the password is not shown
    assert pricing("ar", "pay", "1", "1.00", "--date", "2001-05-10", ledger=old_ledger).exit_code == 1

    done = pricing("ledger", "upgrade", ledger=old_ledger)
    assert done.exit_code == 0, done.output
    assert "from schema 3 to schema 8 (migrations: schema4, schema5, schema6, schema7, schema8)" in done.output
    # Every entry recorded before the chain is hashed into it: 3 invoices, a payment, 2 disputes
    # and a resolution, a credit note and a termination.
    assert "; 9 entries recorded before the chain were hashed into it" in done.output

    with Ledger(old_ledger, "read") as book, book.read() as conn:
        got = {t.name: [dict(r) for r in conn.execute(
                   t.select().order_by(*t.primary_key.columns)).mappings()]
               for t in schema.metadata.sorted_tables}
    # Every row as it was; who and when read "unknown" where schema 3 did not record them.
    for name, rows in source_rows.items():
        if name in ("ledger_meta", "payment_voids", "chain"):      # the chain: hashed at upgrade
            continue
        assert len(got[name]) == len(rows), name
        for before, after in zip(rows, got[name]):
            for column, value in before.items():
                if column in ("issued_by", "recorded_by", "resolved_by") or (
                        column in ("recorded_at", "resolved_at") and name in ("disputes", "credits")):
                    expected = "unknown" if value is not None else None
                    assert after[column] == expected, (name, column)
                else:
                    assert after[column] == value, (name, column)
    assert [r["amount_cents"] for r in got["payments"]] == [1000000]       # 10,000.00
    assert [(r["amount_cents"], r["resolved_date"] is not None) for r in got["disputes"]] == [
        (50000, True), (40000, False)]
    assert got["payment_voids"] == []
    meta = {r["key"]: r["value"] for r in got["ledger_meta"]}
    assert meta["schema_version"] == "8"
    assert [(r["seq"], r["kind"]) for r in got["chain"]][-1] == (9, "termination")
    old_meta = {r["key"]: r["value"] for r in source_rows["ledger_meta"]}
    assert meta["ledger_id"] == old_meta["ledger_id"]          # the same ledger, not a copy

    # Recording goes on, now with who: a payment by "clerk" on invoice 1 (34,000.00 - 10,000.00).
    paid = pricing("ar", "pay", "1", "24000.00", "--date", "2001-05-20", ledger=old_ledger,
                   user="clerk")
    assert paid.exit_code == 0 and "open 0.00" in paid.output
    with Ledger(old_ledger, "read") as book, book.read() as conn:
        from invoices.ledger.authors import recorded_author
        from invoices.ledger.store import login_name

        clerk = book.session_user if book.server else recorded_author(login_name(), "clerk")
        assert [r.recorded_by for r in conn.execute(schema.payments.select()
                                                    .order_by(schema.payments.c.id))] == [
            "unknown", clerk]
    again = pricing("ledger", "upgrade", ledger=old_ledger)
    assert again.exit_code == 0 and "already at schema 8; nothing to upgrade" in again.output


@pytest.mark.parametrize("indexes", [True, False], ids=["with-indexes", "before-indexes"])
def test_a_migrated_ledger_has_the_schema_of_a_new_one(tmp_path, source_rows, ledger_address,
                                                        indexes):
    make_schema_3(ledger_address, source_rows, indexes)
    assert pricing("ledger", "upgrade", ledger=ledger_address).exit_code == 0
    fresh = str(tmp_path / "fresh.sqlite3")
    if ledger_address.startswith("postgresql"):
        fresh = ledger_address
        migrated = shape(ledger_address)
        with Ledger(ledger_address, "upgrade") as book, book.write() as conn:
            schema.metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE alembic_version")
        Ledger(fresh).close()
    else:
        migrated = shape(ledger_address)
        Ledger(fresh).close()
    new = shape(fresh)
    assert migrated == new
    assert "payment_voids" in new and ("invoices_by_date", ("invoice_date",), False) in \
        new["invoices"]["indexes"]
    assert new["payments"]["checks"] == ["payment_positive"]
    assert ("invoices_no_update", "invoices") in [t[:2] for t in new["(triggers)"]]
    assert ("recorded_by", "TEXT", False, None) in new["payments"]["columns"]


def test_a_schema_3_ledger_of_the_first_tools_with_one_termination_row_is_upgraded(
        tmp_path, source_rows, ledger_address):
    # The first schema-3 tools kept a termination as one row (id 1, its date), not a log
    # (kind, date, reason); their ledgers say "schema 3" too. The upgrade failed on them at
    # schema 6 ("no such column: terminations.kind"): it must carry the termination over.
    make_schema_3(ledger_address, source_rows)
    url = ledger_address if ledger_address.startswith("postgresql") else \
        f"sqlite:///{ledger_address}"
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE terminations")
        conn.exec_driver_sql("CREATE TABLE terminations (id INTEGER NOT NULL, date DATE NOT "
                             "NULL, recorded_at VARCHAR(32) NOT NULL, PRIMARY KEY (id), "
                             "CONSTRAINT one_termination CHECK (id = 1))")
        conn.exec_driver_sql("INSERT INTO terminations VALUES (1, '2001-06-15', "
                             "'2001-06-15T09:00:00+00:00')")
    engine.dispose()
    done = pricing("ledger", "upgrade", ledger=ledger_address)
    assert done.exit_code == 0, done.output
    with Ledger(ledger_address, "read") as book, book.read() as conn:
        assert [tuple(r) for r in conn.execute(schema.terminations.select())] == [
            (1, "terminated", dt.date(2001, 6, 15), None, "2001-06-15T09:00:00+00:00",
             "unknown")]
    assert pricing("ledger", "check", ledger=ledger_address).exit_code == 0
    migrated = shape(ledger_address)["terminations"]
    fresh = str(tmp_path / "fresh.sqlite3")
    if ledger_address.startswith("postgresql"):     # a new ledger in the same database
        fresh = ledger_address
        with Ledger(ledger_address, "upgrade") as book, book.write() as conn:
            schema.metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE alembic_version")
    Ledger(fresh).close()
    assert migrated == shape(fresh)["terminations"]


def test_an_upgrade_killed_before_commit_leaves_the_ledger_as_it_was(old_ledger):
    before = shape(old_ledger)
    env = {**os.environ, "PRICING_LEDGER": old_ledger, "PRICING_FAULT": "migration-before-commit"}
    killed = subprocess.run([sys.executable, "-m", "pricing", "ledger", "upgrade"], env=env,
                            capture_output=True, timeout=120)
    assert killed.returncode != 0
    assert shape(old_ledger) == before
    env.pop("PRICING_FAULT")
    done = subprocess.run([sys.executable, "-m", "pricing", "ledger", "upgrade"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "from schema 3 to schema 8" in done.stdout
