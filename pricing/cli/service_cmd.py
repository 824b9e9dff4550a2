"""`pricing level` and `pricing quote`: one city's service level and its itemized quote."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from pricing.cli import params
from pricing.cli.common import (Format, TablesOption, emit_csv, emit_json, emit_table,
                                FORMAT_HELP, date_option, handles_errors, load, parse_date)

AsOf = Annotated[dt.date | None, date_option("The date whose tables price it (default: today).")]


@handles_errors
def level(
    gateway_elements: Annotated[int, typer.Option("--gateway-elements", parser=params.count, metavar="N", help="Gateway elements.")],
    slc: Annotated[int, typer.Option("--slc", parser=params.count, metavar="N", help="Subscriber loop carriers.")],
    five_ess: Annotated[int, typer.Option("--five-ess", parser=params.count, metavar="N", help="5ESS/VCDX switches.")] = 1,
    sm: Annotated[int, typer.Option("--sm", parser=params.count, metavar="N", help="Switching modules.")] = 1,
    dacs_ii: Annotated[int, typer.Option("--dacs-ii", parser=params.count, metavar="N", help="DACS II systems.")] = 1,
    dacs_iv: Annotated[int, typer.Option("--dacs-iv", parser=params.count, metavar="N", help="DACS IV systems.")] = 1,
    as_of: AsOf = None,
    tables: TablesOption = None,
    format: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table,
) -> None:
    """The service level a city's component counts give, its annual price, and why.

    In the first annual period, also the level it is billed at there (the annual_periods
    table's first_period_level).

    Example: pricing level --gateway-elements 20 --slc 10 --as-of 2000-10-01
    """
    from pricing.rules.agreements import check_in_term
    from pricing.rules.components import Counts
    from pricing.rules.service_level import level_fixed_on, pick_level

    table_set = load(tables)
    date = params.as_of_in_term(as_of, table_set)
    check_in_term(table_set, "PSA", date)
    counts = Counts(gateway_elements, five_ess, slc, sm, dacs_ii, dacs_iv)
    choice = pick_level(counts, table_set, date)
    fixed = level_fixed_on(counts, table_set, date)
    billed, billed_reason = fixed if fixed else (None, None)
    data = {"level": choice.level, "annual_price": choice.annual_price, "as_of": date,
            "source": str(choice.source), "counts": counts.as_dict(), "reason": choice.reason,
            "decided_by": [{"level": e.level, "component": e.component, "count": e.count,
                            "limit": e.limit} for e in choice.decided_by],
            "billed_level": billed.level if billed else None,
            "billed_annual_price": billed.annual_price if billed else None,
            "billed_reason": billed_reason}
    columns = ("level", "annual_price", "as_of", "reason", "source", "billed_level",
               "billed_annual_price", "billed_reason")
    if format is Format.json:
        emit_json(data)
    elif format is Format.csv:
        emit_csv(list(columns), [[data[k] for k in columns]])
    else:
        typer.echo(f"{choice.level}: {choice.annual_price:,} a year (as of {date})")
        typer.echo(f"why: {choice.reason}")
        typer.echo(f"source: {choice.source}")
        if billed:
            typer.echo(f"billed at {billed.level}: {billed.annual_price:,} a year; "
                       f"{billed_reason}")


def read_json(path: Path) -> object:
    """A JSON file with decimals kept exact; a bad file (not a regular file, not UTF-8, too
    large, too deep, NaN, an exponent) is an error naming it (see pricing.fileio.jsonfile)."""
    from pricing.fileio.jsonfile import read_json as read

    return read(path)


@handles_errors
def quote(
    city_file: Annotated[Path, typer.Argument(metavar="CITY.json",
                                              help="The city to price (see README).")],
    as_of: AsOf = None,
    tables: TablesOption = None,
    format: Annotated[Format, typer.Option("--format", help=FORMAT_HELP)] = Format.table,
) -> None:
    """An itemized quote for one city and one annual period, each line with its source.

    Example: pricing quote examples/huntsville.json --format json
    """
    from pricing.quote import parse_city_request, price_city

    request = parse_city_request(read_json(city_file), str(city_file))
    table_set = load(tables)
    result = price_city(request, table_set, parse_date(as_of) if as_of else None)
    if format is Format.json:
        emit_json(result.as_dict())
        return
    columns = ["description", "quantity", "unit_price", "amount", "source"]
    rows = [[line.description, line.quantity, line.unit_price, line.amount, str(line.source)]
            for line in result.lines]
    if format is Format.csv:
        emit_csv(columns, rows + [["Total", "", "", result.total, ""]])
        return
    emit_table(columns, rows + [["Total", "", "", result.total, ""]],
               title=f"{result.city}, annual period {result.period.start} to {result.period.end}: "
                     f"{result.level.level} ({result.level_reason})",
               right=("quantity", "unit_price", "amount"))
