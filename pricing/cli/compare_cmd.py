"""`pricing compare OLD NEW`: two quotes for a city, element by element (GA Exhibit C)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pricing.cli.common import emit_csv, emit_json, emit_table, handles_errors
from pricing.values import parse_decimal, shown

FORMATS = ("table", "csv", "json", "xlsx")


@handles_errors
def compare(
    old: Annotated[Path, typer.Argument(metavar="OLD", help="CSV: element, amount, kind.")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="CSV: element, amount, kind.")],
    shipping_rate: Annotated[str, typer.Option("--shipping-rate", help="Shipping rate on element and fee lines (Exhibit C states 5%).")] = "0.05",
    format: Annotated[str, typer.Option("--format", help="table, csv, json or xlsx.")] = "table",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="File for --format xlsx.")] = None,
) -> None:
    """Compare two quotes element by element and reconcile their stated totals.

    Each element's old and new price and reduction, shipping, subtotal, machine, grand total;
    then every stated figure that does not follow from its own lines (exit 1).

    Example: pricing compare examples/exhibit_c_old.csv examples/exhibit_c_new.csv
    """
    from pricing.compare import compare_quotes, read_quote

    if format not in FORMATS:
        raise typer.BadParameter(f"expected one of {', '.join(FORMATS)}", param_hint="--format")
    if format == "xlsx" and output is None:
        raise typer.BadParameter("--format xlsx writes a workbook: give -o FILE.xlsx", param_hint="-o")
    try:
        rate = parse_decimal(shipping_rate)
    except ValueError as error:
        raise typer.BadParameter(f"{error} (a rate like 0.05)", param_hint="--shipping-rate") from None
    if not 0 <= rate <= 1:
        raise typer.BadParameter(f"expected a rate from 0 to 1 such as 0.05, got {shown(shipping_rate)}",
                                 param_hint="--shipping-rate")
    result = compare_quotes(read_quote(old), read_quote(new), shipping_rate=rate)
    columns = ["line", "old", "new", "reduction"]
    rows = [[r.line, r.old, r.new, "" if r.reduction is None else f"{r.reduction}%"]
            for r in result.rows]
    if format == "json":
        emit_json(result.as_dict())
    elif format == "csv":
        emit_csv(columns, rows, computed=("reduction",))   # "-8.85%" is ours
    elif format == "xlsx":
        _write_xlsx(output, columns, result)
        typer.echo(f"wrote {output}", err=True)
    else:
        emit_table(columns, rows, title=f"{old.name} against {new.name}",
                   right=("old", "new", "reduction"))
    for discrepancy in result.discrepancies:
        typer.echo(f"does not reconcile: {discrepancy}", err=True)
    if result.discrepancies:
        raise typer.Exit(1)


def _write_xlsx(path: Path, columns: list[str], result) -> None:
    import xlsxwriter

    from pricing.files import replaced_atomically

    with replaced_atomically(path) as temp:
        book = xlsxwriter.Workbook(str(temp))
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0"})
        pct = book.add_format({"num_format": "0.00%"})
        sheet = book.add_worksheet("Comparison")
        sheet.set_column(0, 0, 24)
        sheet.set_column(1, 3, 14)
        sheet.write_row(0, 0, ["Line", "Old", "New", "Reduction"], bold)
        sheet.freeze_panes(1, 0)
        for i, row in enumerate(result.rows, start=1):
            sheet.write_string(i, 0, row.line)
            for col, value in ((1, row.old), (2, row.new)):
                if value is not None:
                    sheet.write_number(i, col, value, money)
            if row.reduction is not None:
                sheet.write_formula(i, 3, f"=ROUND((C{i + 1}-B{i + 1})/B{i + 1},4)", pct,
                                    row.reduction / 100)
        notes = book.add_worksheet("Reconciliation")
        notes.set_column(0, 5, 18)
        notes.write_row(0, 0, ["Quote", "Figure", "Stated", "Computed", "Difference", "Note"], bold)
        for i, d in enumerate(result.discrepancies, start=1):
            notes.write_row(i, 0, [d.quote, d.figure])
            notes.write_number(i, 2, d.stated, money)
            notes.write_number(i, 3, d.computed)
            notes.write_number(i, 4, d.difference)
            notes.write_string(i, 5, d.note.strip("; "))
        book.close()
