"""One due date per invoice, the one in force, in every view (issue 29, points 4-7).

Worked by hand from the contract (000 = PSA Amendment 3, effective 2001-04-16):
- PSA Section 3: Net 30; Amendment 3 Section 1(b) makes it Net 20 from 2001-04-16.
- New Section 20(b) (000 L173-177), only from 2001-04-16: termination "shall automatically
  accelerate the due date of all outstanding invoices ... so that they become immediately due
  and payable on the effective date of such termination". Design rule 8: an invoice dated after
  the termination is due on its own date; a termination before 2001-04-16 accelerates nothing.
- Section 24 as amended (000 L190-198): disputes are discussed for "twenty (20) days, or such
  longer period as mutually agreed"; before it, Section 20 withheld a disputed amount "until
  such dispute has been finally settled" (the phrase Amendment 3 replaces, 000 L151-157).

Huntsville AL is billed Small (the `level` column): 198,000.00 a year, 16,500.00 a month
(PSA Amendment 1 Appendix A), one invoice a month dated on the month's last day.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from invoices.ledger.store import Ledger
from invoices.workflows import run_month
from pricing.cli import app

CITIES = ("city,bill_to,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv,level\n"
          'Huntsville AL,"KMC Telecom III, Inc.",20,1,10,1,1,1,Small\n')
BILL_TO = "KMC Telecom III, Inc."
runner = CliRunner()


@pytest.fixture
def book(tmp_path, tables):
    """A ledger and a function to bill months into it and one to run the CLI on it."""
    cities = tmp_path / "cities.csv"
    cities.write_text(CITIES)
    env = {"PRICING_LEDGER": str(tmp_path / "ledger.sqlite3"), "LOGNAME": "erin", "USER": "erin",
           "PRICING_USER": None}                       # the login name erin records

    def bill(*months):
        with Ledger(tmp_path / "ledger.sqlite3") as ledger:
            for month in months:
                run_month(month, cities, tmp_path / "out", tables, ledger)

    def cli(*args):
        return runner.invoke(app, list(args), env=env)

    return bill, cli


def listed(cli) -> list[tuple]:
    made = cli("invoice", "list", "--format", "json")
    assert made.exit_code == 0, made.output
    return [(i["number"], i["due_date"], i["due_date_as_issued"], i["due_reason"])
            for i in json.loads(made.stdout)]


ACCELERATED = "accelerated by the termination of 2001-06-10 (PSA Section 20(b))"
OWN_DATE = "issued after the termination of 2001-06-10, so due on its date (PSA Section 20(b))"
# An invoice the run issues after the termination is issued due on its own date, saying why in
# its terms, so its first document already shows the one due date in force.
OWN_TERMS = "Due on its date: the agreement was terminated on 2001-06-10 (PSA Section 20(b))"


def test_a_termination_before_section_20b_accelerates_nothing(book):
    # Invoices of 2001-01-31 and 2001-02-28 are Net 30: due 2001-03-02 and 2001-03-30. A
    # termination on 2001-03-15 is before Amendment 3 (2001-04-16): billing stops, no due date
    # moves.
    bill, cli = book
    bill("2001-01", "2001-02")
    made = cli("ar", "terminate", "--date", "2001-03-15")
    assert made.exit_code == 0, made.output
    assert ("no due date was accelerated: PSA Section 20(b) accelerates invoices only from "
            "2001-04-16") in made.output
    assert "now due" not in made.output
    assert listed(cli) == [(1, "2001-03-02", "2001-03-02", None),
                           (2, "2001-03-30", "2001-03-30", None)]
    # On 2001-03-20 only invoice 1 is past due (18 days); invoice 2 is not due until 03-30.
    status = json.loads(cli("ar", "status", "--as-of", "2001-03-20", "--format", "json").stdout)
    assert [(i["number"], i["due_date"], i["days_past_due"]) for i in status["invoices"]] == [
        (1, "2001-03-02", 18)]


def test_the_first_day_of_section_20b_comes_from_the_tables(book, tables_copy):
    # Another contract whose remedies (psa_remedies) start 2001-03-01: the same termination of
    # 2001-03-15 now accelerates invoice 2 (due 2001-03-30) to 2001-03-15.
    from tests.conftest import rehash

    bill, cli = book
    bill("2001-01", "2001-02")
    old = tables_copy / "psa_remedies" / "2001-04-16.csv"
    old.rename(tables_copy / "psa_remedies" / "2001-03-01.csv")
    manifest = tables_copy / "MANIFEST.csv"
    manifest.write_text(manifest.read_text().replace("psa_remedies,2001-04-16,psa_remedies/2001-04-16.csv",
                                                     "psa_remedies,2001-03-01,psa_remedies/2001-03-01.csv"))
    rehash(tables_copy)
    made = cli("ar", "terminate", "--date", "2001-03-15", "--tables", str(tables_copy))
    assert made.exit_code == 0, made.output
    assert ("invoice 000002 is now due 2001-03-15, was 2001-03-30: accelerated by the "
            "termination of 2001-03-15 (PSA Section 20(b))") in made.output
    shown = cli("invoice", "list", "--format", "json", "--tables", str(tables_copy))
    assert [i["due_date"] for i in json.loads(shown.stdout)] == ["2001-03-02", "2001-03-15"]
    assert listed(cli)[1] == (2, "2001-03-30", "2001-03-30", None)     # bundled tables: none


def terminated_in_june(book):
    """Invoices 1 (2001-04-30, due 05-20) and 2 (2001-05-31, due 06-20); terminated 2001-06-10;
    then June, which contains the termination, billed in full: invoice 3 of 2001-06-30 (Net 20
    would be 07-20)."""
    bill, cli = book
    bill("2001-04", "2001-05")
    made = cli("ar", "terminate", "--date", "2001-06-10")
    assert made.exit_code == 0, made.output
    bill("2001-06")
    return cli


def test_after_a_termination_every_invoice_has_one_due_date_in_force(book):
    cli = terminated_in_june(book)
    assert listed(cli) == [(1, "2001-05-20", "2001-05-20", None),
                           (2, "2001-06-10", "2001-06-20", ACCELERATED),
                           (3, "2001-06-30", "2001-06-30", None)]
    table = cli("invoice", "list")
    assert table.exit_code == 0 and "due_now" not in table.output
    shown = json.loads(cli("invoice", "show", "3", "--format", "json").stdout)
    assert (shown["due_date"], shown["due_date_as_issued"], shown["terms"]) == (
        "2001-06-30", "2001-06-30", OWN_TERMS)
    title = cli("invoice", "show", "2").output.splitlines()[1]
    assert title.endswith(f"due 2001-06-10 (issued due 2001-06-20, Net 20; {ACCELERATED})")


def test_status_and_aging_count_an_invoice_issued_after_the_termination_as_due(book):
    cli = terminated_in_june(book)
    # On 2001-07-01: invoice 1 is 42 days past 05-20, invoice 2 21 days past 06-10, invoice 3
    # one day past its own date 06-30 (Net 20 would have made it current).
    status = json.loads(cli("ar", "status", "--as-of", "2001-07-01", "--format", "json").stdout)
    assert [(i["number"], i["due_date"], i["days_past_due"], i["due_reason"])
            for i in status["invoices"]] == [(1, "2001-05-20", 42, None),
                                             (2, "2001-06-10", 21, ACCELERATED),
                                             (3, "2001-06-30", 1, None)]
    # Past due, but the Services ended on 2001-06-10: nothing is left to cease performing
    # (the letters say the same, test_reminders).
    assert status["undisputed_past_due"] == "49500.00" and status["may_cease"] is False
    aged = cli("ar", "aging", "--as-of", "2001-07-01", "--format", "json")
    (row,) = json.loads(aged.stdout)["bill_to"]
    assert (row["current"], row["1-30"], row["31-60"]) == ("0.00", "33000.00", "16500.00")
    assert [(c["number"], c["due_date"], c["due_date_as_issued"]) for c in row["due_dates_changed"]] \
        == [(2, "2001-06-10", "2001-06-20")]
    table = cli("ar", "aging", "--as-of", "2001-07-01")
    assert f"note: invoice 000002 is due 2001-06-10, was 2001-06-20: {ACCELERATED}" in table.output


def test_an_invoice_paid_before_the_termination_is_not_accelerated(book):
    # Invoice 2 paid in full on 2001-06-05: not outstanding on 2001-06-10, so its due date
    # stays 2001-06-20 (Section 20(b) accelerates "outstanding invoices").
    bill, cli = book
    bill("2001-04", "2001-05")
    assert cli("ar", "pay", "2", "16500.00", "--date", "2001-06-05").exit_code == 0
    assert cli("ar", "terminate", "--date", "2001-06-10").exit_code == 0
    assert listed(cli)[1] == (2, "2001-06-20", "2001-06-20", None)


def test_the_statement_shows_one_due_date_in_every_format(book, tmp_path):
    cli = terminated_in_june(book)
    base = ["ar", "statement", BILL_TO, "--from", "2001-04-01", "--to", "2001-06-30"]
    data = json.loads(cli(*base, "--format", "json").stdout)
    entries = {e["document"]: (e["due_date"], e["due_date_as_issued"], e["due_reason"])
               for e in data["entries"]}
    assert entries == {"Invoice 000001": ("2001-05-20", "2001-05-20", None),
                       "Invoice 000002": ("2001-06-10", "2001-06-20", ACCELERATED),
                       "Invoice 000003": ("2001-06-30", "2001-06-30", None)}
    assert {f"Invoice {o['number']:06d}": o["due_date"] for o in data["open_invoices"]} == \
        {k: v[0] for k, v in entries.items()}
    rows = list(csv.reader(io.StringIO(cli(*base, "--format", "csv").stdout)))
    assert rows[0][3] == "due_date" and rows[0][7:] == ["due_date_as_issued", "due_reason"]
    assert [(r[1], r[3], r[7], r[8]) for r in rows if r[1].startswith("Invoice")] == [
        ("Invoice 000001", "2001-05-20", "", ""),
        ("Invoice 000002", "2001-06-10", "2001-06-20", ACCELERATED),
        ("Invoice 000003", "2001-06-30", "", "")]
    assert cli(*base, "-o", str(tmp_path / "s.xlsx")).exit_code == 0
    sheet = load_workbook(tmp_path / "s.xlsx")["Statement"]
    found = {r[1].value: (r[3].value.date(), r[7].value and r[7].value.date(), r[8].value)
             for r in sheet.iter_rows(min_row=12) if str(r[1].value).startswith("Invoice")}
    assert found["Invoice 000002"] == (dt.date(2001, 6, 10), dt.date(2001, 6, 20), ACCELERATED)
    assert found["Invoice 000001"] == (dt.date(2001, 5, 20), None, None)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")
def test_pdfs_show_the_due_date_in_force_and_a_reprint_is_a_copy(book, tmp_path):
    cli = terminated_in_june(book)
    base = ["ar", "statement", BILL_TO, "--from", "2001-04-01", "--to", "2001-06-30"]
    assert cli(*base, "-o", str(tmp_path / "s.pdf")).exit_code == 0
    text = " ".join(subprocess.run(["pdftotext", str(tmp_path / "s.pdf"), "-"], check=True,
                                   capture_output=True, text=True).stdout.split())
    assert f"Invoice 000002 is due 2001-06-10, not 2001-06-20 as issued: {ACCELERATED}." in text
    assert "2001-06-20" not in text.replace("was 2001-06-20", "").replace("not 2001-06-20", "")
    made = cli("invoice", "print", "2", "-o", str(tmp_path / "copy.pdf"))
    assert made.exit_code == 0, made.output
    today = dt.date.today().isoformat()
    assert f"wrote a copy of invoice 000002 to {tmp_path / 'copy.pdf'} (pdf); due 2001-06-10, " \
           f"was 2001-06-20" in made.output
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(tmp_path / "copy.pdf"), "-"], check=True,
                                   capture_output=True, text=True).stdout.split())
    for shown in (f"COPY printed {today}", "Due date 2001-06-10", "Due date as issued 2001-06-20",
                  "TOTAL DUE 2001-06-10",
                  f"Payment is due 2001-06-10, not 2001-06-20 as issued (Net 20): {ACCELERATED}."):
        assert shown in text, shown
    assert cli("invoice", "print", "2", "-o", str(tmp_path / "copy.xlsx")).exit_code == 0
    sheet = load_workbook(tmp_path / "copy.xlsx")["Invoice"]
    facts = {sheet.cell(r, 4).value: sheet.cell(r, 5).value for r in range(3, 12)}
    assert sheet["A2"].value == f"COPY printed {today}"
    assert facts["Due date"].date() == dt.date(2001, 6, 10)
    assert facts["Due date as issued"].date() == dt.date(2001, 6, 20)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils")
def test_an_invoice_due_on_its_date_keeps_its_facts_on_the_page(book, tmp_path):
    # Invoice 3 is dated 2001-06-30, after the 2001-06-10 termination: due on its date. Its
    # terms once ran on one line through the total due and pushed the invoice number, dates,
    # contract and month off the right edge of the page (US Letter: 612 points wide).
    cli = terminated_in_june(book)
    assert cli("invoice", "print", "3", "-o", str(tmp_path / "own.pdf")).exit_code == 0
    layout = subprocess.run(["pdftotext", "-layout", str(tmp_path / "own.pdf"), "-"], check=True,
                            capture_output=True, text=True).stdout
    text = " ".join(layout.split())
    for shown in ("Invoice number 000003", "Invoice date 2001-06-30", "Terms Due on its date",
                  "Due date 2001-06-30", "Contract PSA LNS970602JC", "Month billed June 2001",
                  "Payment is due 2001-06-30, the invoice's date: the agreement was terminated on "
                  "2001-06-10 (PSA Section 20(b))."):
        assert shown in text, shown
    html = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "own.pdf"), "-"], check=True,
                          capture_output=True, text=True).stdout
    right_edges = [float(x) for x in re.findall(r'xMax="([^"]+)"', html)]
    assert right_edges and max(right_edges) <= 612 - 36
    assert cli("invoice", "print", "3", "-o", str(tmp_path / "own.xlsx")).exit_code == 0
    sheet = load_workbook(tmp_path / "own.xlsx")["Invoice"]
    facts = {sheet.cell(r, 4).value: sheet.cell(r, 5).value for r in range(3, 12)}
    assert facts["Terms"] == "Due on its date"
    notes = [c.value for c in sheet["A"] if str(c.value).startswith("Payment is due")]
    assert notes == ["Payment is due 2001-06-30, the invoice's date: the agreement was "
                     "terminated on 2001-06-10 (PSA Section 20(b)). Please quote invoice 000003 "
                     "with your payment."]


def test_disputes_of_any_date_follow_the_psa_in_force_that_day(book):
    bill, cli = book
    bill("2001-02", "2001-04")
    # 2001-03-10: before Amendment 3, withheld until finally settled (no discussion deadline).
    early = cli("ar", "dispute", "1", "1000.00", "--date", "2001-03-10", "--reason", "hours")
    assert early.exit_code == 0, early.output
    assert ("dispute 1 on invoice 000001: 1,000.00 from 2001-03-10, recorded by erin; PSA "
            "Section 24, Arbitration, as first worded: withheld until finally settled (before "
            "2001-04-16)") in early.output
    # 2001-05-01: Section 24 as amended, twenty days: the discussion runs to 2001-05-21.
    late = cli("ar", "dispute", "2", "500.00", "--date", "2001-05-01", "--reason", "hours")
    assert late.exit_code == 0, late.output
    assert "the good-faith discussion runs to 2001-05-21" in late.output
    found = json.loads(cli("ar", "disputes", "--format", "json").stdout)
    assert [(d["id"], d["discussion_until"], d["recorded_by"]) for d in found] == [
        (1, None, "erin"), (2, "2001-05-21", "erin")]
    # The disputed 1,000.00 of invoice 1 (16,500.00, due 2001-03-30) is kept apart from aging.
    aged = json.loads(cli("ar", "aging", "--as-of", "2001-04-01", "--format", "json").stdout)
    assert (aged["bill_to"][0]["disputed"], aged["bill_to"][0]["1-30"]) == ("1000.00", "15500.00")


def test_a_discussion_period_is_extended_by_agreement_and_kept_with_who_recorded_it(book):
    # PSA Section 24 as amended (Amendment 3, 000 L151-157): 20 days "or such longer period as
    # mutually agreed". A dispute of 2001-05-10 runs to 2001-05-30; extended to 2001-06-30.
    bill, cli = book
    bill("2001-04")
    assert cli("ar", "dispute", "1", "1000", "--date", "2001-05-10", "--reason", "hours").exit_code == 0
    short = cli("ar", "dispute-extend", "1", "--until", "2001-05-30", "--reason", "agreed")
    assert short.exit_code == 1 and "already runs to 2001-05-30" in short.output
    made = cli("ar", "dispute-extend", "1", "--until", "2001-06-30", "--reason",
               "agreed with KMC billing on 2001-05-25", "--user", "dana")
    assert made.exit_code == 0, made.output
    assert "now runs to 2001-06-30, recorded by erin (on behalf of dana)" in made.output
    (listed,) = json.loads(cli("ar", "disputes", "--format", "json").stdout)
    assert listed["discussion_until"] == "2001-06-30"
    assert "extended by agreement to 2001-06-30 (agreed with KMC billing on 2001-05-25; recorded by erin (on behalf of dana))" in listed["rule"]
    log = cli("ledger", "log", "--user", "dana").output
    assert "dispute extended" in log and "dispute 1" in log


def test_a_dispute_without_a_set_period_cannot_be_extended(book):
    # Raised before 2001-04-16: withheld until finally settled (Section 24 as first worded).
    bill, cli = book
    bill("2001-03")
    assert cli("ar", "dispute", "1", "1000", "--date", "2001-04-10", "--reason", "hours").exit_code == 0
    refused = cli("ar", "dispute-extend", "1", "--until", "2001-06-30", "--reason", "agreed")
    assert refused.exit_code == 1 and "has no discussion period to extend" in refused.output
