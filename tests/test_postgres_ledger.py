"""The ledger on PostgreSQL for a billing team: several processes at once, one sequence of
numbers, the same invariants. (tests/test_receivables.py also runs whole on both backends.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from invoices.ledger import schema
from invoices.ledger.store import Ledger

CITIES_HEADER = "city,bill_to,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv,level\n"
# Eight PSA customers from 2000-09-29 (PSA Amendment 2 Section 1), one per process.
ENTITIES = ["KMC Telecom Inc.", "KMC Telecom II, Inc.", "KMC Telecom Leasing I LLC",
            "KMC Telecom Leasing II LLC", "KMC Telecom of Virginia, Inc.", "KMC Telecom III, Inc.",
            "KMC Telecom Leasing III LLC", "KMC Telecom IV, Inc."]


def test_eight_processes_issue_gap_free_unique_numbers(tmp_path, postgres_url):
    lists = []
    for k, entity in enumerate(ENTITIES):
        path = tmp_path / f"cities-{k}.csv"
        path.write_text(CITIES_HEADER + f'City {k},"{entity}",12,1,6,1,1,1,\n'
                        + f'Town {k},"{entity}",20,1,10,1,1,1,Small\n')
        lists.append(path)
    env = {**os.environ, "PRICING_LEDGER": postgres_url}
    for round_ in range(5):                                   # five rounds of eight at once
        month = f"2001-{4 + round_:02d}"
        running = [subprocess.Popen([sys.executable, "-m", "pricing", "invoice", "run", "--no-hours", "--month",
                                     month, "--cities", str(path), "--out", str(tmp_path / "out")],
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                   for path in lists]
        for process in running:
            _, err = process.communicate(timeout=300)
            assert process.returncode == 0, err.decode()
    with Ledger(postgres_url, "read") as book, book.read() as conn:
        numbers = [r.number for r in conn.execute(schema.invoices.select()
                                                  .order_by(schema.invoices.c.number))]
        months = conn.execute(schema.invoices.select()).all()
    assert numbers == list(range(1, 41))                      # 8 bill-tos x 5 months
    assert len({(r.bill_to, r.month) for r in months}) == 40
    # Each invoice bills a Very Small city (163,000.00 / 12 = 13,583.33) and a Small one
    # (198,000.00 / 12 = 16,500.00): 30,083.33, the period's 12th month not among these.
    assert {r.total_cents for r in months} == {3008333}
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == [f"invoice-{n:06d}.xlsx" for n in range(1, 41)]


def test_a_killed_run_on_postgresql_records_nothing_and_a_rerun_completes(tmp_path, postgres_url):
    examples = Path(__file__).resolve().parent.parent / "examples"
    base = [sys.executable, "-m", "pricing", "invoice", "run", "--no-hours", "--month", "2001-04", "--cities",
            str(examples / "invoice_cities.csv"), "--out", str(tmp_path / "out")]
    env = {**os.environ, "PRICING_LEDGER": postgres_url, "PRICING_FAULT": "before-commit"}
    killed = subprocess.run(base, env=env, capture_output=True, timeout=120)
    assert killed.returncode != 0
    env.pop("PRICING_FAULT")
    done = subprocess.run(base, env=env, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with Ledger(postgres_url, "read") as book:
        assert [book.get(n).total for n in (1, 2, 3)] and book.unwritten() == []
    env["PRICING_FAULT"] = "after-commit"
    may = [*base[:7], "2001-05", *base[8:]]                 # base[7] is the month
    again = subprocess.run(may, env=env, capture_output=True, timeout=120)
    assert again.returncode != 0
    env.pop("PRICING_FAULT")
    rerun = subprocess.run(may, env=env, capture_output=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    with Ledger(postgres_url, "read") as book, book.read() as conn:
        numbers = [r.number for r in conn.execute(schema.invoices.select())]
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"invoice-{n:06d}.xlsx" for n in range(1, 7)]


def _rows(address) -> dict[str, list[tuple]]:
    """Every row of every table but the ledger's identity."""
    with Ledger(address, "read") as book, book.read() as conn:
        return {t.name: sorted(tuple(r) for r in conn.execute(t.select()))
                for t in schema.metadata.sorted_tables if t is not schema.ledger_meta}


