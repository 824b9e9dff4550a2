"""`pricing invoice run|list|show|explain`: the billing analyst's monthly job.

The CLI is the one place in `pricing` that imports `invoices` (the application edge).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from pricing.cli import params
from pricing.cli.common import (FORMAT_HELP, DocumentFormat, Format, TablesOption,
                                chosen_format, emit_csv, emit_json, emit_table, handles_errors,
                                load)

app = typer.Typer(help="Monthly invoices, the ledger, and re-pricing an issued invoice.",
                  no_args_is_help=True)

LedgerOption = Annotated[
    str | None,
    typer.Option("--ledger", envvar="PRICING_LEDGER", show_envvar=True, metavar="PATH|URL",
                 help="Ledger file (default: ledger.sqlite3 in the working directory), or a "
                      "PostgreSQL URL postgresql://user@host/db for a shared ledger."),
]
UserOption = Annotated[
    str | None,
    typer.Option("--user", envvar="PRICING_USER", show_envvar=True, parser=params.user,
                 metavar="NAME", help="SQLite only: whom you record this on behalf of, kept "
                                      "beside your login name. Refused on PostgreSQL, where the "
                                      "author is the database role you connect as."),
]
FormatOption = Annotated[Format, typer.Option("--format", help=FORMAT_HELP)]


class RunFormat(str, Enum):
    """What `invoice run` prints on stdout: lines for people, or one JSON record."""

    text = "text"
    json = "json"

NumberArgument = Annotated[int, typer.Argument(parser=params.number, metavar="NUMBER",
                                               help="Invoice number (3 or 000003).")]


def _ledger(path: Path | None, mode: str = "read", user: str | None = None,
            check: bool = True, action: str | None = None):
    """Open the ledger: "read" for reports (read-only, never created; says which ledger it
    reads on stderr), "write" for commands that change an existing ledger, "create" for the
    invoice run; `user` is, on SQLite, whom the writes are made on behalf of (a usage error on
    PostgreSQL, where the author is the database role); `action` names what the command does,
    so a refusal by the server names the role it needs. A ledger holding a value
    its column's type does not allow (a row edited by hand) is refused, naming the value, unless
    `check` is off (`ledger check`, which lists them all)."""
    from invoices.ledger.store import Ledger, is_server, login_name, resolve_ledger

    server = is_server(resolve_ledger(path))
    refuse_typed_user(server, user)
    if mode != "read" and not server:
        login_name()                     # before the ledger is opened (or made): fail early
    book = Ledger(path, mode, user, action="read" if mode == "read" else action)
    if mode == "read":
        typer.echo(f"ledger {book.where}", err=True)
    if check and not book.created:
        from invoices.ledger.invariants import values_are_well_formed

        with book.read() as conn:
            damaged = values_are_well_formed(conn, limit=4, dates_only=True)
        if damaged:
            book.close()
            _refuse_damaged(book.where, damaged)
    return book


def _reader(path: Path | None):
    """Open the ledger for a report that reads balances only (`invoice list`, `ar status`,
    `ar aging`): a SQLite ledger through sqlite3 alone, so the report starts without importing
    SQLAlchemy (invoices.ledger.plain); refused, and said on stderr, as `_ledger` does."""
    from invoices.ledger.plain import PlainLedger, open_for_reading

    book = open_for_reading(path)
    if not isinstance(book, PlainLedger):
        book.close()
        return _ledger(path)
    typer.echo(f"ledger {book.where}", err=True)
    damaged = book.damaged_dates(limit=4)
    if damaged:
        book.close()
        _refuse_damaged(book.where, damaged)
    return book


def _refuse_damaged(where: str, damaged: list[str]) -> None:
    from pricing.errors import PricingError

    more = " (and more)" if len(damaged) > 3 else ""
    raise PricingError(f"{where} holds a value its column does not allow: "
                       f"{'; '.join(damaged[:3])}{more}; `pricing ledger check` lists "
                       f"them all; nothing was read or changed")


def refuse_typed_user(server: bool, user: str | None) -> None:
    """`--user`/PRICING_USER on a ledger on PostgreSQL: a usage error (exit 2), before anything
    is opened or recorded; the author there is the database role the server authenticated."""
    if server and user is not None:
        from invoices.ledger.authors import refuse_typed_name

        raise typer.BadParameter(refuse_typed_name(user), param_hint="--user")


def report_output(path: Path, book) -> Path:
    """A report's output file: never the ledger (or SQLite's files beside it), a ledger's
    document, a directory, or a file in a folder that cannot be written."""
    from invoices.ledger.claims import output_file
    from invoices.ledger.store import ledger_files

    return output_file(path, ledger_files(book.path))


def _due(book, invoice, tables):
    """The invoice's due date in force (invoices.receivables.terms.due_in_force), with the one it was
    issued with and why they differ."""
    from invoices.receivables.accounts import balance

    return balance(book, invoice.number, dt.date.max, load(tables)).due


@app.command("run")
@handles_errors
def run(
    month: Annotated[str, typer.Option("--month", parser=params.month, metavar="YYYY-MM",
                                       help="The month billed.")],
    cities: Annotated[Path, typer.Option("--cities", help="CSV: city, bill_to, the six counts [, level].")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the invoice workbooks.")],
    hours: Annotated[Path | None, typer.Option("--hours", help="CSV: city, month, hours.")] = None,
    events: Annotated[Path | None, typer.Option("--events", help="CSV: city, date, kind, quantity.")] = None,
    invoice_date: Annotated[dt.date | None, typer.Option(
        "--invoice-date", parser=params.date, metavar="YYYY-MM-DD",
        help="Default: the month's last day.")] = None,
    no_hours: Annotated[bool, typer.Option("--no-hours", help="The month had no hours (without it, --hours is required: hours not given are not zero hours).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what the run would issue (levels and their rules, hours, totals); record and write nothing.")] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Also write each invoice as a PDF beside its workbook.")] = False,
    format: Annotated[RunFormat, typer.Option("--format", help="text for people; json for programs: the invoices issued, the levels set and the new ledger head.")] = RunFormat.text,
    ledger: LedgerOption = None,
    tables: TablesOption = None,
    user: UserOption = None,
) -> None:
    """Issue the month's invoices, one per bill-to, as workbooks (and PDFs) in the ledger.

    Running a month again issues nothing new; cities added after the month was invoiced go on
    a supplementary invoice. A city's level is set its first month in an annual period by the
    annual_periods table's rule (carried over unless enough of its counts changed in the period
    before; a new city's level for one the ledger never billed), or by the cities file's level
    column; the run prints each and why. Hours that arrive for a month
    already invoiced are billed on the next run, priced as their own month would have priced
    them. With --pdf, each invoice is also written as a one-page PDF (invoice-NNNNNN.pdf).

    Example: pricing invoice run --month 2001-04 --cities examples/invoice_cities.csv --hours examples/invoice_hours.csv --out billing/ --pdf
    """
    from invoices.ledger.store import resolve_ledger
    from invoices.billing.run import prepare_month
    from invoices.workflows import run_month

    from invoices.ledger.store import is_server

    refuse_typed_user(is_server(resolve_ledger(ledger)), user)     # before anything is read
    if hours is None and not no_hours:
        raise typer.BadParameter("give the month's hours with --hours FILE, or --no-hours if it "
                                 "had none (hours not given are not zero hours)",
                                 param_hint="--hours")
    if hours is not None and no_hours:
        raise typer.BadParameter("--no-hours says the month had no hours; it cannot go with "
                                 "--hours", param_hint="--no-hours")
    if pdf and not dry_run:
        from invoices.documents.pdf import check_renderer

        check_renderer()
    if dry_run and format is RunFormat.json:
        raise typer.BadParameter("--dry-run shows a table for people; json is the record of a "
                                 "run", param_hint="--format")
    table_set = load(tables)
    if dry_run:                               # reads the inputs; touches no folder, no ledger
        from invoices.billing.drafts import read_month

        _dry_run(ledger, read_month(month, cities, table_set, hours, events, invoice_date),
                 table_set)
        return
    prepared = prepare_month(month, cities, out, table_set, hours, events, invoice_date,
                             resolve_ledger(ledger))
    with _ledger(ledger, "create", user, action="run") as book:
        try:
            result = run_month(month, cities, out, table_set, book, hours, events, invoice_date,
                               prepared, pdf)
        except BaseException:
            book.discard_if_new()
            raise
        sealed = _head(book)
    for document, path in result.pending.written:
        typer.echo(f"wrote the pending workbook of {document} ({path})", err=True)
    for document in result.restored:
        typer.echo(f"wrote the missing workbook of {document} again", err=True)
    for document, reason in result.pending.left:
        typer.echo(f"warning: {document} is still not written: {reason}", err=True)
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    _echo_levels(result.levels)
    if format is RunFormat.json:
        emit_json({"month": month, "issued": [_issued(i) for i in result.issued],
                   "already_issued": [_issued(i) for i in result.existing],
                   "levels": [{"city": v.city, "level": v.level, "reason": v.reason}
                              for v in result.levels],
                   "head": {"entries": sealed[0], "head": sealed[1]}})
    for invoice in result.issued if format is RunFormat.text else ():
        extra = (f"  supplementary invoice {invoice.supplement} for {invoice.month} "
                 f"({', '.join(c['city'] for c in invoice.inputs['cities'])} added)"
                 if invoice.supplement else "")
        typer.echo(f"issued {invoice.label}  {invoice.bill_to}  {invoice.total:>16,}  "
                   f"due {invoice.due_date} ({invoice.terms})  {invoice.file}{extra}")
    for invoice in result.existing if format is RunFormat.text else ():
        typer.echo(f"already issued {invoice.label}  {invoice.bill_to}  {invoice.month}  "
                   f"{invoice.total:,}  (nothing new)")
    for path in result.pdfs:
        typer.echo(f"wrote {path}", err=True)
    for document, reason in result.pdfs_left:
        typer.echo(f"error: the PDF of {document} was not written: {reason}; print it with "
                   f"`pricing invoice print {document.split()[-1]} -o FILE.pdf`", err=True)
    typer.echo(f"{len(result.issued)} invoice(s) issued for {month}, "
               f"{len(result.existing)} already issued", err=True)
    typer.echo(f"ledger head: {sealed[1]} ({sealed[0]:,} entries; keep it to seal this "
               f"history: `pricing ledger check --head HEAD`)", err=True)
    if result.pdfs_left and not result.unwritten:
        raise typer.Exit(1)
    if result.unwritten:
        for invoice, reason in result.unwritten:
            typer.echo(f"error: invoice {invoice.label} is issued but its workbook was not "
                       f"written: {reason}; the next run writes it", err=True)
        raise typer.Exit(1)


def _head(book) -> tuple[int, str]:
    """The ledger's (entries, head) after a run, which prints it so sealing costs nothing."""
    from invoices.ledger.chain import head

    with book.read() as conn:
        return head(conn)


