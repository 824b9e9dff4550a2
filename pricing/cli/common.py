"""What every command shares: the options, turning library errors into messages, output.

Commands stay thin: parse arguments, make one library call, print. A library error
(`PricingError`) becomes a message on stderr and exit 1; a usage error exits 2 (typer's own).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer

from pricing.errors import PricingError, ProblemsError

TablesOption = Annotated[
    Path | None,
    typer.Option("--tables", envvar="PRICING_TABLES", show_envvar=True,
                 help="Tables directory to price with (default: the bundled contract tables)."),
]


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def parse_date(value: str | None, name: str = "--as-of") -> dt.date:
    """A user's date, or today when not given; a bad one is a usage error naming the option."""
    if value is None:
        return dt.date.today()
    from pricing.values import parse_date as strict_date

    try:
        return strict_date(value)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=name) from None


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def handles_errors(command: Callable) -> Callable:
    """Turn library errors into a clean message and exit 1: no traceback for user input."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ProblemsError as error:
            typer.echo(f"error: {error.summary}", err=True)
            for problem in error.problems:
                typer.echo(f"  {problem}", err=True)
            raise typer.Exit(1) from None
        except PricingError as error:
            fail(str(error))
        except Exception as error:
            if not _is_database_error(error):
                raise
            fail(f"the ledger could not be read or written ({type(error).__name__}: "
                 f"{str(error).splitlines()[0][:300]}); is it damaged? `pricing ledger check` "
                 f"names what is wrong")

    return wrapper


def _is_database_error(error: Exception) -> bool:
    """SQLite's and SQLAlchemy's errors (a damaged or locked ledger), told apart without
    importing SQLAlchemy here (`pricing --help` stays fast)."""
    import sqlite3

    return isinstance(error, sqlite3.Error) or type(error).__module__.startswith("sqlalchemy")


def load(tables_dir: Path | None):
    from pricing.tables import load_tables

    return load_tables(tables_dir)


def to_jsonable(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    return str(to_jsonable(value))


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(to_jsonable(data), indent=2))


def emit_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]],
             computed: Sequence[str] = ()) -> None:
    """CSV on stdout with no formula in it (pricing.csvsafe): a text cell that a spreadsheet
    would run gets a leading apostrophe; numbers, Decimals and dates are the program's own
    values and are written as they are. `computed` names text columns the program formats
    itself from numbers (a signed percentage such as "-8.85%"), also written as they are."""
    from pricing.csvsafe import Writer, is_text, neutralise

    own = {i for i, name in enumerate(columns) if name in computed}
    buffer = io.StringIO()
    writer = Writer(buffer)
    writer.writerow([neutralise(str(name)) for name in columns])
    writer.writerows([[neutralise(cell_text(v)) if i not in own and is_text(v) else cell_text(v)
                       for i, v in enumerate(row)] for row in rows])
    sys.stdout.write(buffer.getvalue())


def emit_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None,
               right: Sequence[str] = ()) -> None:
    """A readable table on a terminal (rich), plain aligned text on a pipe."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, show_lines=False)
    for name in columns:
        table.add_column(name, justify="right" if name in right else "left", overflow="fold")
    for row in rows:                  # Text: a "[bold]" in a city name is shown, not obeyed
        table.add_row(*[Text(cell_text(v)) for v in row])
    Console(width=None if sys.stdout.isatty() else 200).print(table)
