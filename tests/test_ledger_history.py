"""The ledger proves its own history (issue 24): a hash chain of every entry, a head kept
outside the ledger that seals it, and triggers that refuse rewrites at the database.

Each tampering an auditor tried is done here as anyone holding the SQLite file can: drop the
triggers with sqlite3, then rewrite. `ledger check` (or `ledger check --head`) must find each,
naming the document, and `invoice print` must not show a tampered invoice as genuine.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pricing.cli import app

runner = CliRunner()
HEADER = "city,bill_to,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv,level\n"
HUNTSVILLE = 'Huntsville AL,"KMC Telecom III, Inc.",20,1,10,1,1,1,Small\n'


def pricing(ledger: str, *args: str):
    return runner.invoke(app, [*args, "--ledger", ledger], env={"PRICING_USER": None})


def run(ledger: str, tmp_path: Path, month: str):
    return pricing(ledger, "invoice", "run", "--month", month, "--cities",
                   str(tmp_path / "cities.csv"), "--no-hours", "--out", str(tmp_path / "out"))


def three_months(ledger: str, tmp_path: Path) -> dict:
    """Invoices 1 and 2 (April, May: 16,500.00 each, one line), a payment of 10,000.00 on
    invoice 1, invoice 3 (June); returns the seal `ledger head --format json` prints."""
    (tmp_path / "cities.csv").write_text(HEADER + HUNTSVILLE)
    for month in ("2001-04", "2001-05"):
        assert run(ledger, tmp_path, month).exit_code == 0
    assert pricing(ledger, "ar", "pay", "1", "10000.00", "--date", "2001-05-10").exit_code == 0
    june = run(ledger, tmp_path, "2001-06")
    assert june.exit_code == 0
    sealed = pricing(ledger, "ledger", "head", "--format", "json")
    assert sealed.exit_code == 0
    seal = json.loads(sealed.stdout)
    assert seal["entries"] == 4 and len(seal["head"]) == 64
    assert f"ledger head: {seal['head']} (4 entries" in june.stderr       # every run prints it
    return seal


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger(request, tmp_path) -> str:
    """A ledger's address on each backend: a file, and a new PostgreSQL database."""
    if request.param == "postgresql":
        return request.getfixturevalue("postgres_url")
    return str(tmp_path / "ledger.sqlite3")


@pytest.fixture
def sqlite_ledger(tmp_path) -> str:
    return str(tmp_path / "ledger.sqlite3")


def by_hand(ledger: str, *statements: str) -> None:
    """Drop every trigger and run the statements, as anyone holding the file can (with
    sqlite3), or the database's owner (with psql's SQL, through the driver)."""
    if ledger.startswith("postgresql://"):
        from sqlalchemy import create_engine

        from invoices.ledger.chain import drop_triggers

        engine = create_engine(ledger.replace("postgresql://", "postgresql+psycopg://"))
        try:
            with engine.begin() as conn:
                drop_triggers(conn)
                for statement in statements:
                    conn.exec_driver_sql(statement)
        finally:
            engine.dispose()
        return
    with sqlite3.connect(ledger) as db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            db.execute(f"DROP TRIGGER {name}")
        for statement in statements:
            db.execute(statement)
    db.close()


def test_a_genuine_ledger_verifies_and_later_entries_keep_an_old_seal(ledger, tmp_path):
    seal = three_months(ledger, tmp_path)
    checked = pricing(ledger, "ledger", "check", "--head", seal["head"])
    assert checked.exit_code == 0, checked.output
    assert "history of 4 entries verified, every invoice re-derived" in checked.stdout
    assert "all 13 invariants hold" in checked.stdout
    assert pricing(ledger, "ar", "pay", "2", "500.00", "--date", "2001-06-10").exit_code == 0
    later = pricing(ledger, "ledger", "check", "--head", seal["head"])
    assert later.exit_code == 0, later.output
    assert "(its first 4 entries)" in later.stdout
    empty = pricing(ledger, "ledger", "check", "--head", "0" * 64)   # the seal of no history
    assert empty.exit_code == 0 and "the seal given is of an empty history" in empty.stdout
    log = pricing(ledger, "ledger", "log", "--format", "json")
    hashes = [entry["hash"] for entry in json.loads(log.stdout)]
    assert len(hashes) == 5 and all(len(h) == 64 for h in hashes) and seal["head"] in hashes


