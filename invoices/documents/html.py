"""Customer documents as HTML: one Jinja2 template per document, one stylesheet for all.

The HTML is self-contained (the stylesheet is inlined, nothing is fetched) and is both the
`.html` output and what the PDF is rendered from (invoices.documents.pdf), so the two never disagree.
Everything shown comes from the ledger's record; the templates compute nothing but formatting.
Autoescaping is on: a city or a reason typed with markup in it prints as text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache

from invoices.ledger.records import Invoice
from pricing.values import parse_month

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
BUCKET_TITLES = {"current": "Current", "1-30": "1-30 days", "31-60": "31-60 days",
                 "61-90": "61-90 days", "over 90": "Over 90 days"}


def money(value: Decimal | None) -> str:
    """1,234.56 (and -1,234.56); blank for no value."""
    return "" if value is None else f"{value:,.2f}"


def currency(value: Decimal) -> str:
    """$1,234.56, the sign before the symbol: -$500.00."""
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def quantity(value: Decimal) -> str:
    """A quantity without trailing zeros: 1, 12.5, 1,500."""
    text = f"{value.normalize():,f}" if value == value.to_integral_value() else f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def date(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()


def month_name(month: str) -> str:
    year, number = parse_month(month)
    return f"{MONTHS[number - 1]} {year}"


def label(number: int) -> str:
    return f"{number:06d}"


def address(text: str) -> str:
    """The parties table writes an address on one line with commas; print the street on its
    own line ("283 King George Road" / "Warren, New Jersey 07059")."""
    street, _, rest = text.partition(", ")
    return f"{street}\n{rest}" if rest else street


def terms_brief(terms: str) -> str:
    """The terms as the facts box shows them: "Net 20", "Due on its date" (the reason, if any,
    goes in the sentence below the lines, payment_due)."""
    from invoices.receivables.terms import terms_in_brief

    return terms_in_brief(terms)[0]


def moved_due(number: int, due) -> str:
    """An invoice whose due date changed since issue, in one sentence: statements, letters and
    the statement workbook say it alike."""
    return (f"Invoice {label(number)} is due {date(due.in_force)}, not {date(due.as_issued)} "
            f"as issued: {due.reason}.")


def payment_due(due, terms: str) -> str:
    """The sentence under an invoice's lines saying when payment is due and why: the terms, a
    due date changed since issue (Section 20(b)), or the reason an invoice is due on its date."""
    from invoices.receivables.terms import terms_in_brief

    brief, reason = terms_in_brief(terms)
    if due.changed:
        return (f"Payment is due {date(due.in_force)}, not {date(due.as_issued)} as issued "
                f"({terms}): {due.reason}.")
    if reason is not None:
        return f"Payment is due {date(due.in_force)}, the invoice's date: {reason}."
    return f"Payment is due {date(due.in_force)} ({brief})."


@cache
def _environment():
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("invoices.documents", "templates"),
                             autoescape=jinja2.select_autoescape(["html"]),
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters.update(money=money, currency=currency, quantity=quantity, date=date,
                       month_name=month_name, label=label, address=address,
                       bucket_title=BUCKET_TITLES.get, terms_brief=terms_brief)
    env.globals.update(payment_due=payment_due, moved_due=moved_due)
    return env


def _render(template: str, **context) -> str:
    context.setdefault("marker", {})
    context.setdefault("copy", None)
    return _environment().get_template(template).render(**context)


def invoice_html(invoice: Invoice, marker: dict[str, str] | None = None, copy=None) -> str:
    """The invoice; `copy` (invoices.documents.printing.Reprint) makes it a re-print: marked COPY with the
    day printed, showing the due date in force and any change since issue."""
    from invoices.receivables.terms import DueDate

    due = copy.due if copy is not None and copy.due is not None else \
        DueDate(invoice.due_date, invoice.due_date)
    return _render("invoice.html", invoice=invoice, seller=invoice.seller, due=due, copy=copy,
                   seller_address=invoice.seller_address, marker=marker or {})


def credit_note_html(credit, invoice: Invoice, marker: dict[str, str] | None = None,
                     copy=None) -> str:
    return _render("credit_note.html", credit=credit, invoice=invoice, seller=invoice.seller,
                   seller_address=invoice.seller_address, marker=marker or {}, copy=copy)


def statement_html(statement) -> str:
    from invoices.receivables.reports import BUCKETS

    return _render("statement.html", statement=statement, seller=statement.seller,
                   seller_address=statement.seller_address,
                   aging_names=[b[0] for b in BUCKETS])


def reminder_html(letter) -> str:
    """A reminder letter (invoices.receivables.reminders.Letter) as HTML, in the invoices' style."""
    return _render("reminder.html", letter=letter, seller=letter.seller,
                   seller_address=letter.seller_address)
