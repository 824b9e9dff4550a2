"""`pricing batch`: price a city list file (CSV, XLSX or Parquet) into another.

`-` stands for stdin (CITIES) or stdout (-o), so the command sits in a pipe:
`pricing batch - -o - < cities.csv | ...`. The run itself works on files (it reads a CSV in
blocks and writes under a temporary name), so stdin is first spooled to a temporary file and
stdout gets the finished output only once the run has succeeded: a failed run prints nothing
on stdout. The summary always goes to stderr.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from pricing.cli import params
from pricing.cli.common import (TablesOption, date_option, fail, handles_errors, load, parse_date,
                                refuse_overwriting, say)

STDIO = Path("-")
SHOWN_REJECTS = 20          # rejected rows listed on stderr when they have no file


class Engine(str, Enum):
    plain = "plain"
    dask = "dask"


class FileFormat(str, Enum):
    csv = "csv"
    xlsx = "xlsx"
    parquet = "parquet"


@handles_errors
def batch(
    cities: Annotated[Path, typer.Argument(metavar="CITIES", help="City list: .csv, .xlsx or .parquet; - for stdin.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Priced list: .csv, .xlsx or .parquet; - for stdout.")],
    as_of: Annotated[dt.date | None, date_option("Prices the annual period containing this date (default: today).")] = None,
    rejects: Annotated[Path | None, typer.Option("--rejects", help="Rejected rows, a .csv (default: OUT's name + .rejects.csv; written only when a row is rejected).")] = None,
    input_format: Annotated[FileFormat | None, typer.Option("--input-format", help="The format of CITIES when its name does not say (default for stdin: csv).")] = None,
    output_format: Annotated[FileFormat | None, typer.Option("--output-format", help="The format of -o when its name does not say (default for stdout: csv).")] = None,
    engine: Annotated[Engine, typer.Option("--engine", help="plain: this process; dask: a Dask cluster, CITIES a glob of .csv or .parquet files, one partition each.")] = Engine.plain,
    scheduler: Annotated[str | None, typer.Option("--scheduler", metavar="ADDRESS", help="With --engine dask: the scheduler's address (default: a local cluster for the run).")] = None,
    tables: TablesOption = None,
    chunk_rows: Annotated[int, typer.Option("--chunk-rows", parser=params.count_from(1, 10_000_000), metavar="N", hidden=True)] = 100_000,
) -> None:
    """Price every city of a list: level, annual price, hours, integration, total.

    Rejected rows go to the rejects file with their row number and reason; the exit code is
    1 when any row was rejected, 0 when all were priced.

    Example: pricing batch examples/cities.csv -o priced.xlsx --as-of 2001-10-01
    """
    from pricing.batch.readers import file_format
    from pricing.batch.run import run_batch
    from pricing.errors import PricingError

    if engine is Engine.dask:
        _on_dask(str(cities), output, as_of, rejects, scheduler, tables)
        return
    if scheduler is not None:
        raise typer.BadParameter("--scheduler goes with --engine dask", param_hint="--scheduler")

    def natural(path: Path, what: str) -> str | None:
        try:
            return file_format(path, what)
        except PricingError:
            return None

    kinds, named = {}, {}
    for path, name, what, chosen in ((cities, "CITIES", "input", input_format),
                                     (output, "--output", "output", output_format)):
        named[what] = None if path == STDIO else natural(path, what)
        kinds[what] = chosen.value if chosen else "csv" if path == STDIO else named[what]
        if kinds[what] is None:
            try:
                file_format(path, what)
            except PricingError as error:
                raise typer.BadParameter(f"{error} (or give --{what}-format)",
                                         param_hint=name) from None
    if rejects is not None and rejects.suffix.lower() != ".csv":
        raise typer.BadParameter(f"{rejects}: the rejects file is CSV; name it .csv",
                                 param_hint="--rejects")
    if rejects is None and output != STDIO:
        rejects = output.with_name(output.stem + ".rejects.csv")
    refuse_overwriting({"-o": output, "--rejects": rejects}, {"CITIES": cities})
    table_set = load(tables)
    date = params.as_of_in_term(parse_date(as_of) if as_of else None, table_set)
    with tempfile.TemporaryDirectory(prefix="pricing-batch-") as scratch:
        work = Path(scratch)
        source = _spooled_stdin(work / f"cities.{kinds['input']}") if cities == STDIO else cities
        target = work / f"priced.{kinds['output']}" if output == STDIO else output
        if cities != STDIO and kinds["input"] != named["input"]:
            source = _linked(cities, work / f"cities.{kinds['input']}")
        if output != STDIO and kinds["output"] != named["output"]:
            target = work / f"priced.{kinds['output']}"
        quiet_rejects = work / "rejects.csv" if output == STDIO and rejects is None else rejects
        try:
            summary = _run(run_batch, source, target, table_set, date, quiet_rejects, chunk_rows)
        except PricingError as error:
            if cities == STDIO:                 # name stdin, not the file it was spooled to
                raise _on_stdin(error, source) from None
            raise
        if output == STDIO:
            with target.open("rb") as handle:
                shutil.copyfileobj(handle, sys.stdout.buffer)
            sys.stdout.flush()
        elif target != output:
            from pricing.fileio.writes import replaced_atomically

            with replaced_atomically(output) as temp:
                shutil.move(str(target), temp)
        _report(summary, "stdout" if output == STDIO else str(output))
        if summary.rejected:
            if summary.rejects is not None and summary.rejects.parent != work:
                fail(f"{summary.rejected:,} row(s) rejected, listed in {summary.rejects}")
            _show_rejects(summary.rejects, summary.rejected)
            raise typer.Exit(1)


def _report(summary, shown: str, where: str = "") -> None:
    """The run's summary on stderr: cities priced, the period, the total, and by level."""
    typer.echo(f"priced {summary.priced:,} of {summary.rows:,} cities{where} for the annual "
               f"period {summary.period_start} to {summary.period_end}: total "
               f"{summary.totals['total']:,} -> {shown}", err=True)
    for level, (count, amount) in summary.by_level.items():
        typer.echo(f"  {level}: {count:,} cities, {amount:,}", err=True)


