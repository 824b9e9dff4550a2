"""What every command shares: the options, turning library errors into messages, output.

Commands stay thin: parse arguments, make one library call, print. The conventions, the same
in every command:
- exit 0 done; 1 a problem with an input file, the tables or the ledger (the message names the
  file, row and column); 2 a usage error (a malformed option value, a format or extension the
  command cannot write).
- Errors go to stderr as "error: ...", red on a terminal, plain on a pipe or with NO_COLOR.
- Tables: boxed on a terminal, plain aligned text on a pipe; money with thousands separators
  (198,000.00) in both. `--format csv|json` gives machine output (money as plain decimals).
- `-o FILE` writes the format its extension names (or `--format`); other extensions are refused.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
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


FORMAT_HELP = "table for people; csv or json for programs."


class Format(str, Enum):
    """Where a table goes: shown on the terminal, or machine output on stdout."""

    table = "table"
    csv = "csv"
    json = "json"


class ReportFormat(str, Enum):
    """A report shown (table), printed for machines (csv, json) or written as a workbook."""

    table = "table"
    csv = "csv"
    json = "json"
    xlsx = "xlsx"


class DocumentFormat(str, Enum):
    """A customer document's file formats."""

    pdf = "pdf"
    xlsx = "xlsx"
    html = "html"


class StatementFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    pdf = "pdf"
    xlsx = "xlsx"
    html = "html"


def _as_of(value: Any) -> dt.date:
    from pricing.cli import params

    return params.date(value)


def date_option(help: str, name: str = "--as-of"):
    """A date option: strict ISO through pricing.values (a malformed date exits 2)."""
    return typer.Option(name, parser=_as_of, metavar="YYYY-MM-DD", help=help)


AsOfOption = Annotated[dt.date | None, date_option("The date it is for (default: today).")]


def chosen_format(output: Path | None, chosen: Enum | None, to_file: Sequence[str],
                  to_screen: Sequence[str] = ("table", "csv", "json")) -> str:
    """The format a command writes: with `-o FILE`, `--format` or else the file's extension;
    without, `--format` or a table. A format the command cannot write there is a usage error
    (exit 2) naming what it can."""
    fmt = chosen.value if chosen is not None else None
    if output is None:
        fmt = fmt or "table"
        if fmt not in to_screen:
            raise typer.BadParameter(f"--format {fmt} writes a file: give -o FILE.{fmt}",
                                     param_hint="-o")
        return fmt
    fmt = fmt or output.suffix.lstrip(".").lower()
    if fmt not in to_file:
        what = (f"--format {fmt}" if chosen is not None else
                f"the extension {output.suffix!r}" if output.suffix else "no extension")
        raise typer.BadParameter(f"{output}: {what} is not a format this command writes; use "
                                 f"{', '.join('.' + f for f in to_file)} (or --format)",
                                 param_hint="-o")
    return fmt


def refuse_overwriting(outputs: dict[str, Path | None], inputs: dict[str, Path | None]) -> None:
    """An output may not be a directory, an input or another output (`batch c.csv -o c.csv`
    would destroy the list it reads): exit 1 naming both, before anything is read or written."""
    seen: dict[Path, str] = {}
    for name, path in inputs.items():
        if path is not None and path != Path("-"):
            seen[path.resolve()] = f"the input {name}"
    for name, path in outputs.items():
        if path is None or path == Path("-"):
            continue
        if path.is_dir():
            raise PricingError(f"{name} {path}: a directory; give a file name")
        resolved = path.resolve()
        if resolved in seen:
            raise PricingError(f"{name} {path}: that is {seen[resolved]}; writing there would "
                               f"destroy it. Choose another file")
        seen[resolved] = f"the output {name}"


def parse_date(value: str | None, name: str = "--as-of") -> dt.date:
    """A user's date, or today when not given; a bad one is a usage error naming the option."""
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.date):
        return value                          # already parsed by the option (date_option)
    from pricing.values import parse_date as strict_date

    try:
        return strict_date(value)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint=name) from None


