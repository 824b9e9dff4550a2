"""`pricing ledger check|upgrade`: verify the ledger's invariants and name every violation;
upgrade a ledger an earlier version wrote."""

from __future__ import annotations

import typer

from pricing.cli.common import emit_json, handles_errors
from pricing.cli.invoice_cmd import LedgerOption, _ledger

app = typer.Typer(help="The ledger itself: check its invariants, upgrade an old one, copy it.",
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


@app.command("copy")
@handles_errors
def copy(source: str = typer.Argument(..., metavar="SRC", help="The ledger to copy: a path or postgresql://user@host/db."),
         destination: str = typer.Argument(..., metavar="DST", help="A new (or empty) ledger: a path or a PostgreSQL URL.")) -> None:
    """Copy a whole ledger to another backend, numbers and documents' records preserved.

    The copy is the same ledger moved (its identity, which its documents carry, included). DST
    must be new or empty; the copy is one transaction, so a failed copy leaves DST as it was.

    Example: pricing ledger copy ledger.sqlite3 postgresql://billing@db.example/ledger
    """
    from invoices.copy import copy_ledger
    from invoices.ledger import resolve_ledger, shown_address

    copied = copy_ledger(resolve_ledger(source), resolve_ledger(destination))
    typer.echo(f"copied {copied.get('invoices', 0):,} invoices, {copied.get('lines', 0):,} lines, "
               f"{copied.get('payments', 0):,} payments and {copied.get('credits', 0):,} credit "
               f"notes to {shown_address(resolve_ledger(destination))}")
