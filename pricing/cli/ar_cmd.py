"""`pricing ar ...`: receivables: payments, disputes, credit notes, aging, status, assurance,
termination and statements, by the remedies the psa_remedies table gives."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from pricing.cli import params
from pricing.cli.common import (FORMAT_HELP, Format, ReportFormat, StatementFormat, TablesOption,
                                chosen_format, emit_csv, emit_json, emit_rows, emit_table,
                                handles_errors, load)
from pricing.cli.invoice_cmd import LedgerOption, UserOption, _ledger, _reader, report_output

app = typer.Typer(help="Receivables: what is owed, paid, disputed and past due.", no_args_is_help=True)

DateOption = Annotated[dt.date, typer.Option("--date", parser=params.date, metavar="YYYY-MM-DD",
                                             help="The date it happened.")]
AsOfOption = Annotated[dt.date, typer.Option("--as-of", parser=params.date, metavar="YYYY-MM-DD",
                                             help="The day the report is for.")]
Number = Annotated[int, typer.Argument(parser=params.number, metavar="NUMBER",
                                       help="Invoice number (3 or 000003).")]
Amount = Annotated[Decimal, typer.Argument(parser=params.amount, metavar="AMOUNT",
                                           help="Amount, e.g. 1250.00, 1,250.00 or $1,250.00.")]


FormatOption = Annotated[Format, typer.Option("--format", help=FORMAT_HELP)]
OutputOption = Annotated[Path | None, typer.Option(
    "-o", "--output", help="Write to this file, in the format of its extension (.csv, .json, "
                           ".xlsx) or --format.")]


# A negative amount ("-100") is an amount to refuse with a reason, not an unknown option.
AMOUNTS = {"ignore_unknown_options": True}


@app.command("pay", context_settings=AMOUNTS)
@handles_errors
def pay(number: Number, amount: Amount, date: DateOption, ledger: LedgerOption = None,
        user: UserOption = None) -> None:
    """Record a payment on an invoice (partial or whole). Overpayment is refused.

    Example: pricing ar pay 3 100000.00 --date 2001-05-15
    """
    from invoices.receivables.accounts import record_payment

    with _ledger(ledger, "write", user, action="pay") as book:
        payment, after = record_payment(book, number, amount, date)
    typer.echo(f"payment {payment} recorded by {book.recorder}: invoice {number:06d} paid "
               f"{after.paid:,} of {after.total:,}; open {after.open:,}")


@app.command("void-payment")
@handles_errors
def void(payment_id: Annotated[int, typer.Argument(parser=params.number, metavar="ID",
                                                  help="Payment id (see `ar payments`).")],
         reason: Annotated[str, typer.Option("--reason", parser=params.reason,
                                             help="Why the payment is voided.")],
         date: Annotated[dt.date, typer.Option(
             "--date", parser=params.date, metavar="YYYY-MM-DD",
             help="The day the reversal takes effect (not before the payment).")],
         ledger: LedgerOption = None, user: UserOption = None) -> None:
    """Void a payment recorded by mistake, or one that bounced, by recording its reversal.

    Nothing is deleted: the payment and its reversal both stay in the ledger, with who recorded each and when; the invoice is open again by the amount from the reversal's date.

    Example: pricing ar void-payment 7 --date 2001-06-01 --reason "posted to the wrong invoice"
    """
    from invoices.receivables.accounts import void_payment

    with _ledger(ledger, "write", user, action="void") as book:
        payment, after = void_payment(book, payment_id, date, reason)
    typer.echo(f"payment {payment.id} of {payment.amount:,} on invoice {payment.invoice:06d} "
               f"voided from {payment.voided} by {payment.voided_by}; invoice "
               f"{payment.invoice:06d} open {after.open:,}")


@app.command("payments")
@handles_errors
def list_payments(invoice: Annotated[int | None, typer.Option(
                      "--invoice", parser=params.number, metavar="NUMBER",
                      help="Only this invoice's payments.")] = None,
                  format: FormatOption = Format.table, ledger: LedgerOption = None) -> None:
    """Every payment with who recorded it and when, and its reversal if it was voided."""
    from invoices.receivables.accounts import payment_list

    with _ledger(ledger) as book:
        found = payment_list(book, invoice)
    columns = ["id", "invoice", "bill_to", "date", "amount", "recorded_by", "recorded_at",
               "voided", "void_reason", "voided_by", "voided_at"]
    emit_rows(format, columns, [[p.id, f"{p.invoice:06d}", p.bill_to, p.date, p.amount,
                                 p.recorded_by, p.recorded_at, p.voided, p.void_reason,
                                 p.voided_by, p.voided_at] for p in found], right=("amount",))


@app.command("dispute", context_settings=AMOUNTS)
@handles_errors
def dispute(number: Number, amount: Amount, date: DateOption,
            reason: Annotated[str, typer.Option("--reason", parser=params.reason, help="What is disputed.")],
            ledger: LedgerOption = None, tables: TablesOption = None,
            user: UserOption = None) -> None:
    """Record a good-faith dispute of all or part of an invoice, of any date.

    The amount is withheld as the agreement in force on the dispute's date says: from the
    psa_remedies table's first version, for the table's days of good-faith discussion; before
    it, as the table's before_dispute_rule says (until the dispute is finally settled).

    Example: pricing ar dispute 3 20000.00 --date 2001-05-10 --reason "hours not agreed"
    """
    from invoices.receivables.accounts import record_dispute

    with _ledger(ledger, "write", user, action="dispute") as book:
        found = record_dispute(book, number, amount, date, reason, load(tables))
    until = (f"the good-faith discussion runs to {found.discussion_until}; "
             if found.discussion_until else "")
    typer.echo(f"dispute {found.id} on invoice {number:06d}: {found.amount:,} from {found.date}, "
               f"recorded by {found.recorded_by}; {until}{found.rule}")


@app.command("resolve")
@handles_errors
def resolve(dispute_id: Annotated[int, typer.Argument(parser=params.number, metavar="ID",
                                                     help="Dispute id.")], date: DateOption,
            resolution: Annotated[str, typer.Option("--resolution", parser=params.reason, help="How it was settled.")],
            ledger: LedgerOption = None, user: UserOption = None) -> None:
    """Record a dispute's resolution (issue a credit note separately if the customer was right)."""
    from invoices.receivables.accounts import resolve_dispute

    with _ledger(ledger, "write", user, action="resolve") as book:
        resolve_dispute(book, dispute_id, date, resolution)
    typer.echo(f"dispute {dispute_id} resolved")


