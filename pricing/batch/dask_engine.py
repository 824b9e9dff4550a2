"""Batch pricing on a Dask cluster: a glob of city lists, one partition per file.

The same vectorized core prices every partition, and the result is the plain command's to the
cent, repeated names included: a name is a repeat when an earlier row (files in name order,
rows in file order) that is otherwise valid has it, wherever that row is. So the run has two
passes over the partitions:

1. each worker checks its file (parse, price, no name check) and returns the hashes and row
   numbers of its valid rows; the client then claims them in order in one SeenNames index (12
   bytes a city), exactly as the plain command does chunk by chunk, and finds every repeat with
   the file and row it repeats;
2. each worker prices its file again with those repeats rejected, writes its part (a Parquet
   file of the dataset, or a CSV part the client joins), and returns its totals and rejects.

Workers read and write files by path: on a real cluster the input and output must be on a file
system every worker sees. `scheduler=None` starts a local cluster for the run.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pricing.batch.readers import file_format
from pricing.errors import PricingError
from pricing.tables.loader import TableSet

CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class Partition:
    """One input file of the glob. Attributes: index (in name order), path, kind, offset
    (added to its row numbers to make them unique across the run)."""

    index: int
    path: str
    kind: str
    offset: int


def partitions(pattern: str) -> list[Partition]:
    """The files a glob names, sorted, all CSV or all Parquet."""
    paths = sorted(glob.glob(pattern))
    if not paths:
        raise PricingError(f"{pattern}: no file matches")
    from pricing.fileio.csvfile import input_file_problem

    for path in paths:
        refused = input_file_problem(path)       # a directory, a FIFO: refused unopened
        if refused:
            raise PricingError(f"{path}: {refused}")
    kinds = {file_format(Path(p), "input") for p in paths}
    if not kinds <= {"csv", "parquet"} or len(kinds) > 1:
        raise PricingError(f"{pattern}: the files must be all CSV or all Parquet, got "
                           f"{', '.join(sorted(kinds))}")
    kind = kinds.pop()
    return [Partition(i, p, kind, 0) for i, p in enumerate(paths)]


def _chunks(partition: Partition):
    from pricing.batch.chunk import prepare
    from pricing.batch.run import _chunks as read

    columns, _, chunks = read(Path(partition.path), partition.kind, CHUNK_ROWS)
    return columns, (prepare(raw) for raw in chunks)


def _valid_names(partition: Partition, rules) -> tuple[np.ndarray, np.ndarray, int]:
    """Pass 1 on a worker: (hashes, row numbers) of the file's valid rows, and its last row."""
    from pricing.batch.chunk import price_chunk

    hashes, rows, last = [], [], 1
    for chunk in _chunks(partition)[1]:
        result = price_chunk(chunk, rules, None)
        good = ~result.parsed.bad
        hashes.append(chunk.hashes[good])
        rows.append(chunk.rows[good])
        if len(chunk.rows):
            last = max(last, int(chunk.rows.max()))
        for row, _, _ in chunk.read_rejects:
            last = max(last, row)
    return (np.concatenate(hashes) if hashes else np.empty(0, np.uint64),
            np.concatenate(rows) if rows else np.empty(0, np.int64), last)


def _price(partition: Partition, rules, repeats: dict[int, str], out: str, output_kind: str
           ) -> dict:
    """Pass 2 on a worker: price the file with its repeats rejected and write its part with
    the plain command's own writers (pricing.batch.writers)."""
    from pricing.batch.chunk import assemble, output_schema, price_chunk
    from pricing.batch.run import _sum_by
    from pricing.batch.writers import WRITERS

    columns, chunks = _chunks(partition)
    schema = output_schema(columns)
    writer, totals = None, {}
    levels = np.zeros(len(rules.level_names), dtype=np.int64)
    level_cents = np.zeros(len(rules.level_names), dtype=np.int64)
    rejects, rows, priced = [], 0, 0
    try:
        for chunk in chunks:
            result = price_chunk(chunk, rules, None, repeats)
            rows += chunk.table.num_rows + len(chunk.read_rejects)
            rejects.extend(result.rejects)
            priced += len(result.level)
            levels += np.bincount(result.level, minlength=len(levels))
            level_cents += _sum_by(result.level, result.cents["total"], len(level_cents))
            for name, cents in result.cents.items():
                totals[name] = totals.get(name, 0) + int(cents.sum())
            if writer is None:
                writer = WRITERS[output_kind](Path(out), schema)
            writer.write(assemble(result, schema, rules.level_names))
    finally:
        if writer is not None:
            writer.close(None)
    return {"rows": rows, "priced": priced, "rejects": rejects, "totals": totals,
            "levels": levels.tolist(), "level_cents": level_cents.tolist(),
            "written": writer is not None}


@dataclass
class DaskSummary:
    """What a cluster run did (as pricing.batch.run.BatchSummary, across the files)."""

    files: int
    rows: int
    priced: int
    rejected: int
    totals: dict
    by_level: dict
    period_start: dt.date
    period_end: dt.date
    output: Path
    rejects: Path | None


