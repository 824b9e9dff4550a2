"""Benchmark the public DataFrame API against the vectorized core it wraps.

    python benchmarks/frame_benchmark.py [--rows 1000000] [--repeat 3]

Generates synthetic cities (as batch_benchmark.py), reads them once with pandas (the analyst's
`pd.read_csv`) and once with pyarrow (the core's own input), then measures in one process, best
of --repeat:
  - price_cities(df, as_of): DataFrame in, DataFrame with exact decimal money out;
  - the core: price_chunk on the same rows as a pyarrow table, and assemble.
Target: price_cities within 2x of the core.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_benchmark import AS_OF, synthetic_cities  # noqa: E402


def best(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    import pandas as pd
    import pyarrow.csv as pcsv

    from pricing.batch.chunk import assemble, output_schema, prepare, price_chunk
    from pricing.batch.dedupe import SeenNames
    from pricing.batch.frame import price_cities
    from pricing.batch.readers import RawChunk
    from pricing.batch.rules import batch_rules
    from pricing.tables import load_tables

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    tables = load_tables()
    as_of = dt.date.fromisoformat(AS_OF)
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "cities.csv"
        synthetic_cities(source, options.rows)
        frame = pd.read_csv(source)
        table = pcsv.read_csv(source)
    rules = batch_rules(tables, as_of)
    rows = np.arange(2, 2 + len(table), dtype=np.int64)

    def core():
        result = price_chunk(prepare(RawChunk(table, rows)), rules, SeenNames())
        assemble(result, output_schema(table.column_names), rules.level_names)

    core_time = best(options.repeat, core)
    frame_time = best(options.repeat, lambda: price_cities(frame, as_of, tables))
    float_time = best(options.repeat, lambda: price_cities(frame, as_of, tables, money="float"))
    exact = price_cities(frame, as_of, tables)["total"].sum()
    print(f"{options.rows:,} cities: core {core_time:.3f} s; price_cities {frame_time:.3f} s "
          f"({frame_time / core_time:.2f}x the core); money='float' {float_time:.3f} s "
          f"({float_time / core_time:.2f}x); total {exact:,}")


if __name__ == "__main__":
    main()