def _on_dask(pattern: str, output: Path, as_of, rejects: Path | None, scheduler: str | None,
             tables) -> None:
    """`--engine dask`: the glob's files priced on a cluster (pricing.batch.dask_engine)."""
    import importlib.util

    if importlib.util.find_spec("distributed") is None:
        fail("--engine dask needs Dask's distributed scheduler: pip install \".[dask]\"")
    from pricing.batch.dask_engine import run_dask

    if output == STDIO:
        raise typer.BadParameter("--engine dask writes a directory (a Parquet dataset) or one "
                                 ".csv file, not stdout", param_hint="-o")
    if output.suffix and output.suffix.lower() != ".csv":
        raise typer.BadParameter(f"{output}: with --engine dask, -o is a directory (a Parquet "
                                 f"dataset) or a .csv file", param_hint="-o")
    if not output.resolve().name:
        raise typer.BadParameter(f"{output}: name a new directory or a .csv file", param_hint="-o")
    rejects = rejects or output.resolve().with_name(output.resolve().name.removesuffix(".csv")
                                                    + ".rejects.csv")
    if rejects.suffix.lower() != ".csv":
        raise typer.BadParameter(f"{rejects}: the rejects file is CSV; name it .csv",
                                 param_hint="--rejects")
    import glob

    matched = {p: Path(p) for p in glob.glob(pattern)}
    refuse_overwriting({"-o": output if output.suffix else None, "--rejects": rejects}, matched)
    if any(Path(p).resolve().is_relative_to(output.resolve()) for p in glob.glob(pattern)):
        fail(f"-o {output}: the inputs are inside it; choose another place")
    table_set = load(tables)
    date = params.as_of_in_term(parse_date(as_of) if as_of else None, table_set)
    summary = run_dask(pattern, output, table_set, date, rejects, scheduler)
    _report(summary, str(output), f" in {summary.files:,} file(s)")
    if summary.rejected:
        fail(f"{summary.rejected:,} row(s) rejected, listed in {summary.rejects}")


def _run(run_batch, source, target, table_set, date, rejects, chunk_rows):
    """The run, with a progress bar on a terminal: the share of the input read, percent and
    time left, and the cities read so far."""
    if not sys.stderr.isatty():
        return run_batch(source, target, table_set, date, rejects, chunk_rows)
    from rich.progress import (BarColumn, Progress, TaskProgressColumn, TextColumn,
                               TimeRemainingColumn)

    bar = Progress(TextColumn("pricing"), BarColumn(), TaskProgressColumn(),
                   TimeRemainingColumn(), TextColumn("{task.fields[cities]} cities"),
                   transient=True, console=_stderr_console())
    task = bar.add_task("pricing", total=None, cities="0")
    with bar:
        return run_batch(source, target, table_set, date, rejects, chunk_rows,
                         lambda rows, done, total: bar.update(task, completed=done, total=total,
                                                              cities=f"{rows:,}"))


def _on_stdin(error, spooled: Path):
    """The same error, telling of stdin where it told of the spooled copy."""
    from pricing.errors import Problem, ProblemsError

    def told(text):
        return text.replace(str(spooled), "stdin") if isinstance(text, str) else text

    if isinstance(error, ProblemsError):
        return ProblemsError([Problem(told(p.file), p.row, p.column, told(p.message))
                              for p in error.problems], told(error.summary))
    return type(error)(told(str(error)))


def _spooled_stdin(path: Path) -> Path:
    """stdin, copied to a file in blocks (memory stays flat whatever its size)."""
    with path.open("wb") as handle:
        shutil.copyfileobj(sys.stdin.buffer, handle, 1 << 20)
    return path


def _linked(source: Path, path: Path) -> Path:
    """`source` under a name whose extension says its format (--input-format)."""
    from pricing.fileio.csvfile import check_input_file

    check_input_file(source)
    try:
        path.symlink_to(source.resolve())
    except OSError:
        shutil.copyfile(source, path)
    return path


def _show_rejects(path: Path, count: int) -> None:
    """Rejected rows on stderr when they have no file of their own (output on stdout)."""
    import csv

    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))[1:SHOWN_REJECTS + 1]
    say(f"{count:,} row(s) rejected" + (f"; the first {SHOWN_REJECTS}" if count > SHOWN_REJECTS
                                         else "") + " (give --rejects FILE.csv for all):")
    for row, city, reason in rows:
        typer.echo(f"  row {row}: {city}: {reason}", err=True)


def _stderr_console():
    from rich.console import Console

    return Console(stderr=True)
