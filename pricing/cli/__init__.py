"""The `pricing` command: the application edge, the one place that prints.

Imports stay light here (typer only): each command imports the library, and pandas, when it
runs, so `pricing --help` answers at once.
"""

from __future__ import annotations

import typer

from pricing.cli import (ar_cmd, batch_cmd, compare_cmd, equipment_cmd, invoice_cmd,
                         ledger_cmd, reports_cmd, service_cmd, tables_cmd)

app = typer.Typer(
    name="pricing",
    help="Price and invoice the KMC Telecom / Lucent Technologies agreements.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(tables_cmd.app, name="tables")
app.add_typer(invoice_cmd.app, name="invoice")
app.add_typer(ar_cmd.app, name="ar")
app.add_typer(ledger_cmd.app, name="ledger")
app.command("level")(service_cmd.level)
app.command("quote")(service_cmd.quote)
app.command("batch")(batch_cmd.batch)
app.command("equipment")(equipment_cmd.equipment)
app.command("training")(equipment_cmd.training)
app.command("check-7re")(equipment_cmd.check_7re)
app.command("relevel")(reports_cmd.relevel)
app.command("capacity")(reports_cmd.capacity)
app.command("start-level")(reports_cmd.start_level)
app.command("compare")(compare_cmd.compare)


def main() -> None:
    app()