def _refuse_unverified(book, documents) -> None:
    """A re-print shows a document as genuine: refuse one whose content no longer matches
    the hash the ledger's history recorded for it."""
    from invoices.ledger.chain import verify_document
    from pricing.errors import PricingError

    with book.read() as conn:
        for kind, ref in documents:
            broken = verify_document(conn, kind, ref)
            if broken:
                raise PricingError(f"{broken}: it fails verification and is not printed as "
                                   f"genuine; `pricing ledger check` says what changed")


def _issued(invoice) -> dict:
    """An invoice of a run as its JSON record lists it."""
    return {"number": invoice.number, "bill_to": invoice.bill_to, "month": invoice.month,
            "supplement": invoice.supplement, "total": str(invoice.total),
            "invoice_date": invoice.invoice_date.isoformat(),
            "due_date": invoice.due_date.isoformat(), "terms": invoice.terms,
            "file": invoice.file}


def _echo_levels(levels) -> None:
    """Each level set this run (a city's first month in its annual period) and the rule."""
    for level in levels:
        typer.echo(f"level: {level.city}  {level.level}  ({level.reason})", err=True)


def _dry_run(ledger: Path | None, inputs, tables) -> None:
    """What the run would issue, from the ledger as it stands; nothing recorded or written."""
    from invoices.ledger.store import Ledger, resolve_ledger
    from invoices.billing.run import dry_run

    where = resolve_ledger(ledger)
    exists = not isinstance(where, Path) or where.exists()
    if exists:
        with Ledger(ledger, "read") as book:
            draft = dry_run(book, inputs, tables)
    else:
        draft = dry_run(None, inputs, tables)
    for note in draft.notes:
        typer.echo(f"note: {note}", err=True)
    _echo_levels(draft.levels)
    for invoice in draft.invoices:
        typer.echo(f"would issue  {invoice.bill_to}  {invoice.total:>16,}  due {invoice.due_date} "
                   f"({invoice.terms})")
        for line in invoice.lines:
            typer.echo(f"  {line.city}  {line.description}  {line.amount:,}")
    typer.echo(f"dry run: {len(draft.invoices)} invoice(s) would be issued for {inputs.month}, "
               f"{len(draft.already)} already issued; nothing recorded or written", err=True)


