"""`pricing tables ...`: look at the contract tables and check a tables directory."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from pricing.cli.common import (Format, TablesOption, emit_csv, emit_json, emit_table,
                                FORMAT_HELP, date_option, handles_errors, load, parse_date)

app = typer.Typer(help="Look at and check the versioned contract tables.", no_args_is_help=True)

AsOf = Annotated[dt.date | None, date_option("The date whose versions are in force (default: today).")]


@app.command("list")
@handles_errors
def list_tables(as_of: AsOf = None, tables: TablesOption = None,
                format: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table) -> None:
    """Every table, its versions, the one in force on the date, rows, source and hash check.

    Example: pricing tables list --as-of 2001-05-01
    """
    from pricing.tables import check_tables

    date = parse_date(as_of)
    table_set, problems = check_tables(tables)
    if table_set is None:
        from pricing.errors import ProblemsError

        raise ProblemsError(problems, "the tables directory cannot be read")
    rows = []
    for entry in table_set.entries:
        later = [e for e in table_set.entries if e.table == entry.table
                 and entry.effective_from < e.effective_from <= date]
        in_force = entry.effective_from <= date and not later
        rows.append({"table": entry.table, "effective_from": entry.effective_from,
                     "in_force": in_force, "rows": entry.row_count, "check": entry.status,
                     "source": entry.source})
    if format is Format.json:
        emit_json({"as_of": date, "tables_dir": str(table_set.directory),
                   "manifest_sha256": table_set.manifest_sha256, "versions": rows})
    else:
        columns = ["table", "effective_from", "in_force", "rows", "check", "source"]
        values = [[r[c] if c != "in_force" else ("yes" if r[c] else "") for c in columns]
                  for r in rows]
        if format is Format.csv:
            emit_csv(columns, values)
        else:
            emit_table(columns, values, title=f"Tables in {table_set.directory} as of {date}")
    if problems:
        raise typer.Exit(1)


@app.command("show")
@handles_errors
def show_table(table: Annotated[str, typer.Argument(help="Table name, e.g. service_levels.")],
               as_of: AsOf = None, tables: TablesOption = None,
               format: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table) -> None:
    """The rows of one table in force on the date.

    Example: pricing tables show service_levels --format csv
    """
    from pricing.tables.schema import SCHEMAS

    date = parse_date(as_of)
    table_set = load(tables)
    if table not in SCHEMAS:
        raise typer.BadParameter(f"unknown table {table!r}; tables: {', '.join(SCHEMAS)}",
                                 param_hint="TABLE")
    version = table_set.version(table, date)
    columns = list(SCHEMAS[table].column_names)
    if format is Format.json:
        emit_json({"table": table, "as_of": date, "effective_from": version.effective_from,
                   "source": version.source, "sha256": version.sha256,
                   "rows": [r._asdict() for r in version.rows]})
    elif format is Format.csv:
        emit_csv(columns, version.rows)
    else:
        emit_table(columns, version.rows,
                   title=f"{table}, version {version.effective_from} ({version.source})")


@app.command("validate")
@handles_errors
def validate(tables: TablesOption = None) -> None:
    """Check a tables directory and report every problem with file, row and column.

    Exit 0 only when clean. Example: pricing tables validate --tables ./my-tables
    """
    from pricing.tables import check_tables, resolve_tables_dir

    table_set, problems = check_tables(tables)
    directory = resolve_tables_dir(tables)
    if problems:
        typer.echo(f"{directory}: {len(problems)} problem(s)", err=True)
        for problem in problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(1)
    versions = len(table_set.entries) if table_set else 0
    typer.echo(f"{directory}: ok, {versions} table versions verified")