@app.command("dispute-extend")
@handles_errors
def dispute_extend(dispute_id: Annotated[int, typer.Argument(parser=params.number, metavar="ID",
                                                            help="Dispute id.")],
                   until: Annotated[dt.date, typer.Option("--until", parser=params.date, metavar="YYYY-MM-DD", help="The last day of the discussion period agreed.")],
                   reason: Annotated[str, typer.Option("--reason", parser=params.reason, help="What was agreed, and with whom.")],
                   ledger: LedgerOption = None, tables: TablesOption = None,
                   user: UserOption = None) -> None:
    """Record a longer good-faith discussion period agreed for a dispute.

    The discussion period the tables give may be longer where the parties agree. Each
    extension is kept, with who recorded it; the latest is the period in force.

    Example: pricing ar dispute-extend 1 --until 2001-06-30 --reason "agreed with KMC billing on 2001-05-25"
    """
    from invoices.receivables.accounts import extend_dispute

    with _ledger(ledger, "write", user, action="extend") as book:
        found = extend_dispute(book, dispute_id, until, reason, load(tables))
    typer.echo(f"dispute {found.id} on invoice {found.invoice:06d}: the good-faith discussion "
               f"now runs to {found.discussion_until}, recorded by {book.recorder}")


@app.command("disputes")
@handles_errors
def list_disputes(format: FormatOption = Format.table,
                  ledger: LedgerOption = None, tables: TablesOption = None) -> None:
    """Every dispute with its discussion deadline and resolution, and who recorded each.

    The deadline follows the agreement in force on the dispute's date, or the latest extension
    agreed; a dispute raised before the psa_remedies table's first version has none."""
    from invoices.receivables.accounts import disputes

    with _ledger(ledger) as book:
        found = disputes(book, load(tables))
    columns = ["id", "invoice", "date", "amount", "discussion_until", "rule", "resolved",
               "resolution", "reason", "recorded_by", "resolved_by"]
    emit_rows(format, columns, [[d.id, f"{d.invoice:06d}", d.date, d.amount,
                                 d.discussion_until, d.rule,
                                 d.resolved_date, d.resolution, d.reason, d.recorded_by,
                                 d.resolved_by] for d in found], right=("amount",))


