"""`pricing invoice run|list|show|explain`: the billing analyst's monthly job.

The CLI is the one place in `pricing` that imports `invoices` (the application edge).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pricing.cli.common import (Format, TablesOption, emit_csv, emit_json, emit_table,
                                handles_errors, load, parse_date)

app = typer.Typer(help="Monthly invoices, the ledger, and re-pricing an issued invoice.",
                  no_args_is_help=True)

LedgerOption = Annotated[
    Path | None,
    typer.Option("--ledger", envvar="PRICING_LEDGER", show_envvar=True,
                 help="Ledger file (default: ledger.sqlite3 in the working directory)."),
]
FormatOption = Annotated[Format, typer.Option("--format")]


def _ledger(path: Path | None):
    from invoices.ledger import Ledger

    return Ledger(path)


@app.command("run")
@handles_errors
def run(
    month: Annotated[str, typer.Option("--month", help="The month billed, YYYY-MM.")],
    cities: Annotated[Path, typer.Option("--cities", help="CSV: city, bill_to, the six counts [, level].")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the invoice workbooks.")],
    hours: Annotated[Path | None, typer.Option("--hours", help="CSV: city, month, hours.")] = None,
    events: Annotated[Path | None, typer.Option("--events", help="CSV: city, date, kind, quantity.")] = None,
    invoice_date: Annotated[str | None, typer.Option("--invoice-date", help="Default: the month's last day.")] = None,
    ledger: LedgerOption = None,
    tables: TablesOption = None,
) -> None:
    """Issue one invoice per bill-to entity for the month, write each as a workbook, and record
    them in the ledger. Running a month again issues nothing new.

    Example: pricing invoice run --month 2001-04 --cities examples/invoice_cities.csv --out invoices/
    """
    from invoices.run import run_month

    date = parse_date(invoice_date, "--invoice-date") if invoice_date else None
    with _ledger(ledger) as book:
        result = run_month(month, cities, out, load(tables), book, hours, events, date)
    for invoice in result.repaired:
        typer.echo(f"wrote the missing workbook of invoice {invoice.label} ({invoice.file})", err=True)
    for invoice in result.issued:
        typer.echo(f"issued {invoice.label}  {invoice.bill_to}  {invoice.total:>16,}  "
                   f"due {invoice.due_date} ({invoice.terms})  {invoice.file}")
    for invoice in result.existing:
        typer.echo(f"already issued {invoice.label}  {invoice.bill_to}  {invoice.month}  "
                   f"{invoice.total:,}  (nothing new)")
    typer.echo(f"{len(result.issued)} invoice(s) issued for {month}, "
               f"{len(result.existing)} already issued", err=True)


@app.command("list")
@handles_errors
def list_invoices(
    month: Annotated[str | None, typer.Option("--month")] = None,
    bill_to: Annotated[str | None, typer.Option("--bill-to")] = None,
    format: FormatOption = Format.table,
    ledger: LedgerOption = None,
) -> None:
    """The ledger's invoices, optionally for one month or one bill-to."""
    with _ledger(ledger) as book:
        invoices = [book.get(n) for n in book.numbers(month, bill_to)]
    if format is Format.json:
        emit_json([i.summary() for i in invoices])
        return
    columns = ["number", "bill_to", "month", "invoice_date", "due_date", "terms", "total", "file"]
    rows = [[i.label if c == "number" else i.summary()[c] for c in columns] for i in invoices]
    (emit_csv if format is Format.csv else emit_table)(columns, rows)


@app.command("show")
@handles_errors
def show(number: Annotated[int, typer.Argument(help="Invoice number.")],
         format: FormatOption = Format.table, ledger: LedgerOption = None) -> None:
    """One invoice with its lines."""
    with _ledger(ledger) as book:
        invoice = book.get(number)
    if format is Format.json:
        emit_json(invoice.as_dict())
        return
    columns = ["city", "description", "quantity", "unit_price", "amount", "source"]
    rows = [[getattr(line, c) for c in columns] for line in invoice.lines]
    rows.append(["", "Total", "", "", invoice.total, ""])
    if format is Format.csv:
        emit_csv(columns, rows)
    else:
        emit_table(columns, rows, title=f"Invoice {invoice.label} to {invoice.bill_to}, "
                   f"{invoice.month}: dated {invoice.invoice_date}, due {invoice.due_date} "
                   f"({invoice.terms})", right=("quantity", "unit_price", "amount"))


@app.command("explain")
@handles_errors
def explain_invoice(number: Annotated[int, typer.Argument(help="Invoice number.")],
                    ledger: LedgerOption = None, tables: TablesOption = None) -> None:
    """Re-price an invoice from the inputs it records and confirm every line, or show the
    differences (exit 1)."""
    from invoices.explain import explain

    with _ledger(ledger) as book:
        invoice = book.get(number)
    table_set = load(tables)
    result = explain(invoice, table_set)
    if not result.same_tables:
        typer.echo(f"note: invoice {invoice.label} was priced with tables {invoice.tables_sha256[:12]}; "
                   f"{table_set.directory} has {table_set.manifest_sha256[:12]}", err=True)
    if result.matches:
        typer.echo(f"invoice {invoice.label}: all {len(invoice.lines)} lines match the tables "
                   f"(total {invoice.total:,})")
        return
    for position, old, new in result.differences:
        typer.echo(f"line {position}:")
        typer.echo(f"  recorded:  {old.city + ': ' + old.description + ' = ' + str(old.amount) if old else '(none)'}")
        typer.echo(f"  re-priced: {new.city + ': ' + new.description + ' = ' + str(new.amount) if new else '(none)'}")
    raise typer.Exit(1)