def test_ledger_copy_to_postgresql_and_back_keeps_every_row(tmp_path, postgres_url):
    from typer.testing import CliRunner

    from pricing.cli import app

    examples = Path(__file__).resolve().parent.parent / "examples"
    runner = CliRunner()
    source = str(tmp_path / "ledger.sqlite3")
    env = {"PRICING_LEDGER": source}
    assert runner.invoke(app, ["invoice", "run", "--no-hours", "--month", "2001-04", "--cities",
                               str(examples / "invoice_cities.csv"), "--out",
                               str(tmp_path / "out")], env=env).exit_code == 0
    assert runner.invoke(app, ["ar", "pay", "1", "10000", "--date", "2001-05-15"], env=env).exit_code == 0
    assert runner.invoke(app, ["ar", "credit", "2", "500", "--date", "2001-06-01", "--reason",
                               "goodwill", "--out", str(tmp_path / "out")], env=env).exit_code == 0
    assert runner.invoke(app, ["ar", "void-payment", "1", "--date", "2001-05-20", "--reason",
                               "wrong invoice"], env=env).exit_code == 0
    assert runner.invoke(app, ["ar", "pay", "1", "10000", "--date", "2001-05-21"], env=env).exit_code == 0
    there = runner.invoke(app, ["ledger", "copy", source, postgres_url])
    assert there.exit_code == 0                      # five cities: one service line each
    assert ("invoices 3, lines 5, payments 2, payment voids 1, disputes 0, credit notes 1, "
            "terminations 0") in there.output
    assert "pricing:***@" in there.output
    back = str(tmp_path / "back.sqlite3")
    assert runner.invoke(app, ["ledger", "copy", postgres_url, back]).exit_code == 0
    assert _rows(source) == _rows(postgres_url) == _rows(back)       # numbers and every record
    ids = {address: Ledger(address, "read") for address in (source, postgres_url, back)}
    try:
        assert len({book.id for book in ids.values()}) == 3            # each its own identity
    finally:
        for book in ids.values():
            book.close()
    # The copy never overwrites a document the source wrote: the source's credit note 000001
    # sits in out/, and the copy's own credit note 000002 goes beside it.
    before_note = (tmp_path / "out" / "credit-000001.xlsx").read_bytes()
    # The copy is a working ledger: the next payment and credit note follow on.
    pg = {"PRICING_LEDGER": postgres_url}
    assert runner.invoke(app, ["ar", "pay", "1", "500", "--date", "2001-06-02"], env=pg).exit_code == 0
    credited = runner.invoke(app, ["ar", "credit", "3", "100", "--date", "2001-06-02", "--reason",
                                   "goodwill", "--out", str(tmp_path / "pg-out")], env=pg)
    assert credited.exit_code == 0 and "credit note 000002" in credited.output
    forked = runner.invoke(app, ["ar", "credit", "3", "50", "--date", "2001-06-03", "--reason", "x",
                                 "--out", str(tmp_path / "out")], env={"PRICING_LEDGER": back})
    assert forked.exit_code == 0                        # credit note 000002 of the other copy
    assert (tmp_path / "out" / "credit-000001.xlsx").read_bytes() == before_note
    # Ids follow on after the copied ones: payment 3, and void 2 of it.
    assert runner.invoke(app, ["ar", "void-payment", "3", "--date", "2001-06-03", "--reason",
                               "typo"], env=pg).exit_code == 0
    with Ledger(postgres_url, "read") as book, book.read() as conn:
        assert [r.id for r in conn.execute(schema.payments.select())] == [1, 2, 3]
        assert [(r.id, r.payment) for r in conn.execute(schema.payment_voids.select())] == [
            (1, 1), (2, 3)]
    before = _rows(postgres_url)
    refused = runner.invoke(app, ["ledger", "copy", source, postgres_url])
    assert refused.exit_code == 1 and "not empty (invoices has rows)" in refused.output
    assert _rows(postgres_url) == before


