"""`pricing ledger check|upgrade`: verify the ledger's invariants and name every violation;
upgrade a ledger an earlier version wrote."""

from __future__ import annotations

import typer

from pricing.cli.common import emit_json, handles_errors
from pricing.cli.invoice_cmd import LedgerOption, _ledger

app = typer.Typer(help="The ledger itself: check its invariants, upgrade an old one.",
                  no_args_is_help=True)


@app.command("check")
@handles_errors
def check(ledger: LedgerOption = None,
          json_output: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Verify the ledger's invariants; exit 1 naming each violation.

    Numbers gap-free, one charge per city, month and kind, totals equal their lines, payments and credits within totals, levels constant within a period.

    Example: pricing ledger check --ledger ledger.sqlite3
    """
    from invoices.invariants import check as run_checks

    with _ledger(ledger) as book:
        found = run_checks(book)
    broken = {name: problems for name, problems in found.items() if problems}
    if json_output:
        emit_json({"ledger": book.where, "holds": not broken, "violations": broken})
    else:
        for name, problems in broken.items():
            for problem in problems:
                typer.echo(f"{name}: {problem}")
        if not broken:
            typer.echo(f"all {len(found)} invariants hold")
    if broken:
        raise typer.Exit(1)


@app.command("upgrade")
@handles_errors
def upgrade(ledger: LedgerOption = None) -> None:
    """Upgrade a ledger an earlier version wrote (schema 2), once.

    The old file is kept beside it as LEDGER.schema2.bak; a ledger that billed a city twice is refused, naming each conflict, and left as it was.

    Example: pricing ledger upgrade --ledger ledger.sqlite3
    """
    from invoices.invariants import check as run_checks
    from invoices.ledger import Ledger, resolve_ledger
    from invoices.schema import SCHEMA_VERSION
    from invoices.upgrade import upgrade as run_upgrade

    path = resolve_ledger(ledger)
    backup = run_upgrade(path)
    with Ledger(path, "read") as book:
        broken = {name: found for name, found in run_checks(book).items() if found}
    typer.echo(f"upgraded {path} to schema {SCHEMA_VERSION}; the old ledger is kept as {backup}")
    for name, problems in broken.items():
        for problem in problems:
            typer.echo(f"{name}: {problem}")
    if broken:
        raise typer.Exit(1)
