"""`pricing ledger check`: verify the ledger's invariants and name every violation."""

from __future__ import annotations

import typer

from pricing.cli.common import emit_json, handles_errors
from pricing.cli.invoice_cmd import LedgerOption, _ledger

app = typer.Typer(help="The ledger itself: check its invariants.", no_args_is_help=True)


@app.command("check")
@handles_errors
def check(ledger: LedgerOption = None,
          json_output: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Verify the invariants: numbers gap-free, one charge per city, month and kind, totals
    equal their lines, payments and credits within totals, levels constant within a period.
    Exit 1 naming each violation.

    Example: pricing ledger check --ledger ledger.sqlite3
    """
    from invoices.invariants import check as run_checks

    with _ledger(ledger) as book:
        found = run_checks(book)
    broken = {name: problems for name, problems in found.items() if problems}
    if json_output:
        emit_json({"ledger": str(book.path.resolve()), "holds": not broken, "violations": broken})
    else:
        for name, problems in broken.items():
            for problem in problems:
                typer.echo(f"{name}: {problem}")
        if not broken:
            typer.echo(f"all {len(found)} invariants hold")
    if broken:
        raise typer.Exit(1)
