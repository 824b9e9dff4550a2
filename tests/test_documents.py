"""Customer documents: invoices, credit notes and statements as PDF (and HTML), read back with
poppler's pdftotext/pdfinfo/pdffonts as a customer's viewer would show them.

Amounts are worked from the contract by hand: a city of 12 gateway elements, 1 5ESS, 6 SLC,
1 SM, 1 DACS II and 1 DACS IV is Very Small (up to 15 gateway elements and 8 SLC, PSA
Amendment 1 Appendix A) and pays the annual 163,000.00 in twelve monthly parts of 13,583.33; from 2001-04-16 invoices are Net 20 (PSA Amendment 3), so an
invoice dated 2001-04-30 is due 2001-05-20.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from invoices.ledger.store import Ledger
from invoices.receivables.accounts import issue_credit, record_payment
from invoices.workflows import run_month
from pricing.cli import app
from tests.conftest import libreoffice_convert

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CITIES_HEADER = "city,bill_to,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv,level\n"
VERY_SMALL = "12,1,6,1,1,1"
runner = CliRunner()

# .ci/run installs poppler-utils; on CI a missing tool is a failure, not a skip.
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None and not os.environ.get("CI"),
                                reason="poppler-utils is installed by .ci/run")


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def word_boxes(path: Path) -> list[tuple[str, float]]:
    """Each word of page 1 with the x of its right edge, in points."""
    import re

    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
                          check=True, capture_output=True, text=True).stdout
    return [(word, float(x_max)) for x_max, word in
            re.findall(r'<word xMin="[^"]+" yMin="[^"]+" xMax="([^"]+)" yMax="[^"]+">([^<]*)</word>', html)]


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def cities(tmp_path: Path, count: int, bill_to: str = "KMC Telecom II, Inc.",
           name: str = "City") -> Path:
    path = tmp_path / f"cities-{count}.csv"
    path.write_text(CITIES_HEADER + "".join(f'{name} {n:02d},"{bill_to}",{VERY_SMALL},\n'
                                            for n in range(1, count + 1)))
    return path


def invoke(tmp_path: Path, *args: str):
    return runner.invoke(app, list(args), env={"PRICING_LEDGER": str(tmp_path / "ledger.sqlite3")})


def run_examples(tmp_path: Path, *extra: str):
    result = invoke(tmp_path, "invoice", "run", "--month", "2001-04",
                    "--cities", str(EXAMPLES / "invoice_cities.csv"),
                    "--hours", str(EXAMPLES / "invoice_hours.csv"),
                    "--events", str(EXAMPLES / "invoice_events.csv"),
                    "--out", str(tmp_path / "out"), *extra)
    assert result.exit_code == 0, result.output
    return result


def test_invoice_pdf_is_one_page_with_what_the_customer_needs_and_no_citation(tmp_path):
    run_examples(tmp_path, "--pdf")
    pdf = tmp_path / "out" / "invoice-000003.pdf"
    assert (tmp_path / "out" / "invoice-000003.xlsx").exists() and pdf_pages(pdf) == 1
    text = pdf_text(pdf)
    # Roanoke VA: Medium, 245,000 / 12 = 20,416.67; one 1,500-hour block 121,500.00; one
    # switch site integrated 100,000.00 (PSA Amendment 1 Appendix A): 241,916.67.
    for shown in ("INVOICE", "000003", "2001-04-30", "Net 20", "2001-05-20", "PSA LNS970602JC",
                  "April 2001", "KMC Telecom of Virginia, Inc.", "1545 Route 206",
                  "Lucent Technologies Inc., Global Service Providers Group",
                  "600 Mountain Avenue", "20,416.67", "121,500.00", "100,000.00",
                  "$241,916.67", "Total due (USD)", "Page 1 of 1"):
        assert shown in text, shown
    for hidden in ("service_levels", "service_hours", "one_time_services", "Appendix A",
                   "read as", "sha256", "(001 L"):
        assert hidden not in text, hidden
    # Right-aligned: each number column's values end where its header ends (to 1 pt).
    words = word_boxes(pdf)
    right_edge = {name: next(x for word, x in words if word == name)
                  for name in ("Qty", "price", "Amount")}
    for value, column in (("20,416.67", "Amount"), ("121,500.00", "Amount"),
                          ("100,000.00", "Amount"), ("121,500.00", "price")):
        edges = [x for word, x in words if word == value]
        assert any(abs(x - right_edge[column]) < 1 for x in edges), (value, column, edges)
    assert sum(1 for word, x in words if word == "1" and abs(x - right_edge["Qty"]) < 1) == 3


def test_pdf_embeds_its_font(tmp_path):
    run_examples(tmp_path, "--pdf")
    fonts = subprocess.run(["pdffonts", str(tmp_path / "out" / "invoice-000001.pdf")],
                           check=True, capture_output=True, text=True).stdout
    rows = [line for line in fonts.splitlines()[2:] if line.strip()]
    assert rows and all("DejaVu" in row for row in rows)
    assert all(row.split()[-5] == "yes" for row in rows)          # the "emb" column


def test_reprint_from_the_ledger_matches_the_original_and_changes_nothing(tmp_path):
    run_examples(tmp_path, "--pdf")
    ledger = tmp_path / "ledger.sqlite3"
    before = ledger.read_bytes()
    for suffix in ("pdf", "html", "xlsx"):
        made = invoke(tmp_path, "invoice", "print", "3", "-o", str(tmp_path / f"again.{suffix}"))
        assert made.exit_code == 0, made.output
    # The copy says what it is and when it was printed, and nothing else differs: every word of
    # the original is on it, and the only words added are the COPY mark and its note.
    copy, original = pdf_text(tmp_path / "again.pdf"), pdf_text(tmp_path / "out" / "invoice-000003.pdf")
    mark = f"COPY printed {dt.date.today().isoformat()}"
    assert mark in copy and "COPY" not in original
    added = Counter(copy.split()) - Counter(original.split())
    assert added == Counter(f"{mark} {mark}: a copy of invoice 000003 issued 2001-04-30; its "
                            f"figures are the original's.".split())
    assert not Counter(original.split()) - Counter(copy.split())
    assert "$241,916.67" in (tmp_path / "again.html").read_text()
    from openpyxl import load_workbook
    original = load_workbook(tmp_path / "out" / "invoice-000003.xlsx", data_only=True)["Invoice"]
    again = load_workbook(tmp_path / "again.xlsx", data_only=True)["Invoice"]
    assert again["A2"].value == mark and original["A2"].value is None

    def cells(sheet):          # every cell, the copy's mark and note blanked, blank rows dropped
        rows = [[None if isinstance(c.value, str) and mark in c.value else c.value for c in row]
                for row in sheet.iter_rows()]
        return [row for row in rows if any(v is not None for v in row)]
    assert cells(again) == cells(original)
    assert ledger.read_bytes() == before
    with Ledger(ledger, "read") as book:
        assert [book.get(n).file for n in (1, 2, 3)] == [
            str(tmp_path / "out" / f"invoice-00000{n}.xlsx") for n in (1, 2, 3)]


@pytest.mark.parametrize("target, extra, message", [
    ("ledger.sqlite3", ["--format", "pdf"], "that is the ledger"),
    ("ledger.sqlite3", [], "the extension '.sqlite3' is not a format this command writes"),
    ("out/invoice-000001.pdf", [], "that is invoice 000001 of a ledger"),
    ("out/invoice-000001.xlsx", [], "that is invoice 000001 of a ledger"),
    ("again.txt", [], "not a format this command writes"),
    ("again", [], "no extension is not a format"),
])
def test_print_refuses_an_output_it_must_not_write(tmp_path, target, extra, message):
    run_examples(tmp_path, "--pdf")
    path = tmp_path / target
    before = path.read_bytes() if path.exists() else None
    refused = invoke(tmp_path, "invoice", "print", "1", "-o", str(path), *extra)
    # A file the command cannot write is a usage error (2); one it must not overwrite, 1.
    assert refused.exit_code == (2 if "format" in message else 1), refused.output
    assert message in " ".join(refused.output.replace("│", " ").split())
    assert (path.read_bytes() if path.exists() else None) == before


def test_print_names_a_number_not_issued(tmp_path):
    run_examples(tmp_path)
    assert "no invoice number 9" in invoke(tmp_path, "invoice", "print", "9", "-o",
                                           str(tmp_path / "x.pdf")).output
    refused = invoke(tmp_path, "invoice", "print", "--credit", "1", "-o", str(tmp_path / "x.pdf"))
    assert refused.exit_code == 1 and "no credit note 1" in refused.output
    assert not (tmp_path / "x.pdf").exists()


def test_twenty_lines_fit_one_page_and_forty_five_flow_onto_numbered_pages(tmp_path, tables):
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        run_month("2001-04", cities(tmp_path, 20), tmp_path / "out", tables, ledger, pdf=True)
        run_month("2001-04", cities(tmp_path, 45, "KMC Telecom III, Inc.", "Town"), tmp_path / "out",
                  tables, ledger, pdf=True)
    twenty, forty_five = tmp_path / "out" / "invoice-000001.pdf", tmp_path / "out" / "invoice-000002.pdf"
    assert pdf_pages(twenty) == 1
    assert "$271,666.60" in pdf_text(twenty)                  # 20 x 13,583.33
    assert pdf_pages(forty_five) == 2
    first, second = pdf_text(forty_five, 1), pdf_text(forty_five, 2)
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    # The line table's header is repeated on page 2, under a running title.
    assert all(word in second for word in ("City", "Description", "Qty", "Unit price", "Amount"))
    assert "Invoice 000002 (continued)" in second and "(continued)" not in first
    assert "$611,249.85" in second                             # 45 x 13,583.33
    shown = [n for n in range(1, 46) if f"Town {n:02d}" in first + second]
    assert shown == list(range(1, 46))


def test_pdf_shows_markup_in_data_as_text(tmp_path):
    run_examples(tmp_path)
    made = invoke(tmp_path, "ar", "credit", "2", "500", "--date", "2001-06-01", "--reason",
                  "<b>goodwill</b> & <script>alert(1)</script>", "--out", str(tmp_path / "c"),
                  "--pdf")
    assert made.exit_code == 0, made.output
    text = pdf_text(tmp_path / "c" / "credit-000001.pdf")
    assert "<b>goodwill</b> & <script>alert(1)</" in text        # wraps after "</"
    assert "CREDIT NOTE" in text and "$500.00" in text and "000002" in text
    again = invoke(tmp_path, "invoice", "print", "--credit", "1", "-o", str(tmp_path / "c1.pdf"))
    copy = pdf_text(tmp_path / "c1.pdf")
    mark = f"COPY printed {dt.date.today().isoformat()}"
    assert again.exit_code == 0 and mark in copy and "COPY" not in text
    assert Counter(copy.split()) - Counter(text.split()) == Counter(mark.split())
    assert not Counter(text.split()) - Counter(copy.split())


def test_run_writes_a_missing_pdf_again_and_reports_one_it_cannot_write(tmp_path):
    run_examples(tmp_path, "--pdf")
    out = tmp_path / "out"
    (out / "invoice-000002.pdf").unlink()
    foreign = b"%PDF-1.4 somebody else's file"
    (out / "invoice-000003.pdf").unlink()
    (out / "invoice-000003.pdf").write_bytes(foreign)
    again = invoke(tmp_path, "invoice", "run", "--month", "2001-04",
                   "--cities", str(EXAMPLES / "invoice_cities.csv"),
                   "--hours", str(EXAMPLES / "invoice_hours.csv"),
                   "--events", str(EXAMPLES / "invoice_events.csv"), "--out", str(out), "--pdf")
    assert pdf_pages(out / "invoice-000002.pdf") == 1
    # The foreign file is not ours and not missing: left alone; nothing else is wrong.
    assert (out / "invoice-000003.pdf").read_bytes() == foreign
    assert again.exit_code == 0, again.output


def test_statement_pdf_holds_thirty_entries_on_one_page(tmp_path, tables):
    one = tmp_path / "one.csv"
    one.write_text(CITIES_HEADER + f'Savannah GA,"KMC Telecom II, Inc.",{VERY_SMALL},\n')
    months = [f"2001-{m:02d}" for m in range(4, 13)] + ["2002-01", "2002-02", "2002-03"]
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        for month in months:
            run_month(month, one, tmp_path / "out", tables, ledger)
        for number in range(1, 13):
            record_payment(ledger, number, "13000.00", dt.date(2001, 5, 1) + dt.timedelta(days=30 * number))
        for number in range(1, 7):
            issue_credit(ledger, number, "100.00", dt.date(2002, 5, 1), "rounding", tmp_path / "c")
    made = invoke(tmp_path, "ar", "statement", "KMC Telecom II, Inc.", "--from", "2001-04-01",
                  "--to", "2002-06-30", "-o", str(tmp_path / "statement.pdf"))
    assert made.exit_code == 0, made.output
    pdf = tmp_path / "statement.pdf"
    text = pdf_text(pdf)
    assert pdf_pages(pdf) == 1 and text.count("Payment ") == 12 and text.count("Credit note ") == 6
    # Twelve invoices, 2001-04 to 2002-03: a twelfth of 163,000.00 is 13,583.33, and the
    # period's last month (2001-09) bills the rest, 163,000.00 - 11 x 13,583.33 = 13,583.37;
    # so the twelve sum to 163,000.00. Paid 12 x 13,000.00, credited 6 x 100.00: 6,400.00 due.
    assert "$6,400.00" in text and "Amount due" in text.replace("AMOUNT DUE", "Amount due")
    assert "1545 Route 206" in text and "KMC Telecom II, Inc." in text
    for heading in ("Current", "1-30 days", "Over 90 days", "Disputed"):
        assert heading in text


def test_statement_other_formats_by_extension(tmp_path):
    run_examples(tmp_path)
    invoke(tmp_path, "ar", "pay", "1", "$10,000.00", "--date", "2001-05-15")
    base = ["ar", "statement", "KMC Telecom II, Inc.", "--from", "2001-04-01", "--to", "2001-06-30"]
    for suffix in ("csv", "json", "xlsx", "html"):
        made = invoke(tmp_path, *base, "-o", str(tmp_path / f"s.{suffix}"))
        assert made.exit_code == 0, made.output
    import json
    data = json.loads((tmp_path / "s.json").read_text())
    # Savannah 13,583.33 + Augusta 20,416.67 + one block 121,500.00 = 155,500.00, and Augusta's
    # 1,500 hours of 2001-03 (examples/invoice_hours.csv), late, billed on this run as their own
    # month would have: another 1,500-hour block, 121,500.00 (design rule 3). 277,000.00 less
    # 10,000 paid; due 2001-05-20, so on 2001-06-30 it is 41 days past due.
    assert data["amount_due"] == "267000.00" and data["aging"]["31-60"] == "267000.00"
    assert data["open_invoices"][0]["days_past_due"] == 41
    csv_lines = (tmp_path / "s.csv").read_text().splitlines()
    assert csv_lines[0] == ("date,document,applies_to,due_date,charge,credit,balance,"
                            "due_date_as_issued,due_reason")
    assert csv_lines[-1] == "2001-06-30,Closing balance,,,,,267000.00,,"
    assert (tmp_path / "s.xlsx").read_bytes()[:2] == b"PK"
    forced = invoke(tmp_path, *base, "-o", str(tmp_path / "s.data"), "--format", "json")
    assert forced.exit_code == 0 and json.loads((tmp_path / "s.data").read_text())["closing"] == "267000.00"
    shown = invoke(tmp_path, *base, "--format", "csv")
    assert shown.stdout.splitlines()[-1] == "2001-06-30,Closing balance,,,,,267000.00,,"


@pytest.mark.skipif(shutil.which("soffice") is None and not os.environ.get("CI"),
                    reason="LibreOffice is installed by .ci/run")
def test_libreoffice_prints_the_invoice_sheet_on_page_one_and_sources_apart(tmp_path):
    run_examples(tmp_path)
    pdf = libreoffice_convert(tmp_path / "out" / "invoice-000003.xlsx", "pdf", tmp_path)
    first = pdf_text(pdf, 1)
    for shown in ("INVOICE", "000003", "Roanoke VA", "System Integration", "Subtotal",
                  "Total due", "$241,916.67", "Payment is due 2001-05-20", "Page 1 of"):
        assert shown in first, shown
    assert "Citations used" not in first and "one_time_services" not in first
    rest = "".join(pdf_text(pdf, n) for n in range(2, pdf_pages(pdf) + 1))
    assert "Citations used" in rest and "one_time_services 1998-10-01" in rest


def test_a_hostile_pdf_cannot_pass_for_ours_or_exhaust_memory(tmp_path):
    import zlib

    from invoices.ledger.claims import may_write
    from invoices.ledger.claims import pdf_marker

    bomb = zlib.compress(b"\0" * (1 << 20), 9)                      # 1 MiB from about 1 KiB
    hostile = tmp_path / "hostile.pdf"
    hostile.write_bytes(b"%PDF-1.7\n" + b"".join(b"1 0 obj stream\n" + bomb + b"\nendstream\n"
                                                  for _ in range(3000)))
    assert pdf_marker(hostile) == {}                                 # inflates 16 MiB at most
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(b"%PDF-1.7\n<< /kmcledgerid (someone-else) /kmcdocument (invoice 000001) >>")
    assert pdf_marker(forged) == {"kmc_ledger_id": "someone-else", "kmc_document": "invoice 000001"}
    assert not may_write(forged, "this-ledger", "invoice 000001")


def test_a_long_unbroken_name_wraps_and_keeps_every_column_on_the_page(tmp_path, tables):
    long = tmp_path / "long.csv"
    long.write_text(CITIES_HEADER + f'{"W" * 200},"KMC Telecom II, Inc.",{VERY_SMALL},\n'
                    + f'Short City,"KMC Telecom II, Inc.",{VERY_SMALL},\n')
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        run_month("2001-04", long, tmp_path / "out", tables, ledger, pdf=True)
    text = pdf_text(tmp_path / "out" / "invoice-000001.pdf")
    assert "Amount" in text and "Unit price" in text and text.count("13,583.33") == 4
    assert "$27,166.66" in text                                  # 2 x 13,583.33


def test_a_statement_says_what_of_an_open_invoice_is_in_dispute(tmp_path):
    # Invoice 000001 (277,000.00, due 2001-05-20) less 10,000.00 paid is 267,000.00 open, of
    # which 20,000.00 is disputed: its "Open" line must not read as wholly past due.
    run_examples(tmp_path)
    invoke(tmp_path, "ar", "pay", "1", "$10,000.00", "--date", "2001-05-15")
    disputed = invoke(tmp_path, "ar", "dispute", "1", "20000.00", "--date", "2001-05-16",
                      "--reason", "hours not agreed")
    assert disputed.exit_code == 0, disputed.output
    made = invoke(tmp_path, "ar", "statement", "KMC Telecom II, Inc.", "--from", "2001-04-01",
                  "--to", "2001-06-30", "-o", str(tmp_path / "s.pdf"))
    assert made.exit_code == 0, made.output
    text = " ".join(pdf_text(tmp_path / "s.pdf").split())
    assert ("Open: invoice 000001 ($267,000.00, due 2001-05-20, of which $20,000.00 in dispute, "
            "not past due).") in text
