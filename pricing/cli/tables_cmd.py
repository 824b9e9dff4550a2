"""`pricing tables ...`: look at the contract tables and check a tables directory."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from pricing.cli import params
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
def show_table(table: Annotated[str, typer.Argument(metavar="TABLE", parser=params.word, help="Table name, e.g. service_levels.")],
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


@app.command("new-version")
@handles_errors
def new_version(
    table: Annotated[str, typer.Argument(metavar="TABLE", parser=params.word, help="Table name, e.g. service_levels.")],
    effective: Annotated[dt.date, date_option("The first day the new version is in force.", "--effective")],
    source: Annotated[str, typer.Option("--source", parser=params.text, help="The contract citation of the new version.")],
    from_csv: Annotated[Path | None, typer.Option("--from-csv", help="The new version's rows (default: a copy of the version in force on --effective, to edit).")] = None,
    tables: TablesOption = None,
) -> None:
    """Add a table version: TABLE/EFFECTIVE.csv, its hash and source in the manifest.

    The whole set is validated with the new version in it; if anything is wrong (a missing
    column, a negative price, a date already taken) nothing is written and every problem is
    listed.

    Example: pricing tables new-version service_levels --effective 2002-10-01 --from-csv new.csv --source "PSA Amendment 4 Appendix A" --tables ./tables
    """
    import os

    from pricing.tables.versions import new_version as add

    if tables is None and not os.environ.get("PRICING_TABLES"):
        raise typer.BadParameter("name the tables directory to add the version to (a copy of "
                                 "the bundled tables, say); the installed tables are not edited "
                                 "in place", param_hint="--tables")
    path = add(tables, table, effective, source, from_csv)
    typer.echo(f"wrote {path} and its manifest row; the tables validate"
               + ("" if from_csv else " (a copy of the version in force: edit it, then run "
                                     "tools/update_manifest.py)"))


@app.command("diff")
@handles_errors
def diff(
    table: Annotated[str, typer.Argument(metavar="TABLE", parser=params.word, help="Table name, e.g. service_levels.")],
    as_of: Annotated[dt.date, date_option("The date of the version to compare from.")],
    vs: Annotated[dt.date, date_option("The date of the version to compare with.", "--vs")],
    vs_tables: Annotated[Path | None, typer.Option("--vs-tables", help="Tables directory of the --vs version (default: --tables).")] = None,
    format: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table,
    tables: TablesOption = None,
) -> None:
    """What changed in a table: rows added, removed and changed, cell by cell.

    Example: pricing tables diff payment_terms --as-of 2001-04-15 --vs 2001-04-16
    """
    from pricing.tables.versions import diff_versions

    old_tables = load(tables)
    new_tables = load(vs_tables) if vs_tables is not None else old_tables
    found = diff_versions(table, old_tables, as_of, new_tables, vs)
    if format is Format.json:
        emit_json(found.as_dict())
        return
    columns = ["change", "key", "column", "old", "new"]
    rows = ([["added", _key(r, table), "", "", _row(r)] for r in found.added]
            + [["removed", _key(r, table), "", _row(r), ""] for r in found.removed]
            + [["changed", ", ".join(f"{k}={v}" for k, v in c.key.items()), c.column, c.old,
                c.new] for c in found.changed])
    if format is Format.csv:
        emit_csv(columns, rows)
        return
    typer.echo(f"old: {found.old.file} ({found.old.source})")
    typer.echo(f"new: {found.new.file} ({found.new.source})")
    if found.same:
        typer.echo("no difference")
    else:
        emit_table(columns, rows, right=("old", "new"))


def _key(row: dict, table: str) -> str:
    from pricing.tables.schema import SCHEMAS

    return ", ".join(f"{k}={row[k]}" for k in SCHEMAS[table].key)


def _row(row: dict) -> str:
    return "; ".join(f"{k}={'' if v is None else v}" for k, v in row.items())