@app.command("list")
@handles_errors
def list_invoices(
    month: Annotated[str | None, typer.Option("--month", parser=params.month, metavar="YYYY-MM",
                                              help="Only this month's invoices.")] = None,
    bill_to: Annotated[str | None, typer.Option("--bill-to", parser=params.name, help="Only this customer's invoices.")] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Only invoices with a balance left to pay.")] = False,
    start: Annotated[dt.date | None, typer.Option("--from", parser=params.date, metavar="YYYY-MM-DD", help="Only invoices dated on or after this day.")] = None,
    end: Annotated[dt.date | None, typer.Option("--to", parser=params.date, metavar="YYYY-MM-DD", help="Only invoices dated on or before this day.")] = None,
    city: Annotated[str | None, typer.Option("--city", parser=params.name, help="Only invoices with a line for this city.")] = None,
    min_total: Annotated[Decimal | None, typer.Option("--min-total", parser=params.amount, metavar="AMOUNT", help="Only invoices of at least this total.")] = None,
    limit: Annotated[int | None, typer.Option("--limit", parser=params.count, metavar="N", help="Show at most this many (default: 50 in a table, all in csv/json; 0 for all).")] = None,
    format: FormatOption = Format.table,
    ledger: LedgerOption = None,
    tables: TablesOption = None,
) -> None:
    """The ledger's invoices, filtered by month, customer, dates, city, total or balance.

    One query of the invoice columns with the filters in SQL, so a ledger of many thousands of
    invoices answers at once; a table shows the first 50 and says how many more match. Each
    invoice shows one due date, the one in force; where a termination changed it (PSA Section
    20(b)), the date it was issued with and why are beside it.

    Example: pricing invoice list --open --from 2001-01-01 --min-total 100000
    """
    from invoices.receivables.listing import Filters, list_invoices as find
    from pricing.rules.agreements import customer_key

    if limit is None:
        limit = 50 if format is Format.table else 0
    if end is not None and start is not None and end < start:
        raise typer.BadParameter(f"{end} is before --from {start}", param_hint="--to")
    table_set = load(tables)
    with _reader(ledger) as book:
        listed, matching = find(book, table_set, Filters(month, bill_to, start, end, city,
                                                         min_total, open_only), limit or None)
    if format is Format.json:
        emit_json([i.as_dict() for i in listed])
    else:
        columns = ["number", "bill_to", "month", "invoice_date", "due_date", "terms", "total",
                   "open", "file", "due_date_as_issued", "due_reason"]
        rows = [[i.label, i.bill_to, i.month, i.invoice_date, i.due.in_force, i.terms, i.total,
                 i.open, i.file, i.due.as_issued if i.due.changed else None, i.due.reason]
                for i in listed]
        if format is Format.csv:
            emit_csv(columns, rows)
        else:
            emit_table(columns, rows, right=("total", "open"))
    if matching > len(listed):
        typer.echo(f"{matching - len(listed):,} more ({matching:,} match; --limit 0 for all)",
                   err=True)
    if bill_to and not matching:
        from invoices.receivables.listing import known_bill_tos

        with _reader(ledger) as book:
            names = known_bill_tos(book)
        if not any(customer_key(n) == customer_key(bill_to) for n in names):
            typer.echo(f"note: no invoice to {bill_to!r}; the ledger bills "
                       f"{'; '.join(names) or 'no one yet'}", err=True)


