"""Benchmark batch output to XLSX against bare XlsxWriter writing the same cells.

    python benchmarks/xlsx_benchmark.py [--rows 200000] [--repeat 3]

Generates synthetic cities (as batch_benchmark.py), prices them once to Parquet, then measures,
as subprocesses, best of --repeat:
  - `pricing batch cities.csv -o out.xlsx` (read, price, write the printable workbook);
  - the floor: `pricing batch cities.csv -o out.parquet` (read and price, the same work but
    the workbook) plus a script that reads the priced Parquet and writes the same cells with
    bare XlsxWriter in constant_memory mode (write_string / write_number per cell, one format
    per money column, no widths, filter, totals or summary), the two summed.
Target: the batch within 1.3x of the floor.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_benchmark import AS_OF, synthetic_cities  # noqa: E402

BARE = """
import sys, pyarrow.parquet as pq, xlsxwriter
table = pq.read_table(sys.argv[1])
book = xlsxwriter.Workbook(sys.argv[2], {"constant_memory": True})
sheet = book.add_worksheet("Cities")
money = book.add_format({"num_format": "#,##0.00"})
names = table.column_names
formats = [money if n in ("annual_price", "hours_charge", "integration_charge", "total") else None
           for n in names]
for col, name in enumerate(names):
    sheet.write_string(0, col, name)
row = 1
for batch in table.to_batches(100_000):
    columns = [c.to_pylist() for c in batch.columns]
    for values in zip(*columns):
        for col, value in enumerate(values):
            if isinstance(value, str):
                sheet.write_string(row, col, value)
            elif value is not None:
                sheet.write_number(row, col, value, formats[col])
        row += 1
book.close()
"""


def best(repeat: int, *commands: list[str]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for command in commands:
            subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        source = work / "cities.csv"
        synthetic_cities(source, options.rows)
        pricing = [sys.executable, "-m", "pricing", "batch", str(source), "--as-of", AS_OF]
        subprocess.run(pricing + ["-o", str(work / "priced.parquet")], check=True,
                       capture_output=True)
        batch = best(options.repeat, pricing + ["-o", str(work / "out.xlsx")])
        floor = best(options.repeat, pricing + ["-o", str(work / "again.parquet")],
                     [sys.executable, "-c", BARE, str(work / "priced.parquet"),
                      str(work / "bare.xlsx")])
        print(f"{options.rows:,} cities: batch to XLSX {batch:.2f} s; floor (price to Parquet + "
              f"bare XlsxWriter of the same cells) {floor:.2f} s: {batch / floor:.2f}x")


if __name__ == "__main__":
    main()
