"""`pricing impact` and `pricing review`: what a renegotiated contract costs, and the annual
service level review."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from pricing.cli import params
from pricing.cli.common import (ReportFormat, TablesOption, chosen_format, date_option, emit_csv,
                                emit_json, emit_table, handles_errors, load, refuse_overwriting)

class ReviewFormat(str, Enum):
    table = "table"
    json = "json"
    xlsx = "xlsx"
    pdf = "pdf"


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
    from pricing.analysis.impact import impact as compare

    fmt = chosen_format(output, format, ("csv", "json", "xlsx"))
    refuse_overwriting({"-o": output}, {"CITIES": cities})
    old, new = load(tables), load(vs_tables)
    for directory in (old.directory, new.directory):
        if output is not None and output.resolve().is_relative_to(Path(directory).resolve()):
            raise typer.BadParameter(f"{output}: inside the tables directory {directory}; "
                                     f"write the impact elsewhere", param_hint="-o")
    result = compare(cities, as_of, old, new)
    title = f"Impact of {new.directory} against {old.directory}"
    if fmt == "json":
        emit_json(result.as_dict(), output)
    elif fmt == "xlsx":
        from pricing.analysis.impact_workbook import write_impact

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


REVIEW_COLUMNS = ["city", "changed", "previous_level", "level", "price_before", "price",
                  "hours_used", "forecast_blocks", "budget_before", "budget"]


@handles_errors
def review(
    reports: Annotated[Path, typer.Argument(metavar="REPORTS", help="Monthly component reports: city, month, the six counts.")],
    period: Annotated[int, typer.Option("--period", parser=params.count_from(1998, 2010), metavar="YEAR", help="The annual period starting in this year (on the annual_periods table's start day).")],
    hours: Annotated[Path | None, typer.Option("--hours", help="CSV city, month, hours: the hours of the previous period.")] = None,
    levels: Annotated[Path | None, typer.Option("--levels", help="CSV city, level: the level billed in the period before.")] = None,
    format: Annotated[ReviewFormat | None, typer.Option("--format", help="table or json on stdout; with -o, the file's format (default: its extension).")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the pack to this file: .xlsx, .pdf or .json.")] = None,
    tables: TablesOption = None,
) -> None:
    """The annual service level review pack: meeting date, levels, prices, hours, budget.

    For the annual period starting in --period: the meeting date (the annual_periods table's
    meeting_days_before_end before the preceding period ends), each city's counts at the start
    and end of the previous period, the components that changed, the level the re-leveling rule
    gives (as relevel), the price change, the hours used and the blocks they would buy again,
    and the period's budget against the previous one.

    Example: pricing review examples/reports.csv --period 2001 -o review.pdf
    """
    from pricing.reports.load import load_reports
    from pricing.analysis.review import review as build

    fmt = chosen_format(output, format, ("xlsx", "pdf", "json"), to_screen=("table", "json"))
    refuse_overwriting({"-o": output}, {"REPORTS": reports, "--hours": hours, "--levels": levels})
    if fmt == "pdf":
        from invoices.documents.pdf import check_renderer

        check_renderer()
    table_set = load(tables)
    from pricing.cli.reports_cmd import _levels

    pack = build(load_reports(reports), period, table_set, _hours(hours), _levels(levels))
    rows = [[c.city, ", ".join(c.changed), c.previous_level, c.level, c.price_before, c.price,
             c.hours_used, c.forecast_blocks, c.budget_before, c.budget] for c in pack.cities]
    totals = pack.totals
    title = (f"Service level review for the period {pack.start} to {pack.end}"
             + (f": meeting {pack.meeting_date}" if pack.meeting_date else ""))
    if fmt == "json":
        emit_json(pack.as_dict(), output)
    elif fmt == "xlsx":
        _review_xlsx(output, title, rows, totals)
    elif fmt == "pdf":
        _review_pdf(output, title, pack)
    else:
        emit_table(REVIEW_COLUMNS, rows + [["Total", "", "", "", totals["price_before"],
                                            totals["price"], "", "", totals["budget_before"],
                                            totals["budget"]]],
                   title=title, right=REVIEW_COLUMNS[4:])
    if output is not None:
        typer.echo(f"wrote {output}", err=True)
    typer.echo(f"{len(pack.cities)} cities; budget {totals['budget']:,} against "
               f"{totals['budget_before']:,} ({totals['budget_change']:+,})", err=True)


def _hours(path: Path | None) -> dict[str, dict[str, object]] | None:
    """city -> {month: hours} from a CSV of city, month, hours (every bad cell listed)."""
    if path is None:
        return None
    from pricing.fileio.csvfile import read_records
    from pricing.errors import Problem, ProblemsError
    from pricing.values import canonical_month, parse_hours

    found: dict[str, dict[str, object]] = {}
    problems = []
    for row, values in read_records(path, ("city", "month", "hours")):
        try:
            month = canonical_month(values["month"])
            amount = parse_hours(values["hours"])
        except ValueError as error:
            problems.append(Problem(str(path), row, None, str(error)))
            continue
        months = found.setdefault(values["city"], {})
        months[month] = months.get(month, 0) + amount
    if problems:
        raise ProblemsError(problems, f"{path}: {len(problems)} problem(s)")
    return found


def _review_xlsx(path: Path, title: str, rows, totals) -> None:
    import xlsxwriter

    from pricing.fileio.writes import replaced_atomically
    from pricing.fileio.workbook_style import Column, Styles, book_options, table_sheet

    columns = [Column("city"), Column("changed"), Column("previous_level"), Column("level"),
               Column("price_before", "money", total=True), Column("price", "money", total=True),
               Column("hours_used", "number", total=True),
               Column("forecast_blocks", "integer", total=True),
               Column("budget_before", "money", total=True), Column("budget", "money", total=True)]
    with replaced_atomically(path) as temp:
        book = xlsxwriter.Workbook(str(temp), book_options())
        table_sheet(book, Styles(book), "Review", title, columns, rows,
                    totals={k: v for k, v in totals.items() if k in
                            ("price_before", "price", "budget_before", "budget")})
        book.close()


def _review_pdf(path: Path, title: str, pack) -> None:
    """The review as a printed page: readable headers, each city's counts and the reason for
    its level (pricing.analysis.review_document)."""
    from invoices.documents.pdf import write_pdf
    from pricing.analysis.review_document import review_html

    write_pdf(review_html(pack, title), path)
