"""`pricing compare OLD NEW`: two quotes for a city, element by element (GA Exhibit C)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pricing.cli.common import (ReportFormat, chosen_format, emit_csv, emit_json, emit_table,
                                handles_errors, refuse_overwriting)
from pricing.values import parse_decimal, shown


@handles_errors
def compare(
    old: Annotated[Path, typer.Argument(metavar="OLD", help="CSV: element, amount, kind.")],
    new: Annotated[Path, typer.Argument(metavar="NEW", help="CSV: element, amount, kind.")],
    shipping_rate: Annotated[str, typer.Option("--shipping-rate", metavar="RATE", help="Shipping rate on element and fee lines (Exhibit C states 5%).")] = "0.05",
    format: Annotated[ReportFormat | None, typer.Option("--format", help="table, csv or json on stdout; with -o, the file's format (default: its extension).")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write to this file: .csv, .json or .xlsx.")] = None,
) -> None:
    """Compare two quotes element by element and reconcile their stated totals.

    Each element's old and new price and reduction, shipping, subtotal, machine, grand total;
    then every stated figure that does not follow from its own lines (exit 1).

    Example: pricing compare examples/exhibit_c_old.csv examples/exhibit_c_new.csv
    """
    from pricing.analysis.compare import compare_quotes, read_quote

    fmt = chosen_format(output, format, ("csv", "json", "xlsx"))
    refuse_overwriting({"-o": output}, {"OLD": old, "NEW": new})
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
    if fmt == "json":
        emit_json(result.as_dict(), output)
    elif fmt == "csv":
        emit_csv(columns, rows, computed=("reduction",), to=output)   # "-8.85%" is ours
    elif fmt == "xlsx":
        _write_xlsx(output, result, f"{old.name} against {new.name}")
    else:
        emit_table(columns, rows, title=f"{old.name} against {new.name}",
                   right=("old", "new", "reduction"))
    if output is not None:
        typer.echo(f"wrote {output}", err=True)
    for discrepancy in result.discrepancies:
        typer.echo(f"does not reconcile: {discrepancy}", err=True)
    if result.discrepancies:
        raise typer.Exit(1)


def _write_xlsx(path: Path, result, title: str) -> None:
    """Comparison: each line's old and new amount and the reduction, a formula stored with its
    value. Reconciliation: every stated figure that does not follow from its own lines. Both
    sheets print one page wide with the header repeated (pricing.fileio.workbook_style); no totals row,
    as the quotes' own subtotal and grand total are lines of the comparison."""
    import xlsxwriter

    from pricing.fileio.writes import replaced_atomically
    from pricing.fileio.workbook_style import Column, Styles, print_setup, widths_of, write_table

    amounts = [v for r in result.rows for v in (r.old, r.new) if v is not None]
    whole = all(v == v.to_integral_value() for v in amounts)    # the exhibit's whole dollars
    with replaced_atomically(path) as temp:
        book = xlsxwriter.Workbook(str(temp))
        styles = Styles(book)
        sheet = book.add_worksheet("Comparison")
        kind = "integer" if whole else "money"
        columns = [Column("Line"), Column("Old", kind), Column("New", kind),
                   Column("Reduction", "percent")]
        rows = [[r.line, *(int(v) if whole and v is not None else v for v in (r.old, r.new)),
                 None if r.reduction is None else r.reduction / 100] for r in result.rows]
        write_table(sheet, styles, 0, columns, rows, totals_label=None)
        for i, row in enumerate(result.rows, start=1):     # the reduction as its formula
            if row.reduction is not None:
                sheet.write_formula(i, 3, f"=ROUND((C{i + 1}-B{i + 1})/B{i + 1},4)",
                                    styles.percent, row.reduction / 100)
        sheet.freeze_panes(1, 0)
        print_setup(sheet, f"Comparison: {title}", sum(widths_of(columns, rows)), header_row=0)

        notes = book.add_worksheet("Reconciliation")
        columns = [Column("Quote"), Column("Figure"), Column("Stated", "money"),
                   Column("Computed", "money"), Column("Difference", "money"),
                   Column("Note", "wrap", indent=True)]
        rows = [[d.quote, d.figure, d.stated, d.computed, d.difference, d.note.strip("; ")]
                for d in result.discrepancies]
        write_table(notes, styles, 0, columns, rows, totals_label=None)
        notes.freeze_panes(1, 0)
        print_setup(notes, f"Reconciliation: {title}", sum(widths_of(columns, rows)),
                    header_row=0)
        book.close()
