"""`price_cities(df)`: the batch pricer for a pandas DataFrame, and for each partition of a
Dask DataFrame (`ddf.map_partitions(price_cities, as_of=..., meta=...)`).

Money comes back as exact decimals (pandas ArrowDtype decimal128(18, 2)), never float.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from pricing.fileio.arrow import decimal, int64, strings
from pricing.batch.chunk import MONEY, prepare, price_chunk
from pricing.batch.dedupe import SeenNames
from pricing.batch.parse import ADDED, REQUIRED
from pricing.batch.readers import RawChunk, output_clashes
from pricing.batch.rules import batch_rules
from pricing.errors import Problem, ProblemsError
from pricing.tables.loader import TableSet, load_tables


MONEY_KINDS = ("decimal", "float")


def _text(series) -> pa.Array:
    """A column as text for the core's exact parsers, without pandas' slow astype("string"):
    Python strings go to Arrow directly, numbers are cast by Arrow (1600.0 becomes "1600",
    read back as the same number), missing values stay missing."""
    import pandas as pd

    dtype = series.dtype
    try:
        if pd.api.types.is_bool_dtype(dtype):
            raise TypeError("a yes/no column is not text")      # let pandas spell it
        if pd.api.types.is_numeric_dtype(dtype):
            return pa.array(series.to_numpy(), from_pandas=True).cast(pa.string())
        return pa.array(series.to_numpy(), type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError,
            ValueError):
        return pa.array(series.astype("string").to_numpy(na_value=None), pa.string())


def price_cities(df, as_of: dt.date, tables: TableSet | None = None, money: str = "decimal"):
    """Price every row of a DataFrame with columns city, gateway_elements, five_ess, slc, sm,
    dacs_ii, dacs_iv (and optionally hours, integration_sites).

    Returns a copy with level, annual_price, hours_charge, integration_charge and total added.
    Any bad row (or repeated city name) raises ProblemsError listing every one by index label.

    money: "decimal" (the default) gives exact decimal128 columns: `priced["total"].sum()` and
    `groupby(...).sum()` return exact Decimals, but pandas' describe() and most plotting skip
    them. "float" gives float64 columns for describe(), plots and statistics: each value is the
    float nearest the exact amount, so it rounds back to the same cents, but a sum of many
    floats can drift by fractions of a cent - take money totals from the decimal result.
    """
    import pandas as pd

    if money not in MONEY_KINDS:
        raise ValueError(f"money: expected one of {', '.join(MONEY_KINDS)}, got {money!r}")

    tables = tables or load_tables()
    rules = batch_rules(tables, as_of)
    canonical = {str(c).strip().lower(): c for c in df.columns}
    problems = [Problem("DataFrame", None, name, "missing column")
                for name in REQUIRED if name not in canonical]
    problems += output_clashes("DataFrame", None, list(df.columns))
    if problems:
        raise ProblemsError(problems)
    known = [name for name in canonical if name in REQUIRED or name in ("hours", "integration_sites")]
    columns = {}
    for name in known:
        series = df[canonical[name]]
        if name == "city" or name == "hours" or series.dtype == object:
            columns[name] = _text(series)
        else:
            columns[name] = pa.array(series.to_numpy(), from_pandas=True)
    table = pa.table(columns) if len(df) else pa.table(
        {name: pa.array([], pa.string()) for name in known})
    positions = np.arange(1, len(table) + 1, dtype=np.int64)    # 0 means "not seen" to SeenNames
    result = price_chunk(prepare(RawChunk(table, positions)), rules, SeenNames())
    if result.rejects:
        labels = list(df.index)
        raise ProblemsError([Problem("DataFrame", None, None, f"index {labels[row - 1]!r}: {reason}")
                             for row, _, reason in result.rejects],
                            f"{len(result.rejects)} row(s) cannot be priced")
    out = df.copy()
    levels = strings(list(rules.level_names)).take(int64(result.level))
    out["level"] = pd.Series(levels.to_pandas().to_numpy(), index=df.index, dtype="string")
    for name in ADDED[1:]:
        if money == "float":
            out[name] = pd.Series(result.cents[name] / 100, index=df.index, dtype="float64")
        else:
            exact = decimal(result.cents[name], MONEY)
            out[name] = pd.Series(pd.arrays.ArrowExtensionArray(exact), index=df.index)
    return out
