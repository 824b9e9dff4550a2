"""`pricing documents send`: e-mail invoices and credit notes to their customers (issue 25)."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

import typer

from pricing.cli import params
from pricing.cli.common import TablesOption, handles_errors, load
from pricing.cli.invoice_cmd import LedgerOption, UserOption, _ledger

app = typer.Typer(help="Customer documents: e-mail them.", no_args_is_help=True)


class Kind(str, Enum):
    invoice = "invoice"
    credit = "credit"
    statement = "statement"


@app.command("send")
@handles_errors
def send(kind: Annotated[Kind | None, typer.Argument(metavar="[KIND]", help="invoice, credit (a credit note) or statement.")] = None,
         number: Annotated[int | None, typer.Argument(parser=params.number, metavar="[NUMBER]", help="The document's number.")] = None,
         pending: Annotated[bool, typer.Option("--pending", help="Every invoice, credit note and reminder letter not yet sent.")] = False,
         smtp: Annotated[str, typer.Option("--smtp", metavar="HOST:PORT", help="The SMTP server (credentials from PRICING_SMTP_USER and PRICING_SMTP_PASSWORD; STARTTLS when offered).")] = "",
         sender: Annotated[str, typer.Option("--from", metavar="ADDRESS", help="The sender's address.")] = "",
         resend: Annotated[bool, typer.Option("--resend", help="Send again a document already sent.")] = False,
         customer: Annotated[str | None, typer.Option("--customer", parser=params.name, metavar="NAME", help="With statement: the customer, as its invoices name it.")] = None,
         start: Annotated[dt.date | None, typer.Option("--start", parser=params.date, metavar="YYYY-MM-DD", help="With statement: its first day.")] = None,
         end: Annotated[dt.date | None, typer.Option("--end", parser=params.date, metavar="YYYY-MM-DD", help="With statement: its last day.")] = None,
         ledger: LedgerOption = None, tables: TablesOption = None,
         user: UserOption = None) -> None:
    """E-mail invoices, credit notes, statements and reminder letters as PDFs to each customer.

    The address is the customers table's billing_email (an address missing is an error naming the customer, and nothing is sent). Every message, sent or failed, is recorded in the ledger's outbox with its recipient and Message-ID; a document already sent is skipped unless --resend.

    Example: pricing documents send invoice 3 --smtp smtp.example.com:587 --from billing@example.com
    """
    from invoices.documents.mail import address, server
    from invoices.workflows import send_documents

    if pending == (kind is not None):
        raise typer.BadParameter("give KIND NUMBER, or --pending", param_hint="KIND")
    if kind is Kind.statement:
        if customer is None or start is None or end is None or number is not None:
            raise typer.BadParameter("a statement is sent with --customer NAME --start DATE "
                                     "--end DATE", param_hint="statement")
        if end < start:
            raise typer.BadParameter(f"{end} is before --start {start}", param_hint="--end")
    elif kind is not None and number is None:
        raise typer.BadParameter("give the document's NUMBER", param_hint="NUMBER")
    if not smtp:
        raise typer.BadParameter("name the SMTP server: --smtp HOST:PORT", param_hint="--smtp")
    where = server(smtp)
    sender = address(sender, "--from")
    table_set = load(tables)
    with _ledger(ledger, "write", user, action="send") as book:
        target = (("statement", (customer, start, end)) if kind is Kind.statement
                  else (kind.value, number) if kind is not None else None)
        results = send_documents(book, table_set, None if pending else [target], where, sender,
                                 resend)
    for r in results:
        typer.echo("  ".join(part for part in (r.document, r.recipient, r.result, r.message_id)
                             if part))
    typer.echo(f"{sum(r.result == 'sent' for r in results)} sent, "
               f"{sum(r.result.startswith('failed') for r in results)} failed, "
               f"{sum(r.result.startswith('skipped') for r in results)} skipped", err=True)
    if any(r.result.startswith("failed") for r in results):
        raise typer.Exit(1)
