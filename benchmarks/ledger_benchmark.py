"""Benchmark listing and ageing a large ledger against a plain SQLite query of the same rows.

    python benchmarks/ledger_benchmark.py [--invoices 10000] [--repeat 3]

Builds a ledger by one real invoice run (3 invoices of the examples), then copies its invoices
and lines with SQL until it holds --invoices invoices (each copy its own bill-to and month, as
the ledger's unique keys require), with a payment on every other one and one payment in ten
voided. Then it times, as
subprocesses, best of --repeat:
  - the floor: the same Python start-up running a plain sqlite3 SELECT of every invoice row;
  - `pricing invoice list` (a table: the first 50), `invoice list --format json` (every row),
    `invoice list --open --min-total 100000 --format json`, `ar aging`, `ar status`,
    `ar statement` of one bill-to, each on the large ledger and on the 3-invoice ledger the run
    made (the command's own start-up: Python, the CLI and SQLAlchemy imported, the ledger
    opened).
Prints each command's time over its start-up (target: at most 0.5 s on 10,000 invoices) and
its ratio to the floor, measured in one run; then the start-up of `invoice list` and `ar status`
over `pricing --help`, for this checkout and, with --baseline DIR, another one in the same run
(targets: within 0.25 s on a small ledger, within 0.5 s on 10,000 invoices). And what the
verifiable history costs (issue 24): a month-end run (2001-05 of the examples, on a fresh copy
of each ledger) hashed against the same run with the chain's append made a no-op (goal: within
10%), and `ledger check` on --invoices invoices over its start-up on 3 (goal: at most 2 s).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"


def build(path: Path, invoices: int) -> None:
    env = {**os.environ, "PRICING_LEDGER": str(path)}
    subprocess.run([sys.executable, "-m", "pricing", "invoice", "run", "--month", "2001-04",
                    "--cities", str(EXAMPLES / "invoice_cities.csv"), "--hours",
                    str(EXAMPLES / "invoice_hours.csv"), "--out", str(path.parent / "out")],
                   check=True, capture_output=True, env=env)
    import sqlite3

    db = sqlite3.connect(path)
    template = db.execute("SELECT * FROM invoices WHERE number = 1").fetchone()
    columns = [d[1] for d in db.execute("PRAGMA table_info(invoices)")]
    lines = db.execute("SELECT * FROM lines WHERE invoice = 1").fetchall()
    line_columns = [d[1] for d in db.execute("PRAGMA table_info(lines)")]
    start = db.execute("SELECT max(number) FROM invoices").fetchone()[0] + 1
    rows, line_rows, payments, periods, months = [], [], [], [], []
    for number in range(start, invoices + 1):
        row = dict(zip(columns, template))
        inputs = json.loads(row["inputs"])          # its own cities, so it re-derives
        for city in inputs["cities"]:
            city["city"] = f"{city['city']} {number}"
        # The template's month (its lines and inputs price it), each copy a supplement of its
        # own bill-to's month, so the copies are a consistent ledger: `ledger check` passes.
        row.update(number=number, bill_to=f"Entity {number % 97:02d}", supplement=number,
                   inputs=json.dumps(inputs, sort_keys=True),
                   file=str(path.parent / "out" / f"invoice-{number:06d}.xlsx"))
        rows.append(tuple(row[c] for c in columns))
        for line in lines:
            copy = dict(zip(line_columns, line))
            copy.update(invoice=number, city=f"{copy['city']} {number}")
            line_rows.append(tuple(copy[c] for c in line_columns))
        for city in inputs["cities"]:
            periods.append((city["city"], inputs["period"], city["billed_level"], row["month"],
                            number))
            months.append((city["city"], row["month"], inputs["period"], row["bill_to"], number,
                           0))
        if number % 2:
            payments.append((number, "2001-06-01", 1000, "2001-06-01T00:00:00+00:00", "bench"))
    db.executemany(f"INSERT INTO invoices VALUES ({','.join('?' * len(columns))})", rows)
    db.executemany(f"INSERT INTO lines VALUES ({','.join('?' * len(line_columns))})", line_rows)
    db.executemany("INSERT INTO city_periods (city, period, level, first_month, invoice) "
                   "VALUES (?, ?, ?, ?, ?)", periods)
    db.executemany("INSERT INTO city_months (city, month, period, bill_to, invoice, "
                   "integration_sites) VALUES (?, ?, ?, ?, ?, ?)", months)
    db.executemany("INSERT INTO payments (invoice, date, amount_cents, recorded_at, recorded_by) "
                   "VALUES (?, ?, ?, ?, ?)", payments)
    db.execute("INSERT INTO payment_voids (payment, date, reason, recorded_at, recorded_by) "
               "SELECT id, '2001-06-15', 'bounced', '2001-06-15T00:00:00+00:00', 'bench' "
               "FROM payments WHERE id % 10 = 0")          # one payment in ten voided
    db.execute("UPDATE sequences SET last = ? WHERE name = 'invoice'", (invoices,))
    db.commit()
    db.close()
    chain_the_copies(path)


def chain_the_copies(path: Path) -> None:
    """Append the rows copied with SQL to the ledger's chain, in the order recorded, as the
    tool would have had it recorded them one by one."""
    from invoices.ledger import chain
    from invoices.ledger.store import Ledger

    with Ledger(path, "write", "bench") as book, book.write() as conn:
        chained = {(r.kind, r.ref) for r in conn.execute(chain.s.chain.select())}
        for _, kind, ref in chain._recorded(conn):
            if (kind, ref) not in chained:
                chain.append(conn, kind, ref)


# `invoice run` as it is, and with the chain's append made a no-op (what a month-end run cost
# before hashing), started the same way so only the hashing differs.
RUN = {True: "import sys; from pricing.cli import app; sys.argv[0] = 'pricing'; app()",
       False: ("import sys, invoices.billing.run as run; run.append = lambda *a: ''; "
               "from pricing.cli import app; sys.argv[0] = 'pricing'; app()")}


def timed_run(ledger: Path, out: Path, repeat: int, hashed: bool) -> float:
    """Best of `repeat` month-end runs (2001-05, the examples' cities), each on a fresh copy of
    `ledger` (the copy is not timed)."""
    import shutil

    best = float("inf")
    for attempt in range(repeat):
        copy = ledger.with_name(f"run-{hashed}-{attempt}.sqlite3")
        shutil.copy(ledger, copy)
        args = [sys.executable, "-c", RUN[hashed], "invoice", "run", "--month", "2001-05", "--cities",
                 str(EXAMPLES / "invoice_cities.csv"), "--hours",
                 str(EXAMPLES / "invoice_hours.csv"), "--out", str(out / uuid.uuid4().hex),
                 "--ledger", str(copy)]
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        best = min(best, time.perf_counter() - start)
        copy.unlink()
    return best


def timed(args: list[str], env: dict, repeat: int, must_pass: bool = True) -> float:
    """Best of `repeat` runs, in a directory holding no code: `python -m pricing` imports the
    package from the working directory first, which would hide --baseline's PYTHONPATH."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, check=must_pass, capture_output=True, env=env,
                       cwd=tempfile.gettempdir())
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", type=Path, default=None,
                        help="another checkout of the code (e.g. `git worktree add /tmp/before "
                             "REV`): its start-up is measured in the same run, beside this one's")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        small = Path(scratch) / "small" / "ledger.sqlite3"
        small.parent.mkdir()
        build(small, 3)
        ledger = Path(scratch) / "ledger.sqlite3"
        build(ledger, options.invoices)
        env = {**os.environ, "PRICING_LEDGER": str(ledger)}
        env_small = {**os.environ, "PRICING_LEDGER": str(small)}
        floor = timed([sys.executable, "-c", "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]);"
                       " rows = db.execute('SELECT * FROM invoices').fetchall()", str(ledger)],
                      env, options.repeat)
        bare = timed([sys.executable, "-c", "pass"], env, options.repeat)
        pricing = [sys.executable, "-m", "pricing"]
        commands = {
            "invoice list (table, first 50)": ["invoice", "list"],
            "invoice list --format json (all)": ["invoice", "list", "--format", "json"],
            "invoice list --open --min-total (json)": ["invoice", "list", "--open", "--min-total",
                                                       "100000", "--format", "json"],
            "ar aging": ["ar", "aging", "--as-of", "2001-07-01"],
            "ar status": ["ar", "status", "--as-of", "2001-07-01"],
            "ar statement (one bill-to)": ["ar", "statement", "KMC Telecom II, Inc.", "--from",
                                           "1998-01-01", "--to", "2010-12-31", "--format", "csv"],
        }
        print(f"{options.invoices:,} invoices; floor (plain SQLite query of every invoice row) "
              f"{floor - bare:.3f} s over Python start-up")
        for name, args in commands.items():
            startup = timed(pricing + args, env_small, options.repeat)
            took = timed(pricing + args, env, options.repeat) - startup
            print(f"  {name:42s} {took:6.3f} s over its start-up ({startup:.3f} s)   "
                  f"{took / max(floor - bare, 1e-3):5.1f}x the floor")
        print("\nThe verifiable history (issue 24):")
        for label, at in (("small ledger (3 invoices)", small),
                          (f"{options.invoices:,} invoices", ledger)):
            hashed, plain = float("inf"), float("inf")
            for _ in range(options.repeat):          # interleaved: drift hits both alike
                hashed = min(hashed, timed_run(at, Path(scratch) / "runs", 1, True))
                plain = min(plain, timed_run(at, Path(scratch) / "runs", 1, False))
            print(f"  month-end run, {label:24s} {hashed:6.3f} s hashed, {plain:6.3f} s with "
                  f"the chain's append a no-op: {100 * (hashed - plain) / plain:+5.1f}% "
                  f"(goal: within 10%)")
        # The copies are a consistent ledger: check passes on it (exit 0), as on the small one.
        check = pricing + ["ledger", "check"]
        on_small = timed(check, env_small, options.repeat)
        on_large = timed(check, env, options.repeat)
        print(f"  ledger check (chain verified, every invoice re-derived, the invariants): "
              f"{on_large - on_small:6.3f} s over its start-up on {options.invoices:,} invoices "
              f"({on_small:.3f} s on 3; goal: at most 2 s)")
        versions = {"this checkout": REPO}
        if options.baseline:
            versions = {"baseline": options.baseline.resolve(), **versions}
        print("\nStart-up, seconds over `pricing --help` (best of "
              f"{options.repeat}), small ledger (3 invoices) / {options.invoices:,} invoices:")
        for label, code in versions.items():
            code_env = {**env, "PYTHONPATH": str(code)}
            small_env = {**env_small, "PYTHONPATH": str(code)}
            help_time = timed(pricing + ["--help"], code_env, options.repeat)
            print(f"  {label} ({code}): pricing --help {help_time:.3f} s")
            if subprocess.run(pricing + ["invoice", "list"], env=code_env, capture_output=True,
                              cwd=tempfile.gettempdir()).returncode:
                print("    cannot read the ledgers this checkout made (a newer schema): not timed")
                continue
            for name in ("invoice list (table, first 50)", "invoice list --format json (all)",
                         "ar status"):
                on_small = paired(pricing + ["--help"], pricing + commands[name], small_env,
                                  options.repeat)
                on_large = paired(pricing + ["--help"], pricing + commands[name], code_env,
                                  options.repeat)
                print(f"    {name:40s} {on_small:6.3f} / {on_large:6.3f}")
            # What a check costs with each checkout's invariants: over its start-up on 3.
            checked = [float("inf"), float("inf")]
            for _ in range(options.repeat):
                for which, at in enumerate((small_env, code_env)):
                    checked[which] = min(checked[which], timed(check, at, 1))
            print(f"    {'ledger check over its start-up on 3':40s} "
                  f"{checked[1] - checked[0]:6.3f} s on {options.invoices:,} invoices")


def paired(baseline: list[str], command: list[str], env: dict, repeat: int) -> float:
    """`command`'s time over `baseline`'s, the two run in turns `repeat` times and each taken
    at its best: a machine that slows down for a while slows both alike."""
    best = [float("inf"), float("inf")]
    for _ in range(repeat):
        for which, args in enumerate((baseline, command)):
            best[which] = min(best[which], timed(args, env, 1))
    return best[1] - best[0]


if __name__ == "__main__":
    main()
