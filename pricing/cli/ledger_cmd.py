"""`pricing ledger check|upgrade`: verify the ledger's invariants and name every violation;
upgrade a ledger an earlier version wrote."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from pathlib import Path

import typer

from pricing.cli import params
from pricing.cli.common import (FORMAT_HELP, Format, TablesOption, emit_json, emit_rows,
                                handles_errors)
from pricing.cli.invoice_cmd import LedgerOption, _ledger

app = typer.Typer(help="The ledger itself: check, upgrade, copy, export the journal, who did what, "
                       "roles on PostgreSQL.",
                  no_args_is_help=True)


HEX64 = "0123456789abcdef"


def _head_option(value: str | None) -> str | None:
    if value is None:
        return None
    given = value.strip().lower()
    if len(given) != 64 or any(ch not in HEX64 for ch in given):
        raise typer.BadParameter("a head is 64 hexadecimal digits, as `pricing ledger head` "
                                 "prints it")
    return given


@app.command("check")
@handles_errors
def check(ledger: LedgerOption = None,
          head: str | None = typer.Option(None, "--head", metavar="HEX", callback=_head_option,
                                          help="A head kept outside the ledger (`ledger head`): "
                                               "also check the ledger still holds the history it seals."),
          tables: TablesOption = None,
          json_output: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Verify the ledger's history and invariants; exit 1 naming each violation.

    The history: every entry's hash chain, entry by entry (the first broken entry is named
    first, with its document), and every invoice re-derived from its recorded inputs and the
    tables (--tables). With --head, the history sealed by that head must still be the ledger's
    history's prefix. The invariants: numbers gap-free, one charge per city, month and kind,
    totals equal their lines, payments and credits within totals, levels constant within a period.

    Example: pricing ledger check --ledger ledger.sqlite3 --head 3f5a...e1
    """
    from invoices.ledger.invariants import check as run_checks
    from pricing.cli.common import load

    table_set = load(tables)
    with _ledger(ledger, check=False) as book:
        verified, rederived, notes, snapshot = _history(book, head, table_set)
        found = run_checks(book, snapshot)
        history = verified()
    broken = {name: problems for name, problems in found.items() if problems}
    untrue = {name: problems for name, problems in (("history", list(history.problems)),
                                                    ("re-derived", rederived)) if problems}
    if json_output:
        emit_json({"ledger": book.where, "holds": not broken and not untrue,
                   "entries": history.entries, "head": history.head,
                   "sealed_entries": history.sealed, "history": untrue.get("history", []),
                   "rederived": untrue.get("re-derived", []), "violations": broken,
                   "notes": notes})
    else:
        for note in notes:
            typer.echo(f"note: {note}", err=True)
        for name, problems in {**untrue, **broken}.items():
            for problem in problems:
                typer.echo(f"{name}: {problem}")
        if not untrue:
            sealed = ("" if not head else "; the seal given is of an empty history"
                      if not history.sealed else f"; it holds the history sealed by "
                      f"{head[:12]}... (its first {history.sealed:,} entries)")
            typer.echo(f"history of {history.entries:,} entries verified, every invoice "
                       f"re-derived (head {history.head}){sealed}")
        if not broken:
            typer.echo(f"all {len(found)} invariants hold")
    if broken or untrue:
        raise typer.Exit(1)


def _history(book, head: str | None, tables):
    """Verify the chain (against `head`, if given) and re-derive every invoice; a ledger
    holding a value that cannot be read is a violation that says so, never a traceback.
    Returns (a `join` giving the Verified history, the re-derivation's problems and notes, the
    snapshot read). The chain is verified on a second core (pricing.in_parallel) while this
    process re-derives the invoices and, after it returns, runs the invariants."""
    from invoices.billing.explain import rederive_all
    from invoices.ledger.chain import GENESIS, Verified, read_history, verify_history
    from invoices.ledger.snapshot import read_all
    from pricing.in_parallel import beside

    def unreadable(error: Exception) -> list[str]:
        return [f"cannot be checked: the ledger holds an unreadable value "
                f"({type(error).__name__}: {str(error)[:200]})"]

    snapshot, verifying = None, None
    try:
        with book.read() as conn:
            snapshot = read_all(conn)            # read once for all: invoices and their lines
            stored = read_history(conn, snapshot)
        verifying = beside(verify_history, stored, head)
    except Exception as error:
        failed = Verified(0, GENESIS, tuple(unreadable(error)))
        verifying = lambda: failed          # noqa: E731
    try:
        rederived, notes = rederive_all(book, tables, snapshot)
    except Exception as error:
        rederived, notes = unreadable(error), []

    def verified() -> Verified:
        try:
            return verifying()
        except Exception as error:
            return Verified(0, GENESIS, tuple(unreadable(error)))

    return verified, rederived, notes, snapshot