@app.command("show")
@handles_errors
def show(number: NumberArgument, format: FormatOption = Format.table,
         ledger: LedgerOption = None, tables: TablesOption = None) -> None:
    """One invoice with its lines and its due date in force.

    Where a termination changed the due date, the date it was issued with and why are shown
    beside it."""
    with _ledger(ledger) as book:
        invoice = book.get(number)
        due = _due(book, invoice, tables)
    if format is Format.json:
        emit_json({**invoice.as_dict(), **due.as_dict()})
        return
    columns = ["city", "description", "quantity", "unit_price", "amount", "source"]
    rows = [[getattr(line, c) for c in columns] for line in invoice.lines]
    rows.append(["", "Total", "", "", invoice.total, ""])
    if format is Format.csv:
        emit_csv(columns, rows)
    else:
        emit_table(columns, rows, title=f"Invoice {invoice.label} to {invoice.bill_to}, "
                   f"{invoice.month}: dated {invoice.invoice_date}, due {due.in_force} "
                   + (f"(issued due {due.as_issued}, {invoice.terms}; {due.reason})"
                      if due.changed else f"({invoice.terms})"),
                   right=("quantity", "unit_price", "amount"))


@app.command("explain")
@handles_errors
def explain_invoice(number: NumberArgument, format: FormatOption = Format.table,
                    ledger: LedgerOption = None, tables: TablesOption = None) -> None:
    """Re-price an invoice from the inputs it records and say which rule priced each line.

    Shows each city's hours, the prepaid blocks bought and the prepaid hours left, the hours
    billed at the hourly rate, and the rule of each line. Lines that differ under the tables
    given are shown, and the exit code is 1.

    Example: pricing invoice explain 2 --format json
    """
    from invoices.billing.explain import explain

    with _ledger(ledger) as book:
        invoice = book.get(number)
    table_set = load(tables)
    result = explain(invoice, table_set)
    if not result.same_tables:
        typer.echo(f"note: invoice {invoice.label} was priced with tables {invoice.tables_sha256[:12]}; "
                   f"{table_set.directory} has {table_set.manifest_sha256[:12]}", err=True)
    differing = {position for position, _, _ in result.differences}
    if format is Format.json:
        emit_json({"number": invoice.number, "bill_to": invoice.bill_to, "month": invoice.month,
                   "total": invoice.total, "matches": result.matches,
                   "same_tables": result.same_tables,
                   "cities": [c.as_dict() for c in result.cities],
                   "lines": [{"position": position, **line.as_dict(), "rule": rule,
                              "matches": position not in differing,
                              "reworded": position in result.reworded}
                             for position, (line, rule)
                             in enumerate(zip(result.lines, result.rules), start=1)],
                   "differences": [{"position": position,
                                    "recorded": old.as_dict() if old else None,
                                    "repriced": new.as_dict() if new else None}
                                   for position, old, new in result.differences]})
    elif format is Format.csv:
        emit_csv(["line", "city", "kind", "quantity", "unit_price", "amount", "rule", "matches"],
                 [[position, line.city, line.kind, line.quantity, line.unit_price, line.amount,
                   rule, position not in differing] for position, (line, rule)
                  in enumerate(zip(result.lines, result.rules), start=1)])
    else:
        if result.cities:
            emit_table(["city", "level", "hours_this_month", "hours_in_period", "blocks_bought",
                        "prepaid_hours_left", "hourly_hours"],
                       [[c.city, c.level, c.month_hours, c.period_hours,
                         f"{c.blocks_bought} of {c.blocks_before_hourly}", c.prepaid_left,
                         c.hourly_hours] for c in result.cities],
                       title=f"Invoice {invoice.label} to {invoice.bill_to}, {invoice.month}: "
                             f"hours and prepaid blocks",
                       right=("hours_this_month", "hours_in_period", "blocks_bought",
                              "prepaid_hours_left", "hourly_hours"))
        emit_table(["line", "city", "kind", "quantity", "amount", "rule"],
                   [[position, line.city, line.kind, line.quantity, line.amount,
                     rule + (" (differs from the invoice)" if position in differing else "")]
                    for position, (line, rule)
                    in enumerate(zip(result.lines, result.rules), start=1)],
                   title="Each line and the rule that priced it",
                   right=("line", "quantity", "amount"))
        if result.matches:
            typer.echo(f"invoice {invoice.label}: all {len(invoice.lines)} lines match the tables "
                       f"(total {invoice.total:,})")
        for position, old, new in result.differences:
            typer.echo(f"line {position}:")
            typer.echo(f"  recorded:  {old.city + ': ' + old.description + ' = ' + str(old.amount) if old else '(none)'}")
            typer.echo(f"  re-priced: {new.city + ': ' + new.description + ' = ' + str(new.amount) if new else '(none)'}")
        if result.reworded:
            typer.echo(f"note: line{'s' if len(result.reworded) > 1 else ''} "
                       f"{', '.join(map(str, result.reworded))} "
                       f"{'are' if len(result.reworded) > 1 else 'is'} worded otherwise now; "
                       f"the amounts are the same", err=True)
    if not result.matches:
        raise typer.Exit(1)