@pytest.mark.breaks_ledger
@pytest.mark.parametrize("statements, named", [
    (["UPDATE lines SET unit_price = '10000.00', amount_cents = 1000000 WHERE invoice = 1",
      "UPDATE invoices SET total_cents = 1000000 WHERE number = 1"],
     "invoice 000001: content does not match its recorded hash"),
    (["UPDATE invoices SET issued_by = 'the-cfo' WHERE number = 2"],
     "invoice 000002: content does not match its recorded hash"),
    (["UPDATE invoices SET due_date = '2001-07-30' WHERE number = 2"],
     "invoice 000002: content does not match its recorded hash"),
    (["UPDATE payments SET amount_cents = amount_cents + 100 WHERE id = 1"],
     "payment 1: content does not match its recorded hash"),
    (["DELETE FROM lines WHERE invoice = 3", "DELETE FROM city_months WHERE invoice = 3",
      "DELETE FROM city_hours WHERE invoice = 3", "DELETE FROM invoices WHERE number = 3",
      "UPDATE sequences SET last = 2 WHERE name = 'invoice'"],
     "invoice 000003: missing from the ledger"),
], ids=["rewritten-consistently", "issued-by", "due-date", "payment-raised", "last-deleted"])
def test_each_tampering_is_named_by_ledger_check(ledger, tmp_path, statements, named):
    seal = three_months(ledger, tmp_path)
    by_hand(ledger, *statements)
    checked = pricing(ledger, "ledger", "check")
    assert checked.exit_code == 1
    assert f"history: {named}" in checked.stdout
    sealed = pricing(ledger, "ledger", "check", "--head", seal["head"])
    assert sealed.exit_code == 1 and named in sealed.stdout


@pytest.mark.breaks_ledger
def test_a_consistent_rewrite_is_found_twice_and_never_reprinted_as_genuine(ledger, tmp_path):
    three_months(ledger, tmp_path)
    by_hand(ledger,
            "UPDATE lines SET unit_price = '10000.00', amount_cents = 1000000 WHERE invoice = 1",
            "UPDATE invoices SET total_cents = 1000000 WHERE number = 1")
    checked = pricing(ledger, "ledger", "check")
    # The invariants cannot see it (the invoice is consistent); the chain and re-derivation do.
    assert "all 13 invariants hold" in checked.stdout
    assert ("re-derived: invoice 000001 line 1: recorded Huntsville AL service_level 1 x "
            "10000.00 = 10,000.00, re-derived Huntsville AL service_level 1 x 16500.00 = "
            "16,500.00") in checked.stdout
    printed = pricing(ledger, "invoice", "print", "1", "-o", str(tmp_path / "copy.html"))
    assert printed.exit_code == 1
    assert "invoice 000001: content does not match its recorded hash: it fails verification" \
        in printed.output
    assert not (tmp_path / "copy.html").exists()
    genuine = pricing(ledger, "invoice", "print", "2", "-o", str(tmp_path / "two.html"))
    assert genuine.exit_code == 0 and (tmp_path / "two.html").exists()


@pytest.mark.breaks_ledger
def test_history_cut_back_past_the_seal_is_found_by_the_seal(ledger, tmp_path):
    """The careful forger deletes the last invoice and its chain entry: the chain that is left
    verifies, so only the seal kept outside the ledger can tell."""
    seal = three_months(ledger, tmp_path)
    by_hand(ledger, "DELETE FROM lines WHERE invoice = 3",
            "DELETE FROM city_months WHERE invoice = 3",
            "DELETE FROM city_hours WHERE invoice = 3", "DELETE FROM invoices WHERE number = 3",
            "UPDATE sequences SET last = 2 WHERE name = 'invoice'",
            "DELETE FROM chain WHERE seq = 4")
    assert pricing(ledger, "ledger", "check").exit_code == 0
    sealed = pricing(ledger, "ledger", "check", "--head", seal["head"])
    assert sealed.exit_code == 1
    assert (f"history: the sealed head {seal['head']} is not in this ledger's history of 3 "
            f"entries") in sealed.stdout


