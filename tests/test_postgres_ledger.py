"""The ledger on PostgreSQL for a billing team: several processes at once, one sequence of
numbers, the same invariants. (tests/test_receivables.py also runs whole on both backends.)"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from invoices import schema
from invoices.ledger import Ledger

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
                        + f'Town {k},"{entity}",20,1,10,1,1,1,\n')
        lists.append(path)
    env = {**os.environ, "PRICING_LEDGER": postgres_url}
    for round_ in range(5):                                   # five rounds of eight at once
        month = f"2001-{4 + round_:02d}"
        running = [subprocess.Popen([sys.executable, "-m", "pricing", "invoice", "run", "--month",
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
    base = [sys.executable, "-m", "pricing", "invoice", "run", "--month", "2001-04", "--cities",
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
    again = subprocess.run([*base[:6], "2001-05", *base[7:]], env=env, capture_output=True, timeout=120)
    assert again.returncode != 0
    env.pop("PRICING_FAULT")
    rerun = subprocess.run([*base[:6], "2001-05", *base[7:]], env=env, capture_output=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    with Ledger(postgres_url, "read") as book, book.read() as conn:
        numbers = [r.number for r in conn.execute(schema.invoices.select())]
    assert sorted(numbers) == [1, 2, 3, 4, 5, 6]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"invoice-{n:06d}.xlsx" for n in range(1, 7)]
