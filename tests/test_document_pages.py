"""Where customer documents break across pages, read back per page with pdftotext as a
customer's viewer shows them: the totals and the payment note stay with the last lines, and no
page holds a single line, only the totals or only the note.

An invoice of 20 Very Small cities fits one page and one of 45 takes two (tests/test_documents.py);
the pages in between are where a break used to leave page 2 holding only the note (21-22
lines), only the totals (23) or one line (24). Every length from 1 to 40 lines is rendered, from
the priced lines of one real run (service lines of one or two printed rows, hour lines), each
invoice's total the exact sum of its lines.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest

from invoices.documents.html import credit_note_html, invoice_html, statement_html
from invoices.ledger.store import Ledger
from invoices.documents.pdf import pdf_bytes
from invoices.receivables.accounts import issue_credit, record_payment
from invoices.workflows import run_month
from invoices.receivables.statement import build_statement

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None and not os.environ.get("CI"),
                                reason="poppler-utils is installed by .ci/run")

HEADER = "city,bill_to,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv,level\n"
VERY_SMALL = "12,1,6,1,1,1"
LINE = re.compile(r"^\s*(Town \d\d)\s", re.M)       # a line's first printed row names its city
PAYMENT = re.compile(r"^\s*\d{4}-\d\d-\d\d\s+Payment\b", re.M)


def pages_of(pdf: bytes, path: Path) -> list[str]:
    """The text of each page of a PDF."""
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text.split("\f")[:-1]                        # pdftotext ends every page with \f


def render_all(documents: dict[str, str], folder: Path) -> dict[str, list[str]]:
    """Each HTML document rendered to PDF (WeasyPrint releases no GIL worth having, but
    pdftotext runs beside it) and read back page by page."""
    def one(item):
        name, html = item
        return name, pages_of(pdf_bytes(html), folder / f"{name}.pdf")

    with ThreadPoolExecutor(4) as pool:
        return dict(pool.map(one, documents.items()))


@pytest.fixture(scope="module")
def priced(tmp_path_factory, tables):
    """A ledger holding one invoice of 40 cities, every fifth with hours (so a line is one or
    two printed rows), and its lines."""
    folder = tmp_path_factory.mktemp("pages")
    cities = folder / "cities.csv"
    cities.write_text(HEADER + "".join(f'Town {n:02d},"KMC Telecom II, Inc.",{VERY_SMALL},\n'
                                       for n in range(1, 41)))
    hours = folder / "hours.csv"
    hours.write_text("city,month,hours\n" + "".join(f"Town {n:02d},2001-04,{n * 10}\n"
                                                    for n in range(1, 41, 5)))
    with Ledger(folder / "ledger.sqlite3") as ledger:
        run_month("2001-04", cities, folder / "out", tables, ledger, hours=hours)
        invoice = ledger.get(1)
    return folder, invoice


def invoice_of(invoice, count: int):
    lines = invoice.lines[:count]
    return dataclasses.replace(invoice, lines=lines,
                               total=sum((line.amount for line in lines), Decimal(0)))


def assert_ends_whole(pages: list[str], names: list[str], closing: tuple[str, ...], what: str):
    """Every line printed once; no page with a single line unless the document has one; the
    closing texts (totals, note) all on the last page, with at least two lines when there are
    two; no page without a line."""
    shown = [LINE.findall(page) for page in pages]
    assert [name for page in shown for name in page] == names, what
    for number, (page, found) in enumerate(zip(pages, shown), 1):
        assert found, f"{what}: page {number} of {len(pages)} holds no line:\n{page}"
        assert len(found) > 1 or len(names) == 1, \
            f"{what}: page {number} of {len(pages)} holds a single line ({found[0]})"
        for text in closing:
            assert (text in page) == (number == len(pages)), \
                f"{what}: {text!r} {'missing from' if number == len(pages) else 'on'} page {number}"


def test_invoices_of_1_to_40_lines_keep_their_totals_and_note_with_the_last_lines(priced):
    folder, invoice = priced
    assert len(invoice.lines) == 48 and {line.kind for line in invoice.lines} > {"service_level"}
    documents = {f"invoice-{n:02d}": invoice_html(invoice_of(invoice, n)) for n in range(1, 41)}
    rendered = render_all(documents, folder)
    counts = {}
    for n in range(1, 41):
        pages = rendered[f"invoice-{n:02d}"]
        small = invoice_of(invoice, n)
        total = f"${small.total:,.2f}"
        assert_ends_whole(pages, [line.city for line in small.lines],
                          ("Subtotal", "Total due (USD)", "Please quote invoice 000001",
                           "Professional services under contract"), f"{n} lines")
        # The total three times: in the due box on page 1, as subtotal and total due.
        assert total in pages[0] and sum(page.count(total) for page in pages) == 3
        assert pages[-1].count(total) >= 2
        counts[n] = [len(LINE.findall(page)) for page in pages]
    # The lengths that used to break badly now break before the last two lines.
    assert counts[1] == [1] and len(counts[20]) == 1 and len(counts[40]) == 2
    assert all(counts[n][-1] >= 2 for n in range(21, 41)), counts


def test_a_credit_note_with_the_longest_reason_stays_on_one_page(priced, tables):
    folder, invoice = priced
    reason = ("the city was cut over late and the parties agreed a credit; " * 40)[:2000]
    with Ledger(folder / "ledger.sqlite3") as ledger:
        credit = issue_credit(ledger, 1, "1000.00", dt.date(2001, 5, 2), reason.strip(),
                              folder / "credits")
    pages = render_all({"credit": credit_note_html(credit, invoice)}, folder)["credit"]
    assert len(pages) == 1
    assert "Total credited (USD)" in pages[0] and "$1,000.00" in pages[0]
    assert "This credit reduces the balance of invoice 000001 by $1,000.00" in pages[0]


def test_statements_of_many_entries_keep_the_closing_balance_aging_and_note_with_the_last(
        tmp_path, tables):
    """An invoice and 26 to 46 payments on it: the statement's closing balance row, its aging
    and its note stay with the last two entries, wherever page 1 ends."""
    one = tmp_path / "one.csv"
    one.write_text(HEADER + f'Savannah GA,"KMC Telecom II, Inc.",{VERY_SMALL},\n')
    documents, balances = {}, {}
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        run_month("2001-04", one, tmp_path / "out", tables, ledger)
        for n in range(1, 47):
            record_payment(ledger, 1, "100.00", dt.date(2001, 5, 1) + dt.timedelta(days=n))
            if n >= 26:
                statement = build_statement(ledger, "KMC Telecom II, Inc.", dt.date(2001, 4, 1),
                                            dt.date(2001, 7, 31), tables)
                documents[f"statement-{n:02d}"] = statement_html(statement)
                balances[n] = statement.closing
    rendered = render_all(documents, tmp_path)
    two_pages = 0
    for n in range(26, 47):
        pages = rendered[f"statement-{n:02d}"]
        # 13,583.33 billed (a twelfth of 163,000.00 for a Very Small city), n x 100.00 paid.
        assert balances[n] == Decimal("13583.33") - 100 * n
        closing = f"{balances[n]:,.2f}"
        shown = [PAYMENT.findall(page) for page in pages]
        assert sum(map(len, shown)) == n, f"{n} payments"
        assert all(len(found) > 1 for found in shown), f"{n} payments: {list(map(len, shown))}"
        for number, page in enumerate(pages, 1):
            last = number == len(pages)
            for text in ("Closing balance", "Aging of open invoices", "Please quote the invoice"):
                assert (text in page) == last, f"{n} payments: {text!r} on page {number}"
        assert closing in pages[-1]
        two_pages += len(pages) == 2
    assert 5 <= two_pages <= 16          # both one-page and two-page statements were made
