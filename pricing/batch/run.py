"""A batch run: read a city list in chunks, price each chunk vectorized, write as it goes.

Three stages overlap on the machine's cores (pipeline.py): a reader thread parses the next
chunk and hashes its names, the calling thread checks and prices the current one in numpy,
and a writer thread assembles and writes the previous one. Memory stays flat as the input grows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import numpy as np

from pricing.batch.chunk import assemble, output_schema, prepare, price_chunk
from pricing.batch.dedupe import SeenNames
from pricing.batch.parse import ADDED
from pricing.batch.pipeline import BackgroundWriter, prefetch
from pricing.batch.readers import (RawChunk, csv_header, file_format, read_csv_chunks,
                                   read_parquet_chunks, read_xlsx_chunks)
from pricing.batch.rules import batch_rules
from pricing.batch.writers import WRITERS, RejectsOut
from pricing.fileio.csvfile import check_input_file
from pricing.errors import PricingError
from pricing.fileio.writes import replaced_atomically
from pricing.money import from_cents
from pricing.tables.loader import TableSet
from pricing.values import DATE_RANGE

DEFAULT_CHUNK_ROWS = 100_000


@dataclass
class BatchSummary:
    """What a run did.

    Attributes:
      rows: data rows read.
      priced: rows priced and written.
      rejected: rows written to the rejects file.
      by_level: {level: (cities, total)} in level order.
      totals: {money column: total} over priced rows.
      as_of, period_start, period_end: the date and the annual period priced.
      output, rejects: the files written (rejects None when no row was rejected).
      tables_sha256: the manifest hash of the tables used.
    """

    rows: int = 0
    priced: int = 0
    rejected: int = 0
    by_level: dict[str, tuple[int, Decimal]] = field(default_factory=dict)
    totals: dict[str, Decimal] = field(default_factory=dict)
    as_of: dt.date | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    output: Path | None = None
    rejects: Path | None = None
    tables_sha256: str = ""


def _chunks(path: Path, kind: str, chunk_rows: int
            ) -> tuple[list[str], int | None, Iterator[RawChunk]]:
    """The columns, the size of the work (a CSV's bytes, else its rows) and the chunks."""
    if kind == "csv":
        header = csv_header(path)
        block = max(256, chunk_rows * 48)   # about 48 bytes a city row
        return list(header.canonical), path.stat().st_size, read_csv_chunks(path, header, block)
    reader = read_parquet_chunks if kind == "parquet" else read_xlsx_chunks
    header, total, chunks = reader(path, chunk_rows)
    return list(header.canonical), total, chunks


def run_batch(source: Path, output: Path, tables: TableSet, as_of: dt.date,
              rejects: Path | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS,
              progress: Callable[[int, int, int | None], None] | None = None) -> BatchSummary:
    """Price a city list file into `output` (and rejected rows into `rejects`).

    Formats by extension (CSV, XLSX, Parquet). Both files are written under temporary names and
    renamed when the run is complete; on any error nothing is left under the real names. The
    rejects file is written only when a row is rejected. `progress(rows, done, total)` is
    called after each chunk: rows read so far, and the work done of the total (bytes of a CSV
    file, rows of a Parquet or XLSX one).
    """
    kind_in = file_format(source, "input")
    kind_out = file_format(output, "output")
    check_input_file(source)                 # before any open: a FIFO would block it
    low, high = DATE_RANGE
    if not low <= as_of <= high:
        raise PricingError(f"as of {as_of}: expected a date from {low} to {high} (the "
                           f"agreements' years)")
    rejects = rejects or output.with_name(output.stem + ".rejects.csv")
    rules = batch_rules(tables, as_of)
    columns, total_work, chunks = _chunks(source, kind_in, chunk_rows)
    schema = output_schema(columns)
    summary = BatchSummary(as_of=rules.as_of, period_start=rules.period.start,
                           period_end=rules.period.end, output=output, rejects=rejects,
                           tables_sha256=tables.manifest_sha256)
    level_count = np.zeros(len(rules.level_names), dtype=np.int64)
    level_cents = np.zeros(len(rules.level_names), dtype=np.int64)
    totals = {name: 0 for name in ADDED[1:]}
    with replaced_atomically(output) as temp_out, replaced_atomically(rejects) as temp_rejects:
        writer = WRITERS[kind_out](temp_out, schema)
        rejects_writer = RejectsOut(temp_rejects)
        background = BackgroundWriter(
            lambda result: writer.write(assemble(result, schema, rules.level_names)))
        try:
            seen = SeenNames()
            for chunk in prefetch(prepare(raw) for raw in chunks):
                result = price_chunk(chunk, rules, seen)
                summary.rows += chunk.table.num_rows + len(chunk.read_rejects)
                summary.priced += len(result.level)
                summary.rejected += len(result.rejects)
                if len(result.level):
                    background.put(result)
                rejects_writer.write(result.rejects)
                level_count += np.bincount(result.level, minlength=len(level_count))
                level_cents += _sum_by(result.level, result.cents["total"], len(level_cents))
                for name in totals:
                    totals[name] += int(result.cents[name].sum())
                if progress:
                    progress(summary.rows, chunk.position if kind_in == "csv" else summary.rows,
                             total_work)
            background.close()
            if summary.rows == 0:
                raise PricingError(f"{source}: no cities to price (the file has a header but no rows)")
            summary.totals = {name: from_cents(cents) for name, cents in totals.items()}
            summary.by_level = {name: (int(level_count[k]), from_cents(int(level_cents[k])))
                                for k, name in enumerate(rules.level_names) if level_count[k]}
            writer.close(summary)
            rejects_writer.close()
            if not summary.rejected:
                temp_rejects.unlink()               # no empty rejects file, and no stale one
                if rejects.is_file():               # from an earlier run to mislead
                    rejects.unlink()
                summary.rejects = None
        except BaseException:
            _close_quietly(background.close)
            _close_quietly(lambda: writer.close(summary))
            _close_quietly(rejects_writer.close)
            raise
    return summary


def _close_quietly(close: Callable[[], None]) -> None:
    """Close on the way out; an error here must not hide the one that stopped the run."""
    try:
        close()
    except BaseException:
        pass


def _sum_by(groups: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Exact integer sums of values per group (bincount's weights would go through float64)."""
    return np.array([values[groups == k].sum() for k in range(size)], dtype=np.int64)