@app.command("credit", context_settings=AMOUNTS)
@handles_errors
def credit(number: Number, amount: Amount,
           reason: Annotated[str, typer.Option("--reason", parser=params.reason, help="Why the credit is given.")],
           date: DateOption,
           out: Annotated[Path, typer.Option("--out", help="Directory for the credit note.")] = Path("."),
           pdf: Annotated[bool, typer.Option("--pdf", help="Also write the credit note as a PDF beside its workbook.")] = False,
           ledger: LedgerOption = None, user: UserOption = None) -> None:
    """Issue a numbered credit note against an invoice, in the ledger and as a workbook.

    The output directory is checked first: a credit whose document cannot be written is not
    recorded. Credit notes and invoices left unwritten by an earlier command are written first.

    Example: pricing ar credit 3 20000.00 --date 2001-06-01 --reason "dispute 1 settled"
    """
    from invoices.ledger import schema
    from invoices.ledger.claims import marker, output_dir
    from invoices.documents.pending import complete_pending
    from invoices.ledger.claims import credit_document
    from invoices.receivables.accounts import issue_credit
    from invoices.documents.workbooks import write_credit_note

    if pdf:
        from invoices.documents.pdf import check_renderer

        check_renderer()
    with _ledger(ledger, "write", user, action="credit") as book:
        folder = output_dir(out)
        note = issue_credit(book, number, amount, date, reason, folder)
        try:
            write_credit_note(note, book.get(number), None,
                              marker(book.id, credit_document(note.number)))
            book.mark_written({note.number: note.file}, schema.credits)
        except OSError as error:
            typer.echo(f"error: credit note {note.number:06d} is recorded but its workbook was "
                       f"not written ({error.strerror or error}); the next command that writes "
                       f"documents writes it", err=True)
            raise typer.Exit(1) from None
        reason = None
        if pdf:
            from invoices.documents.html import credit_note_html
            from invoices.documents.printing import pdf_beside

            document = credit_document(note.number)
            mark = marker(book.id, document)
            reason = pdf_beside(Path(note.file), credit_note_html(note, book.get(number), mark),
                                book.id, document)
            if reason:
                typer.echo(f"error: the PDF of {document} was not written: {reason}; print it "
                           f"with `pricing invoice print --credit {note.number} -o FILE.pdf`",
                           err=True)
        pending = complete_pending(book, folder)          # only once the credit is recorded
        for document, path in pending.written:
            typer.echo(f"wrote the pending workbook of {document} ({path})", err=True)
    typer.echo(f"credit note {note.number:06d}: {note.amount:,} against invoice {number:06d} "
               f"-> {note.file}")
    if reason:
        raise typer.Exit(1)


