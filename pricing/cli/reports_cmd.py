"""`pricing relevel`, `pricing capacity`, `pricing start-level`: from monthly component reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from pricing.cli import params
from pricing.cli.common import (Format, TablesOption, emit_csv, emit_json, emit_table,
                                FORMAT_HELP, chosen_format, date_option, handles_errors, load, parse_date, refuse_overwriting)
from pricing.values import DATE_RANGE

Reports = Annotated[Path, typer.Argument(metavar="REPORTS", help="Monthly reports: .csv, .xlsx or .parquet.")]
FormatOption = Annotated[Format | None, typer.Option("--format", help=FORMAT_HELP + " With -o, the file's format (default: its extension).")]
OutputOption = Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file: .csv or .json.")]
FIRST_YEAR, LAST_YEAR = (day.year for day in DATE_RANGE)    # the agreements' years
LevelsOption = Annotated[Path | None, typer.Option("--levels", help="CSV city, level: the level billed in the period before.")]


def _levels(path: Path | None) -> dict[str, str] | None:
    from pricing.fileio.csvfile import read_records

    if path is None:
        return None
    return {values["city"]: values["level"] for _, values in read_records(path, ("city", "level"))}


def _emit(rows: list[dict], columns: list[str], format: Format | None, output: Path | None,
          title: str, inputs: dict[str, Path | None]) -> None:
    """A table, CSV or JSON on stdout; with -o, the file's format by its extension."""
    fmt = chosen_format(output, format, ("csv", "json"))
    refuse_overwriting({"-o": output}, inputs)
    values = [[", ".join(r[c]) if isinstance(r[c], list) else r[c] for c in columns] for r in rows]
    if fmt == "json":
        emit_json(rows, output)
    elif fmt == "csv":
        emit_csv(columns, values, to=output)
    else:                                     # money as the tool prints it: 163,000.00
        from decimal import Decimal

        shown = [[Decimal(v) if c == "annual_price" and v is not None else v
                  for c, v in zip(columns, row)] for row in values]
        emit_table(columns, shown, title=title, right=("annual_price",))


@handles_errors
def relevel(
    reports: Reports,
    period: Annotated[int, typer.Option("--period", parser=params.count_from(FIRST_YEAR, LAST_YEAR), metavar="YEAR", help="The annual period starting in this year (on the annual_periods table's start day).")],
    levels: LevelsOption = None,
    output: OutputOption = None,
    format: FormatOption = None,
    tables: TablesOption = None,
) -> None:
    """Each city's level for an annual period, from its level before and the re-leveling rule.

    A city's level is re-evaluated from its counts only when at least the annual_periods
    table's relevel_min_changed components changed during the period before; otherwise it
    carries over.

    Example: pricing relevel examples/reports.csv --period 2000
    """
    from pricing.rules.periods import annual_period
    from pricing.reports.levels import levels_for_period, meeting_date, meeting_days
    from pricing.reports.load import load_reports

    table_set = load(tables)
    rows = [l.as_dict() for l in levels_for_period(load_reports(reports), period, table_set,
                                                   _levels(levels))]
    _emit(rows, ["city", "previous_level", "level", "annual_price", "changed", "reason"], format,
          output, f"Levels for the annual period starting {annual_period(table_set, period).start}",
          {"REPORTS": reports, "--levels": levels})
    if format is not Format.json:
        meeting = meeting_date(table_set, period)
        typer.echo(f"{len(rows)} cities; " + (
            f"the parties meet on {meeting} ({meeting_days(table_set, period)} days before the "
            f"preceding period ends)"
            if meeting else "the first annual period bills every city at its first-period "
                            "level; no period precedes it, so there is no meeting"), err=True)


@handles_errors
def capacity(
    reports: Reports,
    as_of: Annotated[dt.date, date_option("The date the capacity is measured at.")],
    levels: LevelsOption = None,
    output: OutputOption = None,
    format: FormatOption = None,
    tables: TablesOption = None,
) -> None:
    """Cities at or over the capacity of their billed level, and the month each will outgrow it.

    Example: pricing capacity examples/reports.csv --as-of 2001-06-30
    """
    from pricing.reports.capacity import capacity as find
    from pricing.reports.load import load_reports

    rows = [r.as_dict() for r in find(load_reports(reports), parse_date(as_of), load(tables),
                                      _levels(levels))]
    _emit(rows, ["city", "billed_level", "counts_level", "status", "at_limit", "forecast_month",
                 "forecast_component", "last_report"], format, output,
          f"Capacity as of {parse_date(as_of)}", {"REPORTS": reports, "--levels": levels})


@handles_errors
def start_level(
    similar: Annotated[Path, typer.Option("--similar", help="Monthly reports of existing cities.")],
    city_size: Annotated[int, typer.Option("--city-size", parser=params.count, metavar="N", help="The new city's size.")],
    measure: Annotated[str, typer.Option("--measure", metavar="COMPONENT", help="Component that measures size.")] = "gateway_elements",
    at_month: Annotated[int, typer.Option("--at-month", parser=params.count_from(1, 12 * (LAST_YEAR - FIRST_YEAR + 1)), metavar="N", help="Month of reports the size is read at.")] = 12,
    tolerance: Annotated[int, typer.Option("--tolerance", parser=params.count, metavar="N", help="Sizes within this are similar.")] = 5,
    as_of: Annotated[dt.date | None, date_option("The date whose tables price the level (default: 2000-10-01).")] = None,
    format: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table,
    tables: TablesOption = None,
) -> None:
    """The recommended starting level for a new city, and the cities that decided it.

    Example: pricing start-level --similar examples/reports.csv --city-size 20
    """
    from pricing.reports.load import load_reports
    from pricing.reports.start_level import start_level as recommend

    date = parse_date(as_of) if as_of else dt.date(2000, 10, 1)
    result = recommend(load_reports(similar), city_size, load(tables), date, measure, at_month,
                       tolerance)
    if format is Format.json:
        emit_json(result.as_dict())
        return
    typer.echo(f"start at {result.level}: {result.reason}")
    for s in result.similar:
        typer.echo(f"  {s.city}: size {s.size}, "
                   + (f"reached capacity {s.reached[0]:04d}-{s.reached[1]:02d}" if s.reached
                      else "did not reach capacity in its first twelve months"))
