"""The `pricing` command: the application edge, the one place that prints.

Imports stay light here (typer only): each command imports the library, and pandas, when it
runs, so `pricing --help` answers at once.
"""

from __future__ import annotations

import typer

from pricing.cli import (ar_cmd, batch_cmd, compare_cmd, equipment_cmd, impact_cmd,
                         invoice_cmd, ledger_cmd, reports_cmd, service_cmd, tables_cmd)



def _plain_metavars() -> None:
    """Help shows what a value looks like, not a Python type: no `<bool>` after a flag (it
    takes no value), and `TEXT`, `PATH`, `INTEGER` for values without a metavar of their own,
    in the click style the rest of the help uses (YYYY-MM-DD). Typer 0.29 prints `<bool>`,
    `<str>` and `<path>`; older versions print nothing for flags, and this changes nothing."""
    from typer import core

    for kind in (getattr(core, "TyperOption", None), getattr(core, "TyperArgument", None)):
        original = getattr(kind, "display_type_rich", None)
        if original is None or getattr(original, "plain", False):
            continue

        def display_type_rich(self, ctx, original=original):
            if getattr(self, "is_flag", False) and self.metavar is None:
                return None
            shown = original(self, ctx)
            if isinstance(shown, str) and shown.startswith("<") and shown.endswith(">"):
                inner = shown[1:-1]
                if "|" in inner:                      # choices: typed as they are listed
                    return f"[{inner}]"
                return {"str": "TEXT", "int": "INTEGER"}.get(inner, inner.upper())
            return shown

        display_type_rich.plain = True
        kind.display_type_rich = display_type_rich


_plain_metavars()


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"pricing {version('kmc-pricing')}")
        except PackageNotFoundError:
            typer.echo("pricing (not installed)")
        raise typer.Exit()


app = typer.Typer(
    name="pricing",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _main(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Show the version and exit.")) -> None:
    """Price and invoice a contract from its versioned tables (--tables, PRICING_TABLES).

    Exit codes: 0 done, 1 a problem with an input, the tables or the ledger, 2 a usage error.
    """

app.add_typer(tables_cmd.app, name="tables")
app.add_typer(invoice_cmd.app, name="invoice")
from pricing.cli import cash_cmd  # noqa: E402,F401  (its commands join `ar`)

app.add_typer(ar_cmd.app, name="ar")
app.add_typer(ledger_cmd.app, name="ledger")
from pricing.cli import documents_cmd  # noqa: E402

app.add_typer(documents_cmd.app, name="documents")
app.command("level")(service_cmd.level)
app.command("quote")(service_cmd.quote)
app.command("batch")(batch_cmd.batch)
app.command("equipment")(equipment_cmd.equipment)
app.command("training")(equipment_cmd.training)
app.command("check-7re")(equipment_cmd.check_7re)
app.command("warranty")(equipment_cmd.warranty)
app.command("relevel")(reports_cmd.relevel)
app.command("capacity")(reports_cmd.capacity)
app.command("start-level")(reports_cmd.start_level)
app.command("compare")(compare_cmd.compare)
app.command("impact")(impact_cmd.impact)
app.command("review")(impact_cmd.review)


def main() -> None:
    """The `pricing` entry point. Usage errors are drawn in a box only on a terminal without
    NO_COLOR; on a pipe they are plain lines. SIGTERM and SIGHUP stop the command the way
    Ctrl-C does, so temporary files are removed on the way out."""
    import os
    import signal
    import sys

    from typer import core

    if not sys.stderr.isatty() or os.environ.get("NO_COLOR"):
        core.HAS_RICH = False

    def stop(number, frame):
        raise SystemExit(128 + number)

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)
    from pricing.cli import streams

    sys.exit(streams.run(app))            # a closed, full or ASCII stdout: a message, no traceback