@app.command("aging")
@handles_errors
def aging(as_of: AsOfOption,
          format: Annotated[ReportFormat | None, typer.Option(
              "--format", help="table, csv or json on stdout; with -o, the file's format "
                               "(default: its extension).")] = None,
          output: OutputOption = None,
          ledger: LedgerOption = None, tables: TablesOption = None) -> None:
    """Open balances per bill-to by days past due; disputed amounts shown apart.

    Days past the due date in force: a termination may have moved it; the invoices it moved are listed with the date they were issued with and why.

    Example: pricing ar aging --as-of 2001-06-30 -o aging.xlsx
    """
    from invoices.receivables.reports import BUCKETS, aging as find, aging_totals

    fmt = chosen_format(output, format, ("csv", "json", "xlsx"))
    with _reader(ledger) as book:
        target = report_output(output, book) if output is not None else None
        rows = find(book, as_of, load(tables))
    totals = aging_totals(rows)
    columns = ["bill_to"] + [b[0] for b in BUCKETS] + ["disputed", "total"]

    def line(r):
        return [r.bill_to] + [r.buckets[b[0]] for b in BUCKETS] + [r.disputed, r.total]

    values = [line(r) for r in rows]
    if fmt == "json":
        total = {k: v for k, v in totals.as_dict().items() if k not in ("bill_to", "due_dates_changed")}
        emit_json({"as_of": as_of, "bill_to": [r.as_dict() for r in rows], "totals": total},
                  target)
    elif fmt == "xlsx":
        from invoices.documents.aging_workbook import write_aging

        write_aging(target, as_of, columns, values)     # the workbook sums its own totals row
    elif fmt == "csv":                                  # the last row, bill_to "Total", sums the rest
        emit_csv(columns, values + [line(totals)], to=target)
    else:
        emit_table(columns, values + [line(totals)], title=f"Aging as of {as_of}",
                   right=columns[1:])
    for row in rows:
        for number, due in row.changed:
            typer.echo(f"note: invoice {number:06d} is due {due.in_force}, {due.note()}",
                       err=True)
    if target is not None:
        typer.echo(f"wrote {output}", err=True)


@app.command("status")
@handles_errors
def status(as_of: AsOfOption, format: FormatOption = Format.table,
           ledger: LedgerOption = None, tables: TablesOption = None) -> None:
    """Whether the seller may cease performing for undisputed amounts past due.

    The undisputed amounts past due, the invoices behind them, and any termination."""
    from invoices.receivables.reports import status as find

    table_set = load(tables)
    with _reader(ledger) as book:
        result = find(book, as_of, table_set)
    if format is Format.json:
        emit_json(result.as_dict())
        return
    columns = ["invoice", "bill_to", "due_date", "days_past_due", "undisputed", "disputed",
               "due_date_as_issued", "due_reason"]
    rows = [[f"{b.number:06d}", b.bill_to, b.due_date, b.days_past_due(result.as_of),
             b.undisputed, b.disputed, b.due.as_issued if b.due.changed else None,
             b.due.reason] for b in result.past_due]
    if format is Format.csv:
        emit_csv(columns, rows)
        return
    verdict = ("MAY CEASE PERFORMING" if result.may_cease else
               "PAST DUE, no right to cease" if result.past_due else "no right to cease")
    if rows:
        emit_table(columns, rows, title=f"{verdict}: {result.reason}",
                   right=("days_past_due", "undisputed", "disputed"))
    else:
        typer.echo(f"{verdict}: {result.reason}")
    for customer, amount in result.unapplied.items():   # cash held, not yet applied
        typer.echo(f"unapplied cash on account: {customer} {amount:,}")


@app.command("assurance")
@handles_errors
def assurance(as_of: AsOfOption, format: FormatOption = Format.table,
              ledger: LedgerOption = None, tables: TablesOption = None) -> None:
    """The Adequate Assurance Amount, with the payments used.

    The psa_remedies table's multiple of the average monthly payment for services over its
    number of months before the date."""
    from invoices.receivables.reports import assurance as find

    with _ledger(ledger) as book:
        result = find(book, as_of, load(tables))
    if format is Format.json:
        emit_json(result.as_dict())
        return
    columns = ["payment", "invoice", "date", "amount"]
    rows = [[pid, f"{invoice:06d}", day, amount] for pid, invoice, day, amount in result.payments]
    if format is Format.csv:
        emit_csv(columns, rows)
        return
    typer.echo(f"Adequate Assurance Amount as of {result.as_of}: {result.amount:,}")
    typer.echo(f"  = {result.multiple} x average monthly payment {result.average_monthly:,} "
               f"({result.payments_total:,} paid from {result.window_start} to the day before, "
               f"over {result.months} months)")
    if rows:
        emit_table(columns, rows, title="Payments used", right=("amount",))


