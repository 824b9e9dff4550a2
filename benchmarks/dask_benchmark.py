"""Benchmark the Dask engine against the plain command on the same cities.

    python benchmarks/dask_benchmark.py [--rows 1000000] [--files 8] [--repeat 3]

Generates synthetic cities (as batch_benchmark.py) as one Parquet file and as --files Parquet
files holding the same rows, then times as subprocesses, best of --repeat:
  - the plain command: `pricing batch whole.parquet -o out.parquet`;
  - the engine: `pricing batch 'parts/*.parquet' --engine dask -o out/` (a local cluster of up
    to 4 worker processes started and stopped inside the command, as a user runs it).
Prints both and their ratio; the totals are compared to the cent.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pcsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_benchmark import AS_OF, synthetic_cities  # noqa: E402


def best(repeat: int, command: list[str]) -> tuple[float, str]:
    times, output = [], ""
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        output = done.stderr
    return min(times), output


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        synthetic_cities(work / "cities.csv", options.rows)
        table = pcsv.read_csv(work / "cities.csv", convert_options=pcsv.ConvertOptions(
            column_types={"hours": "string"}))
        pq.write_table(table, work / "whole.parquet")
        (work / "parts").mkdir()
        size = -(-table.num_rows // options.files)
        for n in range(options.files):
            pq.write_table(table.slice(n * size, size), work / "parts" / f"part{n:03d}.parquet")
        pricing = [sys.executable, "-m", "pricing", "batch", "--as-of", AS_OF]
        plain, plain_out = best(options.repeat, pricing + [str(work / "whole.parquet"), "-o",
                                                           str(work / "out.parquet")])
        engine, engine_out = 0.0, ""
        times = []
        for n in range(options.repeat):
            target = work / f"out{n}"
            start = time.perf_counter()
            done = subprocess.run(pricing + [str(work / "parts" / "*.parquet"), "--engine", "dask",
                                             "-o", str(target)], capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            engine_out = done.stderr
        engine = min(times)

        def total(text: str) -> str:
            return text.split("total ", 1)[1].split(" ", 1)[0]

        same = total(plain_out) == total(engine_out)
        print(f"{options.rows:,} cities in {options.files} files: plain {plain:.2f} s; dask "
              f"engine {engine:.2f} s ({engine / plain:.2f}x); totals "
              f"{'equal' if same else 'DIFFER'}: {total(plain_out)}")


if __name__ == "__main__":
    main()
