"""`pricing batch`: price a city list file (CSV, XLSX or Parquet) into another."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer

from pricing.cli.common import TablesOption, date_option, fail, handles_errors, load, parse_date


@handles_errors
def batch(
    cities: Annotated[Path, typer.Argument(metavar="CITIES", help="City list: .csv, .xlsx or .parquet.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Priced list: .csv, .xlsx or .parquet.")],
    as_of: Annotated[dt.date | None, date_option("Prices the annual period containing this date (default: today).")] = None,
    rejects: Annotated[Path | None, typer.Option("--rejects", help="Rejected rows (default: OUT's name + .rejects.csv).")] = None,
    tables: TablesOption = None,
    chunk_rows: Annotated[int, typer.Option("--chunk-rows", min=1, max=10_000_000, hidden=True)] = 100_000,
) -> None:
    """Price every city of a list: level, annual price, hours, integration, total.

    Rejected rows go to the rejects file with their row number and reason; the exit code is
    1 when any row was rejected, 0 when all were priced.

    Example: pricing batch examples/cities.csv -o priced.xlsx --as-of 2001-10-01
    """
    from pricing.batch.readers import file_format
    from pricing.batch.run import run_batch
    from pricing.errors import PricingError

    for path, name, what in ((cities, "CITIES", "input"), (output, "--output", "output")):
        try:
            file_format(path, what)
        except PricingError as error:
            raise typer.BadParameter(str(error), param_hint=name) from None
    date = parse_date(as_of)
    table_set = load(tables)
    progress = None
    if sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        bar = Progress(TextColumn("pricing"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("cities"), transient=True, console=_stderr_console())
        task = bar.add_task("pricing", total=None)
        bar.start()
        progress = lambda done, total: bar.update(task, completed=done, total=total)
    try:
        summary = run_batch(cities, output, table_set, date, rejects, chunk_rows, progress)
    finally:
        if progress is not None:
            bar.stop()
    typer.echo(f"priced {summary.priced:,} of {summary.rows:,} cities for the annual period "
               f"{summary.period_start} to {summary.period_end}: total {summary.totals['total']:,}"
               f" -> {summary.output}", err=True)
    for level, (count, amount) in summary.by_level.items():
        typer.echo(f"  {level}: {count:,} cities, {amount:,}", err=True)
    if summary.rejected:
        fail(f"{summary.rejected:,} row(s) rejected, listed in {summary.rejects}")


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)