def colour(stream=None) -> bool:
    """Colour only on a terminal, and never with NO_COLOR set (https://no-color.org)."""
    stream = stream or sys.stderr
    return stream.isatty() and not os.environ.get("NO_COLOR")


def say(message: str, level: str = "error") -> None:
    """`error: ...` (red) or `warning: ...` (yellow) on stderr; plain on a pipe."""
    text = f"{level}: {message}"
    if colour():
        text = typer.style(text, fg="red" if level == "error" else "yellow")
    typer.echo(text, err=True)


def fail(message: str, code: int = 1) -> None:
    say(message)
    raise typer.Exit(code)


def handles_errors(command: Callable) -> Callable:
    """Turn library errors into a clean message and exit 1: no traceback for user input."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ProblemsError as error:
            say(error.summary)
            for problem in error.problems:
                typer.echo(f"  {problem}", err=True)
            raise typer.Exit(1) from None
        except PricingError as error:
            fail(str(error))
        except OSError as error:              # stdout closed or full; files fail as PricingError
            from pricing.cli.streams import output_error

            message = output_error(error)
            if message is None:
                raise
            fail(message)
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
    kind = type(value)
    if kind is str:                      # the common cells first: a table of 10,000 rows
        return value
    if kind is int or kind is Decimal:
        return str(value)
    return str(to_jsonable(value))


def shown_text(value: Any) -> str:
    """A cell as a person reads it in a table: exact amounts with thousands separators
    (198,000.00), dates ISO."""
    if isinstance(value, Decimal):
        return f"{value:,}"
    return cell_text(value)


def _json_value(value: Any) -> Any:
    """What json cannot write itself: exact amounts as strings, dates ISO (as to_jsonable)."""
    converted = to_jsonable(value)
    if converted is value:
        raise TypeError(f"cannot write {type(value).__name__} as JSON")
    return converted


def emit_json(data: Any, to: Path | None = None) -> None:
    """JSON on stdout, or written to `to` (atomically)."""
    text = json_text(data) + "\n"
    if to is None:
        sys.stdout.write(text)
    else:
        write_text(to, text)


def json_text(data: Any) -> str:
    """`json.dumps(data, indent=2)` with exact amounts and dates as strings. A list of flat
    rows (`invoice list --format json` of 10,000 invoices) is written by `_rows_json`, four
    times faster than the json module's indenting encoder, which is pure Python, with the same
    text (tests/test_cli_conventions.py compares the two)."""
    if isinstance(data, list) and data and all(type(row) is dict for row in data):
        text = _rows_json(data)
        if text is not None:
            return text
    return json.dumps(data, indent=2, default=_json_value)


_FLAT = frozenset({str, int, bool, type(None), Decimal, dt.date})


def _rows_json(rows: list[dict]) -> str | None:
    """The indented JSON of rows whose keys are text and whose values are text, whole numbers,
    booleans, None, exact amounts or dates (None for anything else): each row by the json
    module's C encoder, its items parted by a newline and the row's indent, which is the text
    the indenting encoder writes for a flat object."""
    encode = json.JSONEncoder(separators=(",\n    ", ": "), default=_json_value).encode
    out = []
    for row in rows:
        if not row:
            out.append("  {}")
            continue
        if not all(type(v) in _FLAT for v in row.values()) or \
                not all(type(k) is str for k in row):
            return None
        out.append("  {\n    " + encode(row)[1:-1] + "\n  }")
    return "[\n" + ",\n".join(out) + "\n]"


def write_text(path: Path, text: str) -> None:
    """A text output file, written to a temporary name and renamed."""
    from pricing.fileio.writes import write_text_atomically

    write_text_atomically(path, text)


def emit_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]],
             computed: Sequence[str] = (), to: Path | None = None) -> None:
    """CSV on stdout with no formula in it (pricing.fileio.csvsafe): a text cell that a spreadsheet
    would run gets a leading apostrophe; numbers, Decimals and dates are the program's own
    values and are written as they are. `computed` names text columns the program formats
    itself from numbers (a signed percentage such as "-8.85%"), also written as they are."""
    from pricing.fileio.csvsafe import Writer, is_text, neutralise

    own = {i for i, name in enumerate(columns) if name in computed}
    buffer = io.StringIO()
    writer = Writer(buffer)
    writer.writerow([neutralise(str(name)) for name in columns])
    writer.writerows([[neutralise(cell_text(v)) if i not in own and is_text(v) else cell_text(v)
                       for i, v in enumerate(row)] for row in rows])
    if to is None:
        sys.stdout.write(buffer.getvalue())
    else:
        write_text(to, buffer.getvalue())


def emit_table(columns: Sequence[str], rows: Sequence[Sequence[Any]], title: str | None = None,
               right: Sequence[str] = ()) -> None:
    """A readable table: boxed (rich) on a terminal; on a pipe plain text, the title on its
    own line and the columns aligned with two spaces, no box drawing, so `grep`, `cut` and
    `column` work on it."""
    cells = [[shown_text(v) for v in row] for row in rows]
    if not on_terminal():
        widths = [max([len(str(name))] + [len(row[i]) for row in cells])
                  for i, name in enumerate(columns)]

        def line(values):
            return "  ".join(v.rjust(w) if name in right else v.ljust(w)
                             for v, w, name in zip(values, widths, columns)).rstrip()

        out = [title] if title else []
        out += [line([str(c) for c in columns])] + [line(row) for row in cells]
        sys.stdout.write("\n".join(out) + "\n")
        return
    from rich.console import Console

    console = Console(no_color=not colour(sys.stdout))
    for number, table in enumerate(terminal_tables(columns, cells, console.width, title, right)):
        if number:
            console.print()
        console.print(table)


def on_terminal(stream=None) -> bool:
    """Whether a table goes to a person: stdout is a terminal, or rich's TTY_COMPATIBLE says
    so (1 a terminal, 0 not), as a test or a pager that keeps boxes does."""
    stream = stream or sys.stdout
    forced = os.environ.get("TTY_COMPATIBLE", "")
    if forced in ("0", "1"):
        return forced == "1"
    return stream.isatty()


def terminal_tables(columns: Sequence[str], cells: Sequence[Sequence[str]], width: int,
                    title: str | None = None, right: Sequence[str] = ()) -> list:
    """The rich tables a table is shown as on a terminal `width` wide: every number, date and
    document number whole on one line; text folded to the room left; columns that do not fit
    in further tables below, each repeating the first column (pricing.cli.terminal_table)."""
    from rich.table import Table
    from rich.text import Text

    from pricing.cli.terminal_table import layout, wrap

    total = bool(cells) and len(cells) > 1 and cells[-1][0] == "Total"
    tables = []
    for number, block in enumerate(layout(columns, cells, width)):
        table = Table(title=Text(title) if title and not number else None, show_lines=False)
        for index, size in zip(block.columns, block.widths):
            name = str(columns[index])
            table.add_column(Text("\n".join(wrap(name, size, header=True))),
                             justify="right" if name in right else "left",
                             width=size, no_wrap=True)
        for row_number, row in enumerate(cells):   # Text: a "[bold]" in a name is shown, not obeyed
            table.add_row(*[Text("\n".join(wrap(row[i], size)))
                            for i, size in zip(block.columns, block.widths)],
                          end_section=total and row_number == len(cells) - 2)
        tables.append(table)
    return tables


def emit_rows(format: Format, columns: Sequence[str], rows: Sequence[Sequence[Any]],
              right: Sequence[str] = ()) -> None:
    """A list as `--format` asks: JSON records keyed by column, CSV, or a table."""
    if format is Format.json:
        emit_json([dict(zip(columns, row)) for row in rows])
    elif format is Format.csv:
        emit_csv(columns, rows)
    else:
        emit_table(columns, rows, right=right)