@app.command("terminate")
@handles_errors
def terminate(date: Annotated[dt.date | None, typer.Option(
                  "--date", parser=params.date, metavar="YYYY-MM-DD",
                  help="The termination date (a day the PSA is in force).")] = None,
              withdraw: Annotated[bool, typer.Option(
                  "--withdraw", help="Withdraw the termination in force (give --reason).")] = False,
              reason: Annotated[str | None, typer.Option(
                  "--reason", parser=params.reason, help="Why it is withdrawn.")] = None,
              ledger: LedgerOption = None, tables: TablesOption = None,
              user: UserOption = None) -> None:
    """Record the agreement's termination, or withdraw it.

    Months starting after the termination date are not billed. Where the tables say a
    termination on that date accelerates invoices, every open invoice dated on or before it is
    due that day and an invoice dated later is due on its own date; an earlier termination
    accelerates nothing. A withdrawal is recorded beside the termination, never in place of it.

    Example: pricing ar terminate --date 2001-06-15
    """
    from invoices.receivables.reports import termination_words
    from invoices.receivables.accounts import terminate as record, withdraw_termination
    from invoices.receivables.terms import TerminationRule

    if withdraw == (date is not None):
        raise typer.BadParameter("give either --date DATE or --withdraw --reason TEXT",
                                 param_hint="--date/--withdraw")
    with _ledger(ledger, "write", user, action="terminate") as book:
        if withdraw:
            withdrawn = withdraw_termination(book, reason or "")
            typer.echo(f"the termination of {withdrawn} is withdrawn ({reason}); both entries "
                       f"stay in the ledger")
            return
        table_set = load(tables)
        done = record(book, date, table_set)
    typer.echo(f"terminated on {date}, recorded by {book.recorder}: months after it are not "
               f"billed; {termination_words(date, TerminationRule.of(table_set))}")
    for moved in done.accelerated:
        typer.echo(f"invoice {moved.number:06d} is now due {moved.due.in_force}, "
                   f"{moved.due.note()}")


@app.command("statement")
@handles_errors
def statement(bill_to: Annotated[str, typer.Argument(parser=params.text, help="The customer entity.")],
              start: Annotated[dt.date, typer.Option("--from", parser=params.date,
                                                     metavar="YYYY-MM-DD", help="First date.")],
              end: Annotated[dt.date, typer.Option("--to", parser=params.date,
                                                   metavar="YYYY-MM-DD", help="Last date.")],
              output: Annotated[Path | None, typer.Option(
                  "-o", "--output", help="The statement: .pdf, .xlsx, .html, .csv or .json.")] = None,
              format: Annotated[StatementFormat | None, typer.Option(
                  "--format", help="With -o, the file's format (default: its extension); "
                                   "without, table, csv or json on stdout.")] = None,
              ledger: LedgerOption = None, tables: TablesOption = None) -> None:
    """A statement of account for one bill-to: entries, amount due and aging.

    Opening balance, every invoice, credit note and payment with its due date and the running
    balance, the amount due, and the aging of what is open. Each invoice shows one due date,
    the one in force on the last day; where a termination moved it, the date it was issued with and why are beside it. Written as PDF, XLSX, HTML, CSV or
    JSON by the extension of -o; without -o, shown as a table (or CSV/JSON with --format).

    Example: pricing ar statement "KMC Telecom II, Inc." --from 2001-04-01 --to 2001-12-31 -o statement.pdf
    """
    from invoices.documents.printing import STATEMENT_FORMATS, print_statement, statement_rows
    from invoices.receivables.statement import build_statement

    if end < start:
        raise typer.BadParameter(f"{end} is before --from {start}", param_hint="--to")
    fmt = chosen_format(output, format, STATEMENT_FORMATS)
    if fmt == "pdf":
        from invoices.documents.pdf import check_renderer

        check_renderer()
    with _ledger(ledger) as book:
        target = report_output(output, book) if output is not None else None
        found = build_statement(book, bill_to, start, end, load(tables))
    if target is not None:
        print_statement(found, target, fmt)
        typer.echo(f"{bill_to}: opening {found.opening:,}, {len(found.entries)} entries, "
                   f"amount due {found.closing:,} -> {output}", err=True)
    elif fmt == "json":
        emit_json(found.as_dict())
    else:
        columns, rows = statement_rows(found)
        if fmt == "csv":
            emit_csv(columns, rows)
        else:
            emit_table(columns, rows, title=f"Statement of account: {bill_to}, {start} to {end}; "
                       f"amount due {found.closing:,}", right=("charge", "credit", "balance"))
