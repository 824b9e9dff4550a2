"""A ledger row edited by hand (issue 30, point 5): every command names the damaged value and
exits 1, never a traceback and never a report that silently leaves the row out; `ledger check`
lists every damaged value. SQLite keeps whatever is written into a column."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pricing.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

COMMANDS = [
    ("invoice", "list"), ("invoice", "list", "--format", "json"), ("invoice", "show", "2"),
    ("invoice", "explain", "2"), ("invoice", "print", "2", "-o", "OUT/copy.pdf"),
    ("ar", "aging", "--as-of", "2001-06-30"), ("ar", "status", "--as-of", "2001-06-30"),
    ("ar", "statement", "KMC Telecom III, Inc.", "--from", "2001-04-01", "--to", "2001-06-30"),
    ("ledger", "export", "--from", "2001-01-01", "--to", "2001-12-31"),
    ("ar", "pay", "2", "100", "--date", "2001-05-15"),
]


def _ledger(tmp_path: Path, sql: str) -> Path:
    ledger = tmp_path / "ledger.sqlite3"
    made = runner.invoke(app, ["invoice", "run", "--month", "2001-04", "--cities",
                               str(EXAMPLES / "invoice_cities.csv"), "--hours",
                               str(EXAMPLES / "invoice_hours.csv"), "--out", str(tmp_path / "out"),
                               "--ledger", str(ledger)])
    assert made.exit_code == 0, made.output
    with sqlite3.connect(ledger) as conn:
        triggers = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()
        for (name,) in triggers:
            conn.execute(f"DROP TRIGGER {name}")         # as anyone holding the file can
        conn.execute(sql)
    return ledger


@pytest.mark.breaks_ledger
@pytest.mark.parametrize("sql, said", [
    ("UPDATE invoices SET invoice_date = 'notadate' WHERE number = 2",
     "invoices (number 2): invoice_date 'notadate' is not a date YYYY-MM-DD"),
    ("UPDATE invoices SET month = 'garbage' WHERE number = 2",
     "invoices (number 2): month 'garbage' is not a month YYYY-MM"),
    ("UPDATE invoices SET due_date = '2001-02-30' WHERE number = 2",
     "invoices (number 2): due_date '2001-02-30' is not a date YYYY-MM-DD"),
    ("UPDATE invoices SET due_date = '2001-19-39' WHERE number = 2",
     "invoices (number 2): due_date '2001-19-39' is not a date YYYY-MM-DD"),
    ("UPDATE invoices SET invoice_date = '0000-04-30' WHERE number = 2",     # SQLite's year 0
     "invoices (number 2): invoice_date '0000-04-30' is not a date YYYY-MM-DD"),
    # An amount a report sums: SQL's sum() would count 'abc' as 0 and truncate 12.5.
    ("INSERT INTO payments (invoice, date, amount_cents, recorded_at, recorded_by) VALUES "
     "(2, '2001-05-10', 'abc', '2001-05-10T00:00:00+00:00', 'x')",
     "payments (id 1): amount_cents 'abc' is not a whole number"),
    ("UPDATE invoices SET total_cents = 12.5 WHERE number = 2",
     "invoices (number 2): total_cents 12.5 is not a whole number"),
], ids=["not-a-date", "month", "feb-30", "month-19", "year-0", "payment-abc", "total-12.5"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_a_damaged_date_or_amount_is_named_by_every_command(tmp_path, sql, said, command):
    ledger = _ledger(tmp_path, sql)
    before = _dump(ledger)
    args = [a.replace("OUT/", f"{tmp_path}/") for a in command]
    result = runner.invoke(app, [*args, "--ledger", str(ledger)], env={"PRICING_USER": "dana"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert said in " ".join(result.output.split())
    assert "`pricing ledger check` lists them all" in result.output
    assert _dump(ledger) == before and not (tmp_path / "copy.pdf").exists()


def _dump(ledger: Path) -> list[str]:
    """The ledger's content as SQL (its file's bytes move when SQLite checkpoints its log)."""
    with sqlite3.connect(ledger) as conn:
        return list(conn.iterdump())


@pytest.mark.breaks_ledger
def test_ledger_check_lists_every_damaged_value(tmp_path):
    ledger = _ledger(tmp_path, "UPDATE invoices SET invoice_date = 'notadate' WHERE number = 2")
    with sqlite3.connect(ledger) as conn:
        conn.execute("UPDATE invoices SET total_cents = 'abc' WHERE number = 3")
        conn.execute("UPDATE lines SET amount_cents = 1.5 WHERE invoice = 1 AND position = 1")
    checked = runner.invoke(app, ["ledger", "check", "--ledger", str(ledger)])
    assert checked.exit_code == 1
    out = checked.output
    assert "values_are_well_formed: invoices (number 2): invoice_date 'notadate' is not a date" in out
    assert "values_are_well_formed: invoices (number 3): total_cents 'abc' is not a whole number" in out
    assert ("values_are_well_formed: lines (invoice 1, position 1): amount_cents 1.5 is not a "
            "whole number") in out
    assert "Traceback" not in out


@pytest.mark.breaks_ledger
def test_a_damaged_amount_read_by_a_report_is_named_not_a_traceback(tmp_path):
    # A text where cents belong fails where it is read; the ledger names the value then.
    ledger = _ledger(tmp_path, "UPDATE invoices SET total_cents = 'abc' WHERE number = 3")
    for command in (("invoice", "show", "3"), ("ar", "aging", "--as-of", "2001-06-30")):
        result = runner.invoke(app, [*command, "--ledger", str(ledger)])
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            (command, result.exception)
        assert result.exit_code == 1, (command, result.output)
        assert "invoices (number 3): total_cents 'abc' is not a whole number" in result.output


@pytest.mark.breaks_ledger
def test_a_schema_version_of_odd_digits_is_a_clean_refusal(tmp_path):
    ledger = _ledger(tmp_path, "UPDATE ledger_meta SET value = '\u00b2' WHERE key = 'schema_version'")
    for command in (("invoice", "list"), ("invoice", "show", "1")):
        result = runner.invoke(app, [*command, "--ledger", str(ledger)])
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit), result.exception      # no traceback
        assert "a pricing ledger with an unreadable schema version '\u00b2'" in result.output
