"""`pricing impact` and `pricing review`: what a renegotiated contract costs, and the annual
service level review."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from pricing.cli.common import (ReportFormat, TablesOption, chosen_format, date_option, emit_csv,
                                emit_json, emit_table, handles_errors, load, refuse_overwriting)

FormatOption = Annotated[ReportFormat | None, typer.Option(
    "--format", help="table, csv or json on stdout; with -o, the file's format (default: its "
                     "extension).")]


@handles_errors
def impact(
    cities: Annotated[Path, typer.Argument(metavar="CITIES", help="City list: .csv, .xlsx or .parquet.")],
    as_of: Annotated[dt.date, date_option("The date priced under both table sets.")],
    vs_tables: Annotated[Path, typer.Option("--vs-tables", help="The new tables directory to compare with --tables.")],
    tables: TablesOption = None,
    format: FormatOption = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file: .csv, .json or .xlsx (with a chart).")] = None,
) -> None:
    """What new tables cost: every city priced under both sets, by level and overall.

    Level, annual price, hours, integration and total, old and new and the difference; totals
    by level (the level under --tables) and overall.

    Example: pricing impact examples/cities.csv --as-of 2002-10-01 --vs-tables ./new-tables
    """
    from pricing.impact import impact as compare

    fmt = chosen_format(output, format, ("csv", "json", "xlsx"))
    refuse_overwriting({"-o": output}, {"CITIES": cities})
    old, new = load(tables), load(vs_tables)
    result = compare(cities, as_of, old, new)
    title = f"Impact of {new.directory} against {old.directory}"
    if fmt == "json":
        emit_json(result.as_dict(), output)
    elif fmt == "xlsx":
        from pricing.impact_workbook import write_impact

        write_impact(output, result, title)
    else:
        columns = ["city", "level_old", "level_new", "annual_price_old", "annual_price_new",
                   "hours_charge_old", "hours_charge_new", "integration_charge_old",
                   "integration_charge_new", "total_old", "total_new", "delta"]
        rows = [[c.as_dict()[k] if k.startswith(("city", "level")) else
                 (c.delta if k == "delta" else (c.old if k.endswith("_old") else c.new)[k.rsplit("_", 1)[0]])
                 for k in columns] for c in result.cities]
        if fmt == "csv":
            emit_csv(columns, rows, to=output)
        else:
            levels = [[b.level, b.cities, b.total_old, b.total_new, b.delta] for b in result.by_level]
            levels.append(["all", len(result.cities), result.total_old, result.total_new,
                           result.total_delta])
            emit_table(["level", "cities", "total_old", "total_new", "delta"], levels,
                       title=f"{title}, as of {as_of}",
                       right=("cities", "total_old", "total_new", "delta"))
    if output is not None:
        typer.echo(f"wrote {output}", err=True)
    typer.echo(f"{len(result.cities):,} cities: {result.total_old:,} -> {result.total_new:,} "
               f"({result.total_delta:+,})", err=True)
