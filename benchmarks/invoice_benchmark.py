"""Benchmark the monthly invoice run against writing the same workbooks alone.

    python benchmarks/invoice_benchmark.py [--cities 1000] [--month 2001-04] [--repeat 3]

Generates a city list spread over the PSA's nine customer entities (one invoice each) with hours
for every month of the period so far, then measures in one process, best of --repeat:
  - the run: drafting (pricing every city), issuing in a fresh ledger, writing the workbooks;
  - the bare writing: the same invoices' workbooks written by the workbook writer alone
    (XlsxWriter with the same layout, no pricing and no ledger).
Target: the run costs at most 2x the bare writing.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

PSA_CUSTOMERS = ["KMC Telecom Inc.", "KMC Telecom II, Inc.", "KMC Telecom Leasing I LLC",
                 "KMC Telecom Leasing II LLC", "KMC Telecom of Virginia, Inc.",
                 "KMC Telecom III, Inc.", "KMC Telecom Leasing III LLC", "KMC Telecom IV, Inc.",
                 "KMC Telecom Leasing IV LLC"]


def make_inputs(work: Path, cities: int, month: str) -> tuple[Path, Path, Path]:
    rng = random.Random(7)
    city_path, hours_path, events_path = work / "cities.csv", work / "hours.csv", work / "events.csv"
    year, number = int(month[:4]), int(month[5:])
    first_year = year if number >= 10 else year - 1
    months = [f"{first_year + (m > 3)}-{(m + 8) % 12 + 1:02d}" for m in range(1, 13)]
    months = months[: months.index(month) + 1]
    with city_path.open("w") as c, hours_path.open("w") as h, events_path.open("w") as e:
        c.write("city,bill_to,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv,level\n")
        h.write("city,month,hours\n")
        e.write("city,date,kind,quantity\n")
        for i in range(cities):
            name = f"City {i:04d}"
            c.write(f'{name},"{PSA_CUSTOMERS[i % 9]}",{rng.randint(0, 55)},1,{rng.randint(0, 28)},'
                    f'{rng.randint(0, 4)},1,1,\n')
            for m in months:
                h.write(f"{name},{m},{rng.randint(0, 900)}.{rng.randint(0, 99):02d}\n")
            if rng.random() < 0.05:
                e.write(f"{name},{month}-15,integration,1\n")
    return city_path, hours_path, events_path


def main() -> None:
    from invoices.ledger.store import Ledger
    from invoices.workflows import run_month
    from invoices.documents.workbooks import write_invoice
    from pricing.tables import load_tables

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cities", type=int, default=1000)
    parser.add_argument("--month", default="2001-04")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="invoice-bench-"))
    inputs = make_inputs(work, args.cities, args.month)
    tables = load_tables()
    runs, bare = [], []
    for attempt in range(args.repeat):
        folder = work / f"run{attempt}"
        folder.mkdir()
        start = time.perf_counter()
        with Ledger(folder / "ledger.sqlite3") as ledger:
            result = run_month(args.month, inputs[0], folder / "out", tables, ledger, *inputs[1:])
        runs.append(time.perf_counter() - start)
        start = time.perf_counter()
        for invoice in result.issued:
            write_invoice(invoice, folder / "bare" / Path(invoice.file).name)
        bare.append(time.perf_counter() - start)
    invoices = len(result.issued)
    lines = sum(len(i.lines) for i in result.issued)
    best_run, best_bare = min(runs), min(bare)
    print(f"{args.cities:,} cities, {args.month}: {invoices} invoices, {lines:,} lines")
    print(f"invoice run (price, issue in the ledger, write): {best_run:.3f} s, "
          f"{invoices / best_run:.1f} invoices/s, {lines / best_run:,.0f} lines/s")
    print(f"the same workbooks written alone:               {best_bare:.3f} s")
    print(f"  run / bare writing: {best_run / best_bare:.2f}x   (target <= 2x)")


if __name__ == "__main__":
    main()