def test_history_refuses_rewrites_at_the_database_and_the_tool_never_hits_it(sqlite_ledger,
                                                                           tmp_path):
    ledger = sqlite_ledger
    three_months(ledger, tmp_path)
    with sqlite3.connect(ledger) as db:
        for statement in ("UPDATE invoices SET total_cents = 1 WHERE number = 1",
                          "DELETE FROM lines WHERE invoice = 3",
                          "UPDATE payments SET amount_cents = 1",
                          "DELETE FROM chain", "UPDATE chain SET kind = 'x'"):
            with pytest.raises(sqlite3.DatabaseError, match="ledger history is append-only"):
                db.execute(statement)
        db.execute("UPDATE invoices SET written = written WHERE number = 1")   # by design
    db.close()
    # The tool's own updates: a dispute resolved once, a credit note written.
    assert pricing(ledger, "ar", "dispute", "2", "100.00", "--date", "2001-06-01",
                   "--reason", "hours").exit_code == 0
    assert pricing(ledger, "ar", "resolve", "1", "--date", "2001-06-05",
                   "--resolution", "agreed").exit_code == 0
    assert pricing(ledger, "ar", "credit", "2", "100.00", "--date", "2001-06-06", "--reason",
                   "dispute 1", "--out", str(tmp_path / "out")).exit_code == 0
    with sqlite3.connect(ledger) as db:
        with pytest.raises(sqlite3.DatabaseError, match="resolved once"):
            db.execute("UPDATE disputes SET resolution = 'other' WHERE id = 1")
    db.close()
    checked = pricing(ledger, "ledger", "check")
    assert checked.exit_code == 0 and "history of 7 entries verified" in checked.stdout


def test_postgresql_refuses_rewrites_of_history(postgres_url, tmp_path):
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import DBAPIError

    three_months(postgres_url, tmp_path)
    engine = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        for statement in ("UPDATE invoices SET total_cents = 1 WHERE number = 1",
                          "DELETE FROM lines WHERE invoice = 3",
                          "UPDATE payments SET amount_cents = 1", "TRUNCATE chain CASCADE",
                          "DELETE FROM chain"):
            with engine.begin() as conn, pytest.raises(DBAPIError,
                                                       match="ledger history is append-only"):
                conn.execute(text(statement))
    finally:
        engine.dispose()
    assert pricing(postgres_url, "ledger", "check").exit_code == 0


def test_a_run_in_json_carries_the_new_head(sqlite_ledger, tmp_path):
    """The month-end run's JSON record holds the seal, the same `ledger head` prints after it."""
    (tmp_path / "cities.csv").write_text(HEADER + HUNTSVILLE)
    made = pricing(sqlite_ledger, "invoice", "run", "--month", "2001-04", "--cities",
                   str(tmp_path / "cities.csv"), "--no-hours", "--out", str(tmp_path / "out"),
                   "--format", "json")
    assert made.exit_code == 0, made.output
    record = json.loads(made.stdout)
    # Huntsville AL at Small: $198,000 a year, a twelfth a month (PSA Amendment 1, App. A).
    assert [(i["number"], i["total"]) for i in record["issued"]] == [(1, "16500.00")]
    sealed = json.loads(pricing(sqlite_ledger, "ledger", "head", "--format", "json").stdout)
    assert record["head"] == sealed and sealed["entries"] == 1


def test_the_log_lists_entries_in_the_order_committed_not_the_time_a_row_says(sqlite_ledger,
                                                                              tmp_path):
    # A payment written by hand with a recording time of 2001 and chained after the others
    # (as a forger holding the SQLite file can) is listed last, where it was committed, not
    # first among entries actually recorded today.
    import datetime as dt

    from invoices.ledger import schema
    from invoices.ledger.chain import append
    from invoices.ledger.store import Ledger

    three_months(sqlite_ledger, tmp_path)
    with Ledger(sqlite_ledger, "write") as book, book.write() as conn:
        made = conn.execute(schema.payments.insert().values(
            invoice=2, date=dt.date(2001, 5, 11), amount_cents=100,
            recorded_at="2001-05-11T09:00:00.000000+00:00", recorded_by="the-cfo"))
        append(conn, "payment", made.inserted_primary_key[0])
    log = json.loads(pricing(sqlite_ledger, "ledger", "log", "--format", "json").stdout)
    assert [(e["action"], e["document"]) for e in log] == [
        ("invoice issued", "invoice 000001"), ("invoice issued", "invoice 000002"),
        ("payment", "payment 1"), ("invoice issued", "invoice 000003"),
        ("payment", "payment 2")]