@app.command("head")
@handles_errors
def head(ledger: LedgerOption = None,
         format: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP)) -> None:
    """The seal of the ledger's history: how many entries and the last one's hash.

    Keep it outside the ledger (a ticket, an e-mail, the month-end report): `pricing ledger
    check --head HEX` later says whether the ledger still holds the history it seals.

    Example: pricing ledger head --format json
    """
    from invoices.ledger.chain import head as chain_head

    with _ledger(ledger) as book, book.read() as conn:
        entries, digest = chain_head(conn)
    if format == Format.json:
        emit_json({"entries": entries, "head": digest})
    else:
        typer.echo(f"{digest}  ({entries:,} entries)")


@app.command("upgrade")
@handles_errors
def upgrade(ledger: LedgerOption = None) -> None:
    """Upgrade a ledger an earlier version wrote to this version's schema, once.

    A ledger of schema 3 or later (SQLite or PostgreSQL) is migrated in one transaction: an upgrade that fails leaves it as it was. A schema-2 file is rebuilt, the old file kept beside it as LEDGER.schema2.bak; one that billed a city twice is refused, naming each conflict. Records made before schema 4 say "unknown" for who made them. A current ledger is left alone.

    Example: pricing ledger upgrade --ledger ledger.sqlite3
    """
    from invoices.ledger.invariants import check as run_checks
    from invoices.ledger.store import Ledger, inspect_file, is_server, resolve_ledger
    from invoices.ledger.schema import SCHEMA_VERSION
    from invoices.ledger.upgrade import upgrade as rebuild_schema_2

    path = resolve_ledger(ledger)
    if not is_server(path) and inspect_file(path)[0] == "old-ledger":
        backup = rebuild_schema_2(path)
        said = f"upgraded {path} from schema 2 to schema {SCHEMA_VERSION}; the old ledger is kept as {backup}"
    else:
        with Ledger(path, "upgrade", action="upgrade") as book:
            before = book.version
            applied = book.upgrade_schema()
        hashed = (f"; {book.hashed:,} entries recorded before the chain were hashed into it, "
                  f"in the order recorded" if book.hashed is not None else "")
        said = (f"upgraded {book.where} from schema {before} to schema {SCHEMA_VERSION} "
                f"(migrations: {', '.join(applied)}){hashed}" if applied else
                f"{book.where} is already at schema {SCHEMA_VERSION}; nothing to upgrade")
    with Ledger(path, "read") as book:
        broken = {name: found for name, found in run_checks(book).items() if found}
    typer.echo(said)
    for name, problems in broken.items():
        for problem in problems:
            typer.echo(f"{name}: {problem}")
    if broken:
        raise typer.Exit(1)


@app.command("copy")
@handles_errors
def copy(source: str = typer.Argument(..., metavar="SRC", parser=params.word, help="The ledger to copy: a path or postgresql://user@host/db."),
         destination: str = typer.Argument(..., metavar="DST", parser=params.word, help="A new (or empty) ledger: a path or a PostgreSQL URL.")) -> None:
    """Copy a whole ledger to another backend, numbers and documents' records preserved.

    DST must be new or empty; the copy is one transaction, so a failed copy leaves DST as it
    was. The copy gets an identity of its own, so it never overwrites a document the source
    wrote.

    Example: pricing ledger copy ledger.sqlite3 postgresql://billing@db.example/ledger
    """
    from invoices.ledger.copy import copy_ledger
    from invoices.ledger.store import resolve_ledger, shown_address

    copied = copy_ledger(resolve_ledger(source), resolve_ledger(destination))
    counted = ", ".join(f"{name} {copied.get(table, 0):,}" for table, name in (
        ("invoices", "invoices"), ("lines", "lines"), ("payments", "payments"),
        ("payment_voids", "payment voids"), ("disputes", "disputes"),
        ("credits", "credit notes"), ("terminations", "terminations")))
    typer.echo(f"copied to {shown_address(resolve_ledger(destination))}: {counted}")


