"""`pricing equipment`, `pricing training`, `pricing check-7re`, `pricing warranty`: equipment
under the GA."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from pricing.cli import params
from pricing.cli.common import (Format, TablesOption, emit_csv, emit_json, emit_table, fail,
                                FORMAT_HELP, chosen_format, date_option, handles_errors, load, parse_date,
                                refuse_overwriting)
from pricing.errors import PricingError

FormatOption = Annotated[Format, typer.Option("--format", help=FORMAT_HELP)]


@handles_errors
def equipment(
    order: Annotated[Path, typer.Argument(metavar="ORDER.csv", help="Equipment lines to price.")],
    format: Annotated[Format | None, typer.Option("--format", help=FORMAT_HELP + " With -o, the file's format (default: its extension).")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file: .csv or .json.")] = None,
    tables: TablesOption = None,
) -> None:
    """Price an equipment order line by line, with discount, warranty end and source.

    Each line shows its list amount, the discount in force on the order date, its net amount,
    warranty end and source; lines that cannot be priced are listed with their reasons. Exit 1 when any line was rejected. Example: pricing equipment examples/order.csv --format json
    """
    from pricing.equipment.price import read_order_csv

    fmt = chosen_format(output, format, ("csv", "json"))
    refuse_overwriting({"-o": output}, {"ORDER": order})
    result = read_order_csv(order, load(tables))
    columns = ["row", "product", "kind", "quantity", "list_amount", "discount", "net_amount",
               "warranty_end", "source"]
    rows = [[p.line.row, p.discount.product, p.line.kind, p.line.quantity, p.list_amount,
             f"{p.discount.pct}%", p.net_amount, p.warranty.end, str(p.discount.source)]
            for p in result.lines]
    totals = ["", "Total", "", "", result.total_list, "", result.total_net, "", ""]
    if fmt == "json":
        emit_json(result.as_dict(), output)
    elif fmt == "csv":
        emit_csv(columns, rows + [totals], to=output)
    else:
        emit_table(columns, rows + [totals], title=f"Equipment order {order}",
                   right=("quantity", "list_amount", "discount", "net_amount"))
    if result.rejects:
        for row, reason in result.rejects:
            typer.echo(f"  row {row}: {reason}", err=True)
        fail(f"{len(result.rejects)} line(s) rejected, {len(result.lines)} priced")


@handles_errors
def training(
    purchases: Annotated[Path, typer.Argument(metavar="PURCHASES.csv", help="product, amount, ship_date")],
    format: FormatOption = Format.table,
    tables: TablesOption = None,
) -> None:
    """Tuition-free training seats earned per product pool, with their use-by dates.

    Purchases that earn no seat (shipped before the incentive, a product in no pool) are listed;
    the exit code is 1 when a row could not be read at all.

    Example: pricing training examples/purchases.csv --format json
    """
    from pricing.equipment.training import read_purchases, training_seats

    items, bad = read_purchases(purchases)
    pools, not_counted = training_seats(items, load(tables))
    not_counted = sorted(not_counted + bad)
    if format is Format.json:
        emit_json({"pools": [p.as_dict() for p in pools],
                   "not_counted": [{"row": r, "reason": why} for r, why in not_counted],
                   "rejected": len(bad)})
    else:
        rows = [[p.pool, "; ".join(p.products), p.purchases, p.seats,
                 ", ".join(f"{a.seats} by {a.use_by}" for a in p.awards)] for p in pools]
        columns = ["pool", "products", "purchases", "seats", "use by"]
        if format is Format.csv:
            emit_csv(columns, rows)
        else:
            emit_table(columns, rows, title="Training incentive", right=("purchases", "seats"))
        for row, why in not_counted:
            typer.echo(f"  row {row} not counted: {why}", err=True)
    if bad:
        fail(f"{len(bad):,} row(s) of {purchases} rejected (not readable as purchases)")


@handles_errors
def check_7re(
    quote: Annotated[Path, typer.Argument(metavar="QUOTE.json", help="A 7R/E quote (see README).")],
    as_of: Annotated[dt.date | None, date_option("The date whose tables check it (default: the quote's date, else today).")] = None,
    format: FormatOption = Format.table,
    tables: TablesOption = None,
) -> None:
    """Check a 7R/E Packet Solution quote: composition, the saving promise, warranty ends.

    The composition rule (packet_solution_components) and the minimum saving promised
    (packet_solution_commitment); each component's warranty end (warranties).

    A component's optional "part" is "hardware" (the default) or "software". Exit 1 when it is
    not a Packet Solution or misses the promise.
    Example: pricing check-7re examples/seven_re_quote.json
    """
    from pricing.cli.service_cmd import read_json
    from pricing.equipment.packet_solution import check_packet_solution

    data = read_json(quote)
    if not isinstance(data, dict):
        raise PricingError(f"{quote}: expected a JSON object")
    if as_of is not None or data.get("date") is None:
        date = parse_date(as_of, "--as-of")
    else:                                   # the quote's own date: a bad one is the file's
        from pricing.values import parse_date as quote_date

        try:
            date = quote_date(data["date"])
        except ValueError as error:
            raise PricingError(f"{quote}: date: {error}") from None
    result = check_packet_solution(data, load(tables), date)
    columns = ["#", "component", "part", "installed_on", "warranty_months", "warranty_end",
               "reason"]
    rows = [[w.index, w.component, w.part, w.installed_on,
             w.months if w.months is not None else (f"{w.days} days" if w.days else None),
             w.end, w.reason] for w in result.warranties]
    if format is Format.json:
        emit_json(result.as_dict())
    elif format is Format.csv:
        emit_csv(columns, rows, computed=("warranty_months",))
        typer.echo(result.verdict, err=True)
    else:
        typer.echo(f"7R/E quote {quote} as of {date}:")
        for name, units in result.components.items():
            typer.echo(f"  {name}: {units} unit(s)")
        on = f" ({result.installed_on})" if result.installed_on else ""
        typer.echo(f"  installed at one time: {'yes' + on if result.installed_together else 'no'}")
        typer.echo(f"  price {result.price:,} against the {result.compared_with} "
                   f"{result.comparable_tdm:,}")
        cited = next((str(w.source) for w in result.warranties if w.source), None)
        emit_table(columns, rows, title="Warranties" + (f" ({cited})" if cited else ""),
                   right=("#", "warranty_months"))
        typer.echo(result.verdict)
    if not (result.is_packet_solution and result.meets_promise):
        raise typer.Exit(1)


class Part(str, Enum):
    hardware = "hardware"
    software = "software"


@handles_errors
def warranty(
    product: Annotated[str, typer.Argument(metavar="PRODUCT", parser=params.word, help="The product, by any of its contract names (current, former, without the row's notes).")],
    as_of: Annotated[dt.date | None, date_option("The date whose tables answer (default: today).")] = None,
    shipped: Annotated[dt.date | None, date_option("Ship date (7R/E components: installation date): adds the last covered day, from the tables in force on it.", "--shipped")] = None,
    part: Annotated[Part | None, typer.Option("--part", help="Only this part (default: hardware and software).")] = None,
    format: FormatOption = Format.table,
    tables: TablesOption = None,
) -> None:
    """A product's warranty periods: hardware and software, with their basis and citation.

    The product's own period wins over its schedule's default; 7R/E components give both
    7R/E software periods (with a new Packet Solution installation, and any other). Exit 1 when the name is unknown or ambiguous (the candidates are
    listed) or when the filed texts give a part no period.

    Example: pricing warranty "7 R/E Connection Gateway" --shipped 2000-03-15
    """
    from pricing.equipment.warranty import product_warranty

    date = parse_date(as_of, "--as-of")
    result = product_warranty(load(tables), product, date, part.value if part else None, shipped)
    columns = ["part", "condition", "period", "warranty_end", "basis", "section"]
    rows = [[p.part, p.condition, p.period, p.end, p.basis, p.section or p.note]
            for p in result.periods]
    if format is Format.json:
        emit_json(result.as_dict())
    elif format is Format.csv:
        emit_csv(columns, rows)
    else:
        typer.echo(f"{result.product}" + (f" (asked as {product!r}: its {result.how})"
                                          if result.how != "contract name" else ""))
        emit_table(columns, rows, title=f"Warranty ({result.source})")
    if result.unknown:
        fail(f"{result.product}: the filed texts give no warranty period for its "
             f"{' and '.join(result.unknown)} (the base GA Warranty clause is not filed)")