def _client(scheduler: str | None):
    from distributed import Client, LocalCluster

    if scheduler:
        return Client(scheduler), None
    cluster = LocalCluster(n_workers=max(1, min(4, os.cpu_count() or 1)), threads_per_worker=1,
                           processes=True, dashboard_address=None)
    return Client(cluster), cluster


def run_dask(pattern: str, output: Path, tables: TableSet, as_of: dt.date,
             rejects: Path, scheduler: str | None = None) -> DaskSummary:
    """Price every file of `pattern` on the cluster into `output`: a directory (a Parquet
    dataset, one file per input file) or one .csv file; rejected rows, with their file and row,
    into `rejects` (written only when a row is rejected)."""
    from pricing.batch.dedupe import SeenNames
    from pricing.batch.rules import batch_rules
    from pricing.fileio.writes import replaced_atomically
    from pricing.money import from_cents

    parts = partitions(pattern)
    output_kind = "csv" if output.suffix.lower() == ".csv" else "parquet"
    if output_kind == "parquet" and output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise PricingError(f"-o {output}: a Parquet dataset is written into a new or empty "
                           f"directory")
    rules = batch_rules(tables, as_of)
    client, cluster = _client(scheduler)
    try:
        first = client.gather(client.map(_valid_names, parts, rules=rules, pure=False))
        offsets = np.cumsum([0] + [last + 1 for _, _, last in first])[:-1]
        seen, repeats = SeenNames(), [dict() for _ in parts]
        for part, (hashes, rows, _), offset in zip(parts, first, offsets):
            order = np.argsort(hashes, kind="stable")
            earlier = seen.claim_sorted(hashes[order], rows[order] + offset)
            for row, at in zip(rows[order][earlier > 0].tolist(), earlier[earlier > 0].tolist()):
                index = int(np.searchsorted(offsets, at, side="right")) - 1   # its file
                first_row = at - int(offsets[index])
                repeats[part.index][row] = (
                    f"city: duplicate name (first on row {first_row})" if index == part.index
                    else f"city: duplicate name (first in {parts[index].path}, row {first_row})")
        scratch = output.parent / f".{output.name}.{os.getpid()}.parts"
        scratch.mkdir(parents=True, exist_ok=False)
        try:
            outs = [str(scratch / f"part-{p.index:05d}.{output_kind}") for p in parts]
            results = client.gather(client.map(_price, parts, [rules] * len(parts), repeats, outs,
                                               [output_kind] * len(parts), pure=False))
            rows = sum(r["rows"] for r in results)
            if rows == 0:
                raise PricingError(f"{pattern}: no cities to price")
            _place(scratch, outs, results, output, output_kind, replaced_atomically)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    found = [(part.path, row, city, reason) for part, r in zip(parts, results)
             for row, city, reason in r["rejects"]]
    _write_rejects(found, rejects, replaced_atomically)
    levels = np.sum([r["levels"] for r in results], axis=0)
    level_cents = np.sum([r["level_cents"] for r in results], axis=0)
    totals = {name: from_cents(sum(r["totals"].get(name, 0) for r in results))
              for name in ("annual_price", "hours_charge", "integration_charge", "total")}
    return DaskSummary(len(parts), rows, sum(r["priced"] for r in results), len(found), totals,
                       {name: (int(levels[k]), from_cents(int(level_cents[k])))
                        for k, name in enumerate(rules.level_names) if levels[k]},
                       rules.period.start, rules.period.end, output, rejects if found else None)


def _place(scratch: Path, outs: list[str], results: list[dict], output: Path, kind: str,
           replaced_atomically) -> None:
    """The parts where they belong: the dataset directory renamed into place, or the CSV parts
    joined into one file (one header) under a temporary name and renamed."""
    written = [out for out, r in zip(outs, results) if r["written"]]
    if kind == "parquet":
        for out in outs:
            if out not in written and os.path.exists(out):
                os.remove(out)
        if output.exists():
            output.rmdir()                       # checked empty before the run
        os.replace(scratch, output)
        scratch.mkdir()                          # for the caller's cleanup
        return
    with replaced_atomically(output) as temp:
        with open(temp, "wb") as target:
            for n, out in enumerate(written):
                with open(out, "rb") as part:
                    if n:
                        part.readline()          # each part has its own header
                    shutil.copyfileobj(part, target, 1 << 20)


def _write_rejects(found: list[tuple[str, int, str, str]], path: Path, replaced_atomically) -> None:
    from pricing.fileio.csvsafe import Writer, neutralise

    if not found:
        if path.is_file():
            path.unlink()                        # no stale rejects from an earlier run
        return
    with replaced_atomically(path) as temp:
        with open(temp, "w", newline="", encoding="utf-8") as handle:
            writer = Writer(handle)
            writer.writerow(["file", "row", "city", "reason"])
            writer.writerows((neutralise(f), row, neutralise(city), neutralise(reason))
                             for f, row, city, reason in found)