@app.command("export")
@handles_errors
def export(start: dt.date = typer.Option(..., "--from", parser=params.date, metavar="YYYY-MM-DD", help="First date."),
           end: dt.date = typer.Option(..., "--to", parser=params.date, metavar="YYYY-MM-DD", help="Last date."),
           output: Path | None = typer.Option(None, "-o", "--output", help="The journal: .csv or .json (default: CSV on stdout)."),
           accounts: Path | None = typer.Option(None, "--accounts", help="CSV key, account: the account names (default: the bundled chart)."),
           ledger: LedgerOption = None) -> None:
    """The ledger as a balanced double-entry journal for the accounting system.

    Columns date, account, debit, credit, document, bill_to, memo. Invoices debit receivables
    and credit revenue by kind (service levels, hour blocks, hourly, integration), payments
    debit cash and credit receivables (a voided payment the reverse, on the day of its void),
    credit notes are the reverse of invoices.

    Example: pricing ledger export --from 2001-01-01 --to 2001-12-31 -o journal.csv
    """
    from invoices.receivables.journal import COLUMNS, journal, read_accounts, unbalanced
    from pricing.errors import PricingError
    from pricing.cli.common import Format, chosen_format, emit_csv, emit_json
    from pricing.cli.invoice_cmd import report_output

    if end < start:
        raise typer.BadParameter(f"{end} is before --from {start}", param_hint="--to")
    fmt = chosen_format(output, Format.csv if output is None else None, ("csv", "json"),
                        to_screen=("csv",))
    from pricing.cli.common import refuse_overwriting

    refuse_overwriting({"-o": output}, {"--accounts": accounts})
    names = read_accounts(accounts)
    with _ledger(ledger) as book:
        target = report_output(output, book) if output is not None else None
        postings = journal(book, start, end, names)
    debits = sum((p.debit for p in postings if p.debit is not None), Decimal(0))
    credits = sum((p.credit for p in postings if p.credit is not None), Decimal(0))
    wrong = unbalanced(postings)
    if wrong or debits != credits:
        shown = "; ".join(f"{doc}: debits {debit:,}, credits {credit:,}"
                          for doc, debit, credit in wrong[:10])
        more = f" and {len(wrong) - 10:,} more" if len(wrong) > 10 else ""
        raise PricingError(f"the journal does not balance: debits {debits:,} and credits "
                           f"{credits:,} differ by {abs(debits - credits):,} ({shown}{more}); "
                           f"nothing written. The ledger was changed outside the tool: "
                           f"`pricing ledger check` names what is wrong")
    if fmt == "json":
        emit_json({"from": start, "to": end, "debits": debits, "credits": credits,
                   "postings": [dict(zip(COLUMNS, p.row())) for p in postings]}, target)
    else:
        emit_csv(list(COLUMNS), [p.row() for p in postings], to=target)
    typer.echo(f"{len(postings):,} postings from {start} to {end}: debits {debits:,} = credits "
               f"{credits:,}", err=True)


@app.command("log")
@handles_errors
def log(user: str | None = typer.Option(None, "--user", parser=params.name, metavar="NAME",
                                         help="Only what this user recorded (or was recorded on behalf of)."),
        format: Format = typer.Option(Format.table, "--format", help=FORMAT_HELP),
        ledger: LedgerOption = None) -> None:
    """Who did what: every record in the order made, with who made it, when, and its hash.

    Invoices, payments, voids, disputes and their resolutions, credit notes, terminations, bank lines imported and reversed, cash applied, refunds, reminders and documents e-mailed, each with its author as recorded: on PostgreSQL the database role that recorded it; on SQLite the login name, and "(on behalf of NAME)" when --user was given. Records made before the ledger kept authors (schema 4) say "unknown" for who made them; those whose time was not kept either come first.

    Example: pricing ledger log --user dana --format csv
    """
    from invoices.ledger.audit import activity

    with _ledger(ledger) as book:
        found = activity(book, user)
    columns = ["recorded_at", "recorded_by", "action", "document", "amount", "date", "detail",
               "hash"]
    emit_rows(format, columns, [[e.recorded_at, e.recorded_by, e.action, e.document, e.amount,
                                 e.date, e.detail, e.entry_sha256] for e in found],
              right=("amount",))


class Role(str, Enum):
    """A ledger's roles on PostgreSQL, each holding the one before it."""

    reader = "reader"
    clerk = "clerk"
    biller = "biller"
    admin = "admin"


@app.command("grant")
@handles_errors
def grant(role: Role = typer.Argument(..., metavar="ROLE", help="reader, clerk, biller or admin."),
          to: str = typer.Option(..., "--to", metavar="DBUSER", help="The database user (a PostgreSQL login role) given the role."),
          revoke: bool = typer.Option(False, "--revoke", help="Take the role back instead."),
          ledger: LedgerOption = None) -> None:
    """Give a database user a role on a ledger on PostgreSQL (run by the ledger's owner).

    reader: reports, statements, prints. clerk: + payments, voids, disputes. biller: + invoice
    runs, credit notes. admin: + terminations, and granting roles. Each is a PostgreSQL role
    (NOLOGIN, named DATABASE_ROLE, made on first use) holding GRANTs; none holds UPDATE or
    DELETE on the ledger's history, so the server itself refuses a rewrite.

    Example: pricing ledger grant clerk --to dana --ledger postgresql://billing@db.example/ledger
    """
    from invoices.ledger.roles import grant as give

    with _ledger(ledger, "write", check=False, action="grant") as book:
        name = give(book, role.value, to, revoke=revoke)
    if revoke:
        typer.echo(f"{to} no longer holds {role.value} ({name}) on {book.where}")
    else:
        typer.echo(f"{to} is {role.value} ({name}) on {book.where}")
