"""One chunk of a city list: prepared (reader thread), priced (caller), assembled (writer).

The split follows the threads of pipeline.py: `prepare` hashes and sorts the names while the
previous chunk is being priced; `price_chunk` does what must be sequential (duplicate names
across chunks, reasons for rejects); `assemble` builds the output table next to the writer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from pricing.fileio.arrow import decimal, int64, strings
from pricing.batch.dedupe import SeenNames
from pricing.batch.keys import city_keys
from pricing.batch.parse import (ADDED, CELL_LIMIT, HOURS_TYPE, ParsedChunk, name_hashes,
                                 parse_chunk)
from pricing.batch.readers import RawChunk
from pricing.batch.rules import BatchRules
from pricing.batch.vectorized import price_arrays
from pricing.rules.components import COMPONENTS
from pricing.rules.service_level import switch_count_problem

MONEY = pa.decimal128(18, 2)


@dataclass
class Prepared:
    """A chunk as read, with its row numbers and its names hashed and sorted.

    Attributes:
      table: the chunk's columns (canonical names).
      rows: each row's number in the input file (the header is row 1).
      hashes: each row's city name hash.
      order: the rows sorted by hash (stable, so equal names keep file order).
      read_rejects: lines the reader could not make a row of.
      position: bytes of a CSV input read to the chunk's end (0 for other formats).
    """

    table: pa.Table
    rows: np.ndarray
    hashes: np.ndarray
    order: np.ndarray
    read_rejects: list[tuple[int, str, str]]
    position: int = 0


def prepare(raw: RawChunk) -> Prepared:
    """Hash each row's city key (the ledger's: case, spaces, punctuation, Unicode forms and
    look-alike letters aside) and sort, so a repeated city is found whatever its spelling."""
    hashes = name_hashes(city_keys(raw.table.column("city")))
    return Prepared(raw.table, raw.rows, hashes, np.argsort(hashes, kind="stable"), raw.rejects,
                    raw.position)


@dataclass
class ChunkResult:
    """One chunk priced.

    Attributes:
      table: the chunk as read; parsed: its checked values; good: the rows priced.
      level: level index of each priced row; cents: money columns of the priced rows.
      rejects: (row, city, reasons) of every rejected row.
    """

    table: pa.Table
    parsed: ParsedChunk
    good: np.ndarray
    level: np.ndarray
    cents: dict[str, np.ndarray]
    rejects: list[tuple[int, str, str]]


def price_chunk(chunk: Prepared, rules: BatchRules, seen: SeenNames | None,
                repeats: dict[int, str] | None = None) -> ChunkResult:
    """Check and price one chunk; reject bad rows and repeated names with their reasons.

    `repeats` ({row: reason}) rejects rows already known to repeat an earlier name (the Dask
    engine finds them across files before pricing); `seen` finds them as the chunks come."""
    table, rows = chunk.table, chunk.rows
    parsed = parse_chunk(table)
    priced = price_arrays(rules, parsed.counts, parsed.hours_scaled, parsed.sites)
    no_level = (priced.level < 0) & ~parsed.bad
    if no_level.any():
        def why(i: int) -> str:
            problem = switch_count_problem(int(parsed.counts["five_ess"][i]), rules.levels)
            return problem or (f"no service level fits the counts (the largest, "
                               f"{rules.level_names[-1]}, has limits they exceed)")
        parsed.reject(no_level, why)
    if seen is not None:
        order = chunk.order[~parsed.bad[chunk.order]]       # candidates, sorted by hash
        first = seen.claim_sorted(chunk.hashes[order], rows[order])
        repeated = first > 0
        if repeated.any():
            first_of = dict(zip(order[repeated].tolist(), first[repeated].tolist()))
            duplicate = np.zeros(table.num_rows, dtype=bool)
            duplicate[order[repeated]] = True
            parsed.reject(duplicate, lambda i: f"city: duplicate name (first on row {first_of[i]})")
    if repeats:
        marked = np.isin(rows, np.fromiter(repeats, dtype=np.int64)) & ~parsed.bad
        if marked.any():
            parsed.reject(marked, lambda i: repeats[int(rows[i])])
    good = ~parsed.bad
    city = table.column("city")
    rejects = sorted(chunk.read_rejects + [
        (int(rows[i]), _name(city[i].as_py()), "; ".join(parsed.reasons[i]))
        for i in parsed.reasons])
    cents = {"annual_price": priced.annual_price[good], "hours_charge": priced.hours_charge[good],
             "integration_charge": priced.integration_charge[good], "total": priced.total[good]}
    return ChunkResult(table, parsed, good, priced.level[good], cents, rejects)


def _name(value: object) -> str:
    """A rejected row's city for the rejects file; one too long to be a name is shortened, and
    a character that does not print (a NUL, an escape that would drive a terminal) is written
    as its code, \\x1b."""
    name = "" if value is None else str(value)
    if not name.isprintable():
        name = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" if ord(c) < 256
                       else f"\\u{ord(c):04x}" for c in name)
    return name if len(name) <= CELL_LIMIT else name[:40] + f"... ({len(name):,} characters)"


def output_schema(columns: list[str]) -> pa.Schema:
    """The input's columns (counts as integers, hours as exact decimals, anything else as
    text) followed by level and the money columns."""
    fields = []
    for name in columns:
        if name in COMPONENTS or name == "integration_sites":
            fields.append(pa.field(name, pa.int64()))
        elif name == "hours":
            fields.append(pa.field(name, HOURS_TYPE))
        else:
            fields.append(pa.field(name, pa.string()))
    fields.append(pa.field("level", pa.string()))
    fields.extend(pa.field(name, MONEY) for name in ADDED[1:])
    return pa.schema(fields)


def assemble(result: ChunkResult, schema: pa.Schema, level_names: tuple[str, ...]) -> pa.Table:
    """The priced rows as an output table."""
    parsed, good = result.parsed, result.good
    keep = int64(np.flatnonzero(good)) if not good.all() else None
    columns = []
    for name in schema.names[: len(schema) - len(ADDED)]:
        if name in COMPONENTS:
            column = int64(parsed.counts[name])
        elif name == "integration_sites":
            column = int64(parsed.sites)
        elif name == "hours":
            column = decimal(parsed.hours_scaled, HOURS_TYPE)
        else:
            column = result.table.column(name).cast(pa.string())
        columns.append(column.take(keep) if keep is not None else column)
    columns.append(strings(list(level_names)).take(int64(result.level)))
    columns.extend(decimal(result.cents[name], MONEY) for name in ADDED[1:])
    return pa.Table.from_arrays(columns, schema=schema)
