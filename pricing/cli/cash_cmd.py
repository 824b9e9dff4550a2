"""`pricing ar import-payments`, `ar apply`, `ar refund`, `ar cash`, `ar bank-lines`,
`ar reverse-bank-line`, `ar remind`: getting paid.

Registered on the `ar` command group (pricing.cli.ar_cmd.app): cash application is part of
receivables to its users; it is a module of its own because it is a job of its own.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from pricing.cli import params
from pricing.cli.ar_cmd import AMOUNTS, DateOption, FormatOption, app
from pricing.cli.common import Format, TablesOption, emit_json, emit_rows, handles_errors, load
from pricing.cli.invoice_cmd import LedgerOption, UserOption, _ledger, _reader

CustomerArgument = Annotated[str, typer.Argument(parser=params.name, metavar="CUSTOMER",
                                                 help="The customer, as the customers table "
                                                      "names it (case, punctuation and "
                                                      "\"Inc.\" aside).")]


@app.command("import-payments")
@handles_errors
def import_payments(
        file: Annotated[Path, typer.Argument(metavar="FILE", help="A bank CSV, or an ISO 20022 camt.053 statement (XML).")],
        columns: Annotated[Path | None, typer.Option("--columns", metavar="FILE", help="CSV field,column: the bank's names of the date, amount, payer and reference columns (default: invoices/receivables/data/bank_columns.csv).")] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help="Show where each line's money would go; record nothing.")] = False,
        format: FormatOption = Format.table,
        ledger: LedgerOption = None, tables: TablesOption = None,
        user: UserOption = None) -> None:
    """Import a bank statement's payments: each line to its customer, then to invoices.

    A line's money pays the invoices its reference names first, in the order named, then the customer's oldest open undisputed invoices; the rest is unapplied cash on the customer's account. A line matching no customer, a debit, a date outside the agreement or a malformed file is listed with file and line, and nothing of the file is recorded. Importing the same file again records nothing.

    Example: pricing ar import-payments statement-2001-06.xml --dry-run
    """
    from invoices.receivables.bank_files import read_bank_file
    from invoices.receivables.cash import import_payments as record

    lines = read_bank_file(file, columns)
    table_set = load(tables)
    mode = "read" if dry_run else "write"
    with _ledger(ledger, mode, user, action="import") as book:
        found = record(book, lines, table_set, dry_run=dry_run)
    columns_shown = ["line", "date", "customer", "amount", "applied", "unapplied", "status"]
    rows = [[i.line.where, i.line.date, i.customer, i.line.amount,
             "; ".join(f"{n:06d} {a:,}" for n, a in i.applied),
             i.unapplied, "already imported" if i.already else
             ("would record" if dry_run else "recorded")] for i in found]
    if format is Format.json:
        emit_json([{"line": i.line.where, "identity": i.line.identity,
                    "date": i.line.date.isoformat(), "payer": i.line.payer,
                    "customer": i.customer, "amount": str(i.line.amount),
                    "applied": [{"invoice": n, "amount": str(a)} for n, a in i.applied],
                    "unapplied": str(i.unapplied), "already_imported": i.already,
                    "named_not_paid": list(i.unpaid)}
                   for i in found])
    else:
        emit_rows(format, columns_shown, rows, right=("amount", "unapplied"))
    for i in found:
        for said in i.unpaid:
            typer.echo(f"note: {i.line.where}: {said}", err=True)
    new = [i for i in found if not i.already]
    applied = sum((a for i in new for _, a in i.applied), Decimal("0.00"))
    unapplied = sum((i.unapplied for i in new), Decimal("0.00"))
    verb = "would import" if dry_run else "imported"
    typer.echo(f"{verb} {len(new)} line(s) of {file} ({len(found) - len(new)} already "
               f"imported): {applied:,} applied to invoices, {unapplied:,} unapplied"
               + ("; nothing recorded (--dry-run)" if dry_run else ""), err=True)


@app.command("apply", context_settings=AMOUNTS)
@handles_errors
def apply(customer: CustomerArgument,
          to: Annotated[int, typer.Option("--to", parser=params.number, metavar="NUMBER", help="The invoice the cash pays.")],
          date: DateOption,
          amount: Annotated[Decimal | None, typer.Argument(parser=params.amount, metavar="[AMOUNT]", help="How much (default: all the invoice may take, up to the unapplied cash).")] = None,
          ledger: LedgerOption = None, tables: TablesOption = None,
          user: UserOption = None) -> None:
    """Pay an invoice from a customer's unapplied cash.

    Example: pricing ar apply "KMC Telecom III, Inc." --to 5 --date 2001-07-01
    """
    from invoices.receivables.cash import apply_cash

    with _ledger(ledger, "write", user, action="apply") as book:
        name, value, left = apply_cash(book, customer, to, amount, date, load(tables))
    typer.echo(f"applied {value:,} of {name}'s unapplied cash to invoice {to:06d}; "
               f"{left:,} unapplied left")


@app.command("refund", context_settings=AMOUNTS)
@handles_errors
def refund(customer: CustomerArgument,
           amount: Annotated[Decimal, typer.Argument(parser=params.amount, metavar="AMOUNT", help="How much of the unapplied cash is paid back.")],
           date: DateOption,
           reason: Annotated[str, typer.Option("--reason", parser=params.reason, help="Why it is paid back.")],
           ledger: LedgerOption = None, tables: TablesOption = None,
           user: UserOption = None) -> None:
    """Record unapplied cash paid back to a customer.

    Example: pricing ar refund "KMC Telecom III, Inc." 24000.00 --date 2001-07-10 --reason "overpaid June"
    """
    from invoices.receivables.cash import refund as record

    with _ledger(ledger, "write", user, action="refund") as book:
        name, left = record(book, customer, amount, date, reason, load(tables))
    typer.echo(f"refunded {amount:,} to {name}; {left:,} unapplied left")


@app.command("cash")
@handles_errors
def cash(format: FormatOption = Format.table, ledger: LedgerOption = None) -> None:
    """Each customer's cash: received, applied to invoices, refunded, and unapplied.

    Received = applied + unapplied + refunded, to the cent; a voided payment made from cash gives its money back to the unapplied balance.
    """
    from invoices.receivables.unapplied import cash_balances

    with _reader(ledger) as book:
        found = cash_balances(book)
    if format is Format.json:
        emit_json([c.as_dict() for c in found])
        return
    emit_rows(format, ["customer", "received", "applied", "refunded", "unapplied"],
              [[c.customer, c.received, c.applied, c.refunded, c.unapplied] for c in found],
              right=("received", "applied", "refunded", "unapplied"))


@app.command("bank-lines")
@handles_errors
def bank_lines(customer: Annotated[str | None, typer.Option("--customer", parser=params.name, metavar="NAME", help="Only this customer's lines, as the ledger names it.")] = None,
               format: FormatOption = Format.table, ledger: LedgerOption = None) -> None:
    """The bank lines imported: each with its customer, what stands applied from it, and its reversal.

    Example: pricing ar bank-lines --customer "KMC Telecom III, Inc."
    """
    from invoices.receivables.cash import bank_line_entries

    with _reader(ledger) as book:
        found = bank_line_entries(book, customer)
    if format is Format.json:
        emit_json([{"id": e.id, "date": e.date.isoformat(), "customer": e.customer,
                    "payer": e.payer, "amount": str(e.amount), "reference": e.reference,
                    "source": e.source, "applied": str(e.applied),
                    "reversed": e.reversed.isoformat() if e.reversed else None} for e in found])
        return
    emit_rows(format, ["id", "date", "customer", "amount", "applied", "reversed", "source"],
              [[e.id, e.date, e.customer, e.amount, e.applied, e.reversed or "", e.source]
               for e in found], right=("amount", "applied"))


@app.command("reverse-bank-line")
@handles_errors
def reverse_bank_line(line_id: Annotated[int, typer.Argument(parser=params.number, metavar="ID", help="The bank line's id (see `ar bank-lines`).")],
                      date: DateOption,
                      reason: Annotated[str, typer.Option("--reason", parser=params.reason, help="Why it is reversed (imported by mistake, recalled by the bank).")],
                      ledger: LedgerOption = None, tables: TablesOption = None,
                      user: UserOption = None) -> None:
    """Reverse a bank line imported by mistake, or a transfer the bank recalled.

    The payments made from it are voided on the reversal's date, and its money no longer counts as received; the line and its payments stay in the ledger. Refused, recording nothing, when the line's cash was applied or refunded since: undo those first. Importing its file again does not bring it back.

    Example: pricing ar reverse-bank-line 3 --date 2001-07-02 --reason "KMC Telecom II's transfer, matched to III"
    """
    from invoices.receivables.cash import reverse_bank_line as reverse

    with _ledger(ledger, "write", user, action="reverse") as book:
        done = reverse(book, line_id, date, reason, load(tables))
    voided = "; ".join(f"payment {pid} of {amount:,} on invoice {invoice:06d}"
                       for pid, invoice, amount in done.voided) or "no payment"
    typer.echo(f"bank line {line_id} ({done.line.amount:,} from {done.line.payer}) reversed from "
               f"{done.date}; voided {voided}; {done.line.customer} has {done.unapplied:,} "
               f"unapplied")


@app.command("remind")
@handles_errors
def remind(as_of: Annotated[dt.date, typer.Option("--as-of", parser=params.date, metavar="YYYY-MM-DD", help="The day the letters are dated and days past due counted.")],
           out: Annotated[Path, typer.Option("-o", "--out", metavar="DIR", help="Directory for the letters (PDF).")],
           ledger: LedgerOption = None, tables: TablesOption = None,
           user: UserOption = None) -> None:
    """Write reminder letters for undisputed amounts past due, by stage, and record them.

    A friendly reminder, a second reminder, then a notice citing the right to cease performing (the psa_remedies table's clause) with the Adequate Assurance Amount; the stages' days past due are in invoices/receivables/data/reminder_stages.csv (1, 15 and 30 as shipped). Each letter lists the invoices past due with their days past due, and disputed amounts apart; the same stage is never sent twice for the same invoices.

    Example: pricing ar remind --as-of 2001-07-01 -o letters/
    """
    from invoices.workflows import remind as write

    from pricing.rules.agreements import check_in_term

    table_set = load(tables)
    check_in_term(table_set, "PSA", as_of)
    with _ledger(ledger, "write", user, action="remind") as book:
        letters = write(book, as_of, out, table_set)
    for letter in letters:
        typer.echo(f"{letter.stage.key:8s}  {letter.customer}  {len(letter.items)} invoice(s)  "
                   f"past due {letter.past_due:,}"
                   + (f"  (in dispute {letter.disputed:,}, not included)" if letter.disputed else "")
                   + f"  {letter.file}")
    typer.echo(f"{len(letters)} letter(s) written and recorded for {as_of}", err=True)