def test_journal_export_balances_and_shares_credits_by_kind(tmp_path, ledger_address):
    import csv
    import io
    from decimal import Decimal as D

    from typer.testing import CliRunner

    from pricing.cli import app

    examples = Path(__file__).resolve().parent.parent / "examples"
    runner = CliRunner()
    env = {"PRICING_LEDGER": ledger_address}
    assert runner.invoke(app, ["invoice", "run", "--month", "2001-04", "--cities",
                               str(examples / "invoice_cities.csv"), "--hours",
                               str(examples / "invoice_hours.csv"), "--events",
                               str(examples / "invoice_events.csv"), "--out",
                               str(tmp_path / "out")], env=env).exit_code == 0
    assert runner.invoke(app, ["ar", "pay", "1", "10000", "--date", "2001-05-15"], env=env).exit_code == 0
    assert runner.invoke(app, ["ar", "credit", "3", "100", "--date", "2001-06-01", "--reason", "x",
                               "--out", str(tmp_path / "out")], env=env).exit_code == 0
    assert runner.invoke(app, ["ar", "pay", "2", "2500", "--date", "2001-05-16"], env=env).exit_code == 0
    assert runner.invoke(app, ["ar", "void-payment", "2", "--date", "2001-05-20", "--reason",
                               "posted twice"], env=env).exit_code == 0
    made = runner.invoke(app, ["ledger", "export", "--from", "2001-01-01", "--to", "2001-12-31"], env=env)
    assert made.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(made.stdout)))
    assert list(rows[0]) == ["date", "account", "debit", "credit", "document", "bill_to", "memo"]
    debits = sum(D(r["debit"]) for r in rows if r["debit"])
    credits = sum(D(r["credit"]) for r in rows if r["credit"])
    # Invoices 277,000.00 + 273,083.33 + 241,916.67 (the first two with the examples' late
    # hours: 121,500.00 and 243,000.00), the payment 10,000.00, the credit 100.00, payment 2 of
    # 2,500.00 and its reversal 2,500.00.
    assert debits == credits == D("807100.00")
    void = [(r["date"], r["account"], r["debit"], r["credit"]) for r in rows
            if r["document"] == "payment 2 void"]
    assert void == [("2001-05-20", "1200 Accounts receivable", "2500.00", ""),
                    ("2001-05-20", "1000 Cash", "", "2500.00")]
    cash = sum(D(r["debit"] or 0) - D(r["credit"] or 0) for r in rows if r["account"] == "1000 Cash")
    assert cash == D("10000.00")                         # the void took back payment 2
    three = {r["account"]: r["credit"] for r in rows if r["document"] == "invoice 000003"
             and r["credit"]}
    # Roanoke VA: Medium's month 20,416.67, one block 121,500.00, integration 100,000.00.
    assert three == {"4000 Service level revenue": "20416.67", "4010 Hour block revenue": "121500.00",
                     "4030 System integration revenue": "100000.00"}
    # The 100.00 credit shared in proportion: 8.4396, 50.2240 and 41.3365 cents-rounded by
    # largest remainder to 8.44, 50.22 and 41.34 (sum 100.00).
    credit = {r["account"]: r["debit"] for r in rows if r["document"] == "credit note 000001"
              and r["debit"]}
    assert credit == {"4000 Service level revenue": "8.44", "4010 Hour block revenue": "50.22",
                      "4030 System integration revenue": "41.34"}
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("key,account\nreceivables,AR\ncash,Bank\n")
    refused = runner.invoke(app, ["ledger", "export", "--from", "2001-01-01", "--to", "2001-12-31",
                                  "--accounts", str(accounts)], env=env)
    assert refused.exit_code == 1 and "missing revenue.service_level" in refused.output


def test_ledger_urls_are_refused_without_showing_their_password():
    from typer.testing import CliRunner

    from pricing.cli import app

    runner = CliRunner()
    for url, message in (("postgresql://u:p@ss:w/rd#x@localhost/db", "cannot read the ledger URL"),
                         ("mysql://u:SECRET@localhost/db", "a ledger address of the mysql: kind")):
        refused = runner.invoke(app, ["invoice", "list", "--ledger", url])
        assert refused.exit_code == 1 and message in refused.output
        assert "SECRET" not in refused.output and "ss:w" not in refused.output
        assert refused.exception is None or isinstance(refused.exception, SystemExit)