PrintFormat = Annotated[DocumentFormat | None, typer.Option(
    "--format", help="The file's format (default: its extension).")]


@app.command("print")
@handles_errors
def print_document(
    number: NumberArgument,
    output: Annotated[Path, typer.Option("-o", "--output", help="The file: .pdf, .xlsx or .html.")],
    credit: Annotated[bool, typer.Option("--credit", help="NUMBER is a credit note's number.")] = False,
    format: PrintFormat = None,
    ledger: LedgerOption = None,
    tables: TablesOption = None,
) -> None:
    """Print an issued invoice or credit note again, from the ledger alone.

    The same figures as the original, as PDF, XLSX or HTML (by the extension of -o, or
    --format), marked COPY with the day it was printed. An invoice's copy shows its due date
    in force and, where it changed since issue (a termination), the date it was issued with and
    why. With --credit, NUMBER is a credit note's. Never changes the ledger.

    Example: pricing invoice print 3 -o invoice-000003.pdf
    """
    from invoices.documents.printing import DOCUMENT_FORMATS, Reprint, print_credit_note, print_invoice

    fmt = chosen_format(output, format, DOCUMENT_FORMATS, to_screen=())
    if fmt == "pdf":
        from invoices.documents.pdf import check_renderer

        check_renderer()
    with _ledger(ledger) as book:
        target = report_output(output, book)
        if credit:
            from invoices.receivables.accounts import credit_note

            note = credit_note(book, number)
            invoice = book.get(note.invoice)
            _refuse_unverified(book, [("credit", note.number), ("invoice", note.invoice)])
            what = f"credit note {note.number:06d}"
            copy = Reprint(dt.date.today())
        else:
            invoice = book.get(number)
            _refuse_unverified(book, [("invoice", number)])
            what = f"invoice {invoice.label}"
            copy = Reprint(dt.date.today(), _due(book, invoice, tables))
    if credit:
        print_credit_note(note, invoice, target, fmt, copy=copy)
    else:
        print_invoice(invoice, target, fmt, copy=copy)
    changed = f"; due {copy.due.in_force}, {copy.due.note()}" if copy.due and copy.due.changed else ""
    typer.echo(f"wrote a copy of {what} to {output} ({fmt}){changed}", err=True)
