"""Receivables, worked by hand from PSA Amendment 3 (000): payments, disputes, credit notes,
aging on boundary days, the right to cease, the Adequate Assurance Amount, termination."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from invoices.receivables.reports import aging, assurance, bucket_of, status
from invoices.receivables.statement import build_statement
from invoices.ledger.store import Ledger
from invoices.receivables.accounts import (balance, issue_credit, record_dispute, record_payment,
                                  resolve_dispute, terminate)
from invoices.workflows import run_month
from pricing.cli import app
from pricing.errors import PricingError

D = Decimal
CITIES = "city,bill_to,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv,level\n" \
         'Huntsville AL,"KMC Telecom III, Inc.",20,1,10,1,1,1,Small\n'
runner = CliRunner()


@pytest.fixture
def ledger(tmp_path, tables, ledger_address):
    """Invoices 1-6: Huntsville (Small, $16,500 a month) for 2001-04 .. 2001-09, on each backend
    (a file, and a PostgreSQL database)."""
    cities = tmp_path / "cities.csv"
    cities.write_text(CITIES)
    book = Ledger(ledger_address)
    for month in ("2001-04", "2001-05", "2001-06", "2001-07", "2001-08", "2001-09"):
        run_month(month, cities, tmp_path / "out", tables, book)
    yield book
    book.close()


def snapshot(book: Ledger) -> list:
    from invoices.ledger import schema

    with book.read() as conn:
        return [conn.execute(table.select().order_by(*table.primary_key.columns)).all()
                for table in (schema.payments, schema.disputes, schema.credits,
                              schema.terminations, schema.sequences)]


def test_partial_and_whole_payments(ledger, tables):
    assert record_payment(ledger, 1, "6500.00", dt.date(2001, 5, 10)) == (1, balance(ledger, 1, dt.date(2001, 5, 10), tables))
    assert balance(ledger, 1, dt.date(2001, 5, 10), tables).open == D("10000.00")     # 16,500 - 6,500
    payment, after = record_payment(ledger, 1, "10000.00", dt.date(2001, 5, 20))
    assert payment == 2 and (after.paid, after.open) == (D("16500.00"), D("0.00"))


@pytest.mark.parametrize("number, amount, date, message", [
    (1, "16500.01", dt.date(2001, 5, 1), "16,500.01 is more than invoice 000001's open balance of 16,500.00"),
    (1, "-5", dt.date(2001, 5, 1), "expected an amount more than zero"),
    (1, "100", dt.date(2001, 4, 29), "before invoice 000001 was issued \\(2001-04-30\\)"),
    (99, "100", dt.date(2001, 5, 1), "no invoice number 99"),
    (1, "1.005", dt.date(2001, 5, 1), "expected an amount in whole cents"),
])
def test_refused_payments_leave_the_ledger_unchanged(ledger, number, amount, date, message):
    before = snapshot(ledger)
    with pytest.raises(PricingError, match=message):
        record_payment(ledger, number, amount, date)
    assert snapshot(ledger) == before


def test_dispute_deadline_and_limit(ledger, tables):
    # PSA Section 24 as amended: twenty days of good-faith discussion from the dispute.
    found = record_dispute(ledger, 2, "6000.00", dt.date(2001, 6, 5), "hours", tables)
    assert found.discussion_until == dt.date(2001, 6, 25)
    before = snapshot(ledger)
    with pytest.raises(PricingError, match="10,500.01 is more than invoice 000002's open balance not "
                                           "already disputed \\(10,500.00"):
        record_dispute(ledger, 2, "10500.01", dt.date(2001, 6, 6), "more", tables)
    assert snapshot(ledger) == before
    resolve_dispute(ledger, found.id, dt.date(2001, 6, 20), "withdrawn")
    with pytest.raises(PricingError, match="was resolved on 2001-06-20"):
        resolve_dispute(ledger, found.id, dt.date(2001, 6, 21), "again")


def test_credit_notes_are_numbered_documents(ledger, tmp_path, tables):
    first = issue_credit(ledger, 3, "1500.00", dt.date(2001, 7, 1), "goodwill", tmp_path / "credits")
    second = issue_credit(ledger, 4, "250.00", dt.date(2001, 8, 1), "rounding", tmp_path / "credits")
    assert (first.number, second.number) == (1, 2)          # their own sequence
    assert balance(ledger, 3, dt.date(2001, 7, 1), tables).open == D("15000.00")
    assert ledger.get(3).total == D("16500.00")              # the invoice itself is untouched
    with pytest.raises(PricingError, match="more than invoice 000003's open balance of 15,000.00"):
        issue_credit(ledger, 3, "15000.01", dt.date(2001, 7, 2), "too much", tmp_path)


@pytest.mark.parametrize("as_of, bucket", [
    # Invoice 1 (2001-04) is due 2001-05-20 (net 20).
    (dt.date(2001, 5, 20), "current"), (dt.date(2001, 5, 21), "1-30"), (dt.date(2001, 6, 19), "1-30"),
    (dt.date(2001, 6, 20), "31-60"), (dt.date(2001, 7, 19), "31-60"), (dt.date(2001, 7, 20), "61-90"),
    (dt.date(2001, 8, 18), "61-90"), (dt.date(2001, 8, 19), "over 90"),
])
def test_aging_buckets_on_boundary_days(ledger, as_of, bucket, tables):
    (row,) = aging(ledger, as_of, tables)
    invoice_1 = D("16500.00")
    assert row.buckets[bucket] >= invoice_1
    assert bucket_of((as_of - dt.date(2001, 5, 20)).days) == bucket


def test_aging_keeps_disputed_apart(ledger, tables):
    record_payment(ledger, 1, "6500.00", dt.date(2001, 5, 25))
    record_dispute(ledger, 1, "4000.00", dt.date(2001, 5, 26), "hours", tables)
    (row,) = aging(ledger, dt.date(2001, 6, 10), tables)
    # Invoice 1: 16,500 - 6,500 paid = 10,000 open, 4,000 disputed: 6,000 in 1-30 (21 days).
    # Invoice 2 (dated 2001-05-31, due 2001-06-20): 16,500 current.
    assert (row.buckets["1-30"], row.disputed, row.buckets["current"]) == (
        D("6000.00"), D("4000.00"), D("16500.00"))
    assert row.total == D("26500.00")


def test_status_right_to_cease(ledger, tables):
    record_dispute(ledger, 1, "16500.00", dt.date(2001, 5, 1), "all of it", tables)
    clear = status(ledger, dt.date(2001, 6, 1), tables)
    assert not clear.may_cease          # invoice 1 wholly disputed; invoice 2 not yet due
    later = status(ledger, dt.date(2001, 6, 21), tables)     # invoice 2 due 2001-06-20
    assert later.may_cease and [b.number for b in later.past_due] == [2]
    assert later.undisputed_past_due == D("16500.00")


def test_adequate_assurance_over_six_months(tmp_path, tables, ledger_address):
    cities = tmp_path / "cities.csv"
    cities.write_text(CITIES)
    with Ledger(ledger_address) as book:
        for month in ("2001-10", "2001-11", "2001-12", "2002-01", "2002-02", "2002-03"):
            run_month(month, cities, tmp_path / "out", tables, book)
        payments = [(1, "1000.00", "2001-10-31"),    # the day before the window: not counted
                    (1, "15500.00", "2001-11-01"),   # the window's first day
                    (2, "16500.00", "2001-12-15"), (3, "16500.00", "2002-01-15"),
                    (4, "10000.00", "2002-02-15"), (4, "6500.00", "2002-03-15"),
                    (5, "16500.00", "2002-04-30"),   # the day before the request
                    (6, "16500.00", "2002-05-01")]   # the request day: not counted
        for number, amount, day in payments:
            record_payment(book, number, amount, dt.date.fromisoformat(day))
        result = assurance(book, dt.date(2002, 5, 1), tables)
    # 15,500 + 16,500 + 16,500 + 10,000 + 6,500 + 16,500 = 81,500 over six months:
    # average 13,583.33; twice the average = 81,500 / 3 = 27,166.67.
    assert result.window_start == dt.date(2001, 11, 1)
    assert (result.payments_total, result.average_monthly, result.amount) == (
        D("81500.00"), D("13583.33"), D("27166.67"))
    assert [p[2] for p in result.payments][0] == dt.date(2001, 11, 1) and len(result.payments) == 6


def test_assurance_before_amendment_3(ledger, tables):
    with pytest.raises(PricingError, match="comes with PSA Amendment 3, effective 2001-04-16"):
        assurance(ledger, dt.date(2001, 4, 15), tables)


def test_termination_accelerates_outstanding_invoices(ledger, tables):
    record_payment(ledger, 1, "16500.00", dt.date(2001, 5, 15))
    terminate(ledger, dt.date(2001, 6, 5), tables)
    # Invoice 2 (due 2001-06-20) falls due on 2001-06-05; invoice 1 is paid.
    assert balance(ledger, 2, dt.date(2001, 6, 10), tables).due_date == dt.date(2001, 6, 5)
    (row,) = aging(ledger, dt.date(2001, 6, 10), tables)
    assert row.buckets["1-30"] == D("16500.00")     # 5 days past the accelerated due date
    result = status(ledger, dt.date(2001, 6, 10), tables)
    assert result.terminated == dt.date(2001, 6, 5) and not result.may_cease   # nothing to cease
    assert result.undisputed_past_due == D("16500.00")
    assert result.reason.startswith("16,500.00 undisputed is past due on 1 invoice(s); the "
                                    "agreement was terminated on 2001-06-05")
    before = snapshot(ledger)
    with pytest.raises(PricingError, match="already terminated on 2001-06-05"):
        terminate(ledger, dt.date(2001, 7, 1), tables)
    assert snapshot(ledger) == before


def test_statement_running_balance(ledger, tmp_path, tables):
    record_payment(ledger, 1, "16500.00", dt.date(2001, 5, 15))
    issue_credit(ledger, 2, "500.00", dt.date(2001, 6, 1), "goodwill", tmp_path)
    found = build_statement(ledger, "KMC Telecom III, Inc.", dt.date(2001, 5, 1),
                            dt.date(2001, 6, 30), tables)
    # Opening: invoice 1 (2001-04-30) 16,500. Then payment -16,500, invoice 2 +16,500,
    # credit -500, invoice 3 +16,500: closing 32,500.
    assert found.opening == D("16500.00")
    assert [(e.document, e.reference, e.amount, e.balance) for e in found.entries] == [
        ("Payment 1", "Invoice 000001", D("-16500.00"), D("0.00")),
        ("Invoice 000002", "", D("16500.00"), D("16500.00")),
        ("Credit note 000001", "Invoice 000002", D("-500.00"), D("16000.00")),
        ("Invoice 000003", "", D("16500.00"), D("32500.00"))]
    assert found.closing == D("32500.00")
    # Invoices are dated at month end, Net 20 from 2001-04-16 (payment_terms): invoice 2 of
    # 2001-05-31 is due 06-20, invoice 3 of 06-30 is due 07-20.
    assert [e.due_date for e in found.entries if e.kind == "invoice"] == [
        dt.date(2001, 6, 20), dt.date(2001, 7, 20)]
    # On 2001-06-30: invoice 2 (16,000 open) is 10 days past due, invoice 3 is current.
    assert found.aging["1-30"] == D("16000.00") and found.aging["current"] == D("16500.00")
    assert found.past_due == D("16000.00")
    assert sum(found.aging.values()) + found.disputed == found.closing


def test_cli_receivables(ledger, tmp_path):
    env = {"PRICING_LEDGER": str(ledger.path)}
    assert runner.invoke(app, ["ar", "pay", "1", "16500.00", "--date", "2001-05-15"], env=env).exit_code == 0
    over = runner.invoke(app, ["ar", "pay", "2", "20000", "--date", "2001-06-01"], env=env)
    assert over.exit_code == 1 and "open balance of 16,500.00" in over.output
    aged = json.loads(runner.invoke(app, ["ar", "aging", "--as-of", "2001-07-01", "--format", "json"],
                                    env=env).stdout)
    assert aged["bill_to"][0]["31-60"] == "0.00" and aged["bill_to"][0]["1-30"] == "16500.00"
    sure = json.loads(runner.invoke(app, ["ar", "assurance", "--as-of", "2001-07-01", "--format", "json"],
                                    env=env).stdout)
    assert set(sure) >= {"as_of", "payments_total", "average_monthly", "amount", "payments"}
    assert sure["amount"] == "5500.00"                  # 16,500 x 2 / 6
    out = tmp_path / "statement.xlsx"
    made = runner.invoke(app, ["ar", "statement", "KMC Telecom III, Inc.", "--from", "2001-04-01",
                               "--to", "2001-12-31", "-o", str(out)], env=env)
    assert made.exit_code == 0
    sheet = load_workbook(out, data_only=True)["Statement"]
    last = max(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 2).value == "Closing balance")
    assert D(str(sheet.cell(last, 7).value)) == D("82500.00")    # 6 x 16,500 - 16,500 paid
    assert sheet["E8"].value == "Amount due" and D(str(sheet["G8"].value)) == D("82500.00")
    credited = runner.invoke(app, ["ar", "credit", "3", "100.00", "--date", "2001-07-01", "--reason",
                                   "goodwill", "--out", str(tmp_path / "c")], env=env)
    assert credited.exit_code == 0
    note = load_workbook(tmp_path / "c" / "credit-000001.xlsx")["Credit note"]
    assert (note["D3"].value, note["E3"].value) == ("Credit note number", "000001")
    assert note["E15"].value == 100 and note["D17"].value == "Total credited"


def test_termination_applies_to_invoices_dated_on_or_before_it_and_stops_billing(tmp_path, tables):
    # PSA Section 20(b) as amended (Amendment 3, 000 L173-177): termination makes every
    # outstanding invoice "immediately due and payable on the effective date of such
    # termination". Invoices of 2001-04 (dated 04-30, Net 20, due 05-20) and 2001-05 (dated 05-31,
    # due 06-20); terminated 2001-06-15. April stays due 05-20 (already earlier), May becomes
    # due 06-15. June (dated 06-30, after the termination) is due on its own date, 06-30, not
    # Net 20's 07-20 (design rule 8); July starts after the termination and is not billed.
    cities = tmp_path / "cities.csv"
    cities.write_text(CITIES)
    env = {"PRICING_LEDGER": str(tmp_path / "ledger.sqlite3")}

    def cli(*args):
        return runner.invoke(app, list(args), env=env)

    for month in ("2001-04", "2001-05"):
        assert cli("invoice", "run", "--no-hours", "--month", month, "--cities", str(cities), "--out",
                   str(tmp_path / "out")).exit_code == 0
    too_early = cli("ar", "terminate", "--date", "2001-04-29")
    assert too_early.exit_code == 1 and "before the first invoice's date (2001-04-30)" in too_early.output
    after_expiry = cli("ar", "terminate", "--date", "2005-10-01")
    assert after_expiry.exit_code == 1 and "PSA" in after_expiry.output
    assert cli("ar", "terminate", "--date", "2001-06-15").exit_code == 0
    june = cli("invoice", "run", "--no-hours", "--month", "2001-06", "--cities", str(cities), "--out", str(tmp_path / "out"))
    assert june.exit_code == 0
    assert ("the agreement was terminated on 2001-06-15; 2001-06 contains that day and is billed "
            "in full (the contract gives no proration)") in june.output
    july = cli("invoice", "run", "--no-hours", "--month", "2001-07", "--cities", str(cities), "--out", str(tmp_path / "out"))
    assert july.exit_code == 1
    assert "terminated on 2001-06-15: 2001-07 starts after it and is not billed" in july.output
    listed = json.loads(cli("invoice", "list", "--format", "json").stdout)
    assert [(i["invoice_date"], i["due_date"], i["due_date_as_issued"]) for i in listed] == [
        ("2001-04-30", "2001-05-20", "2001-05-20"),
        ("2001-05-31", "2001-06-15", "2001-06-20"),
        ("2001-06-30", "2001-06-30", "2001-06-30")]       # issued due on its own date
    assert [i["due_reason"] for i in listed] == [
        None, "accelerated by the termination of 2001-06-15 (PSA Section 20(b))", None]
    assert listed[2]["terms"] == ("Due on its date: the agreement was terminated on 2001-06-15 "
                                  "(PSA Section 20(b))")
    assert "due_now" not in listed[0]                      # one due date, the one in force
    # Withdrawn explicitly: both entries stay; July may then be billed.
    assert cli("ar", "terminate", "--withdraw").exit_code == 1
    withdrawn = cli("ar", "terminate", "--withdraw", "--reason", "settled")
    assert withdrawn.exit_code == 0 and "termination of 2001-06-15 is withdrawn" in withdrawn.output
    from invoices.ledger import schema

    with Ledger(tmp_path / "ledger.sqlite3", "read") as book, book.read() as conn:
        assert [(r.kind, r.date) for r in conn.execute(schema.terminations.select())] == [
            ("terminated", dt.date(2001, 6, 15)), ("withdrawn", None)]
    assert cli("invoice", "run", "--no-hours", "--month", "2001-07", "--cities", str(cities), "--out",
               str(tmp_path / "out")).exit_code == 0


def test_invoice_list_filters_in_sql_and_limits_a_table(ledger, tmp_path, tables):
    # Six months of one Small city (16,500.00 a month, invoices 000001-000006, dated at each
    # month's end). Invoice 1 paid in full; a 500.00 credit on invoice 2.
    from invoices.receivables.listing import Filters, list_invoices

    record_payment(ledger, 1, "16500.00", dt.date(2001, 5, 15))
    issue_credit(ledger, 2, "500.00", dt.date(2001, 6, 1), "goodwill", tmp_path)
    found, matching = list_invoices(ledger, tables, Filters(open_only=True))
    assert matching == 5 and [i.number for i in found] == [2, 3, 4, 5, 6]
    assert found[0].open == D("16000.00")
    dated, _ = list_invoices(ledger, tables, Filters(start=dt.date(2001, 5, 1), end=dt.date(2001, 6, 30)))
    assert [i.invoice_date for i in dated] == [dt.date(2001, 5, 31), dt.date(2001, 6, 30)]
    assert list_invoices(ledger, tables, Filters(city="Huntsville AL"), limit=2)[1] == 6
    assert list_invoices(ledger, tables, Filters(city="Nowhere"))[1] == 0
    assert list_invoices(ledger, tables, Filters(min_total=D("16500.01")))[1] == 0
    env = {"PRICING_LEDGER": str(ledger.path)}
    shown = runner.invoke(app, ["invoice", "list", "--limit", "2"], env=env)
    assert shown.exit_code == 0 and "4 more (6 match; --limit 0 for all)" in shown.output
    assert len([l for l in shown.stdout.splitlines() if l.startswith("00000")]) == 2
    refused = runner.invoke(app, ["invoice", "list", "--from", "2001-06-01", "--to", "2001-05-01"], env=env)
    assert refused.exit_code == 2


def test_invoice_list_names_are_trimmed_and_never_empty(ledger):
    env = {"PRICING_LEDGER": str(ledger.path)}
    trimmed = runner.invoke(app, ["invoice", "list", "--city", " Huntsville AL ", "--format", "json"], env=env)
    assert trimmed.exit_code == 0 and len(json.loads(trimmed.stdout)) == 6
    empty = runner.invoke(app, ["invoice", "list", "--city", " "], env=env)
    assert empty.exit_code == 2 and "expected a name, got nothing" in empty.output


def ar(ledger, *args, user: str = "clerk", typed: bool = False):
    """An `ar` command on the ledger, on behalf of `user` on SQLite; on PostgreSQL, where a typed
    name is refused, as the database role the test connects as (unless `typed`: a test of the
    name itself)."""
    given = user if typed or not ledger.server else None
    return runner.invoke(app, ["ar", *args], env={"PRICING_LEDGER": str(ledger.path),
                                                  "PRICING_USER": given})


def author(ledger, user: str, login: str | None = None) -> str:
    """Who an entry made by `ar(..., user=user)` is recorded as made by: the database role on
    PostgreSQL; on SQLite the login name, on behalf of the user."""
    from invoices.ledger.authors import recorded_author
    from invoices.ledger.store import login_name

    return ledger.session_user if ledger.server else recorded_author(login or login_name(), user)


def test_a_voided_payment_reopens_its_invoice_from_the_void_date_and_both_records_stay(ledger, tables):
    paid = ar(ledger, "pay", "1", "16500.00", "--date", "2001-05-15")
    assert paid.exit_code == 0
    assert (f"payment 1 recorded by {author(ledger, 'clerk')}: invoice 000001 paid 16,500.00 of "
            f"16,500.00; open 0.00") in paid.output
    voided = ar(ledger, "void-payment", "1", "--date", "2001-05-31", "--reason",
                "check returned unpaid", user="supervisor")
    assert voided.exit_code == 0, voided.output
    assert (f"payment 1 of 16,500.00 on invoice 000001 voided from 2001-05-31 by "
            f"{author(ledger, 'supervisor')}; invoice 000001 open 16,500.00") in voided.output
    # It stood until the day before its void, and the invoice is open again from that day.
    assert balance(ledger, 1, dt.date(2001, 5, 30), tables).open == D("0.00")
    assert balance(ledger, 1, dt.date(2001, 5, 31), tables).open == D("16500.00")
    listed = json.loads(ar(ledger, "payments", "--format", "json").stdout)
    assert [(p["id"], p["invoice"], p["amount"], p["recorded_by"], p["voided"], p["voided_by"],
             p["void_reason"]) for p in listed] == [
        (1, "000001", "16500.00", author(ledger, "clerk"), "2001-05-31",
         author(ledger, "supervisor"), "check returned unpaid")]
    assert listed[0]["recorded_at"] <= listed[0]["voided_at"]
    # Refusals change nothing: voided twice, before the payment, no such payment, no reason.
    before = snapshot(ledger)
    twice = ar(ledger, "void-payment", "1", "--date", "2001-06-01", "--reason", "again")
    assert twice.exit_code == 1
    assert (f"payment 1 was already voided on 2001-05-31 by {author(ledger, 'supervisor')} "
            f"(check returned unpaid)") in twice.output
    early = ar(ledger, "void-payment", "1", "--date", "2001-05-14", "--reason", "x")
    assert early.exit_code == 1 and "already voided" in early.output
    assert ar(ledger, "void-payment", "9", "--date", "2001-06-01", "--reason", "x").exit_code == 1
    assert ar(ledger, "void-payment", "1", "--date", "2001-06-01", "--reason", "  ").exit_code == 2
    assert snapshot(ledger) == before
    # Paid again in June. The statement: invoices dated each month's last day, 16,500.00 each;
    # the void adds back what the payment took off; closing 3 x 16,500.00 - 16,500.00.
    assert ar(ledger, "pay", "1", "16500.00", "--date", "2001-06-05").exit_code == 0
    shown = build_statement(ledger, "KMC Telecom III, Inc.", dt.date(2001, 4, 1),
                            dt.date(2001, 6, 30), tables)
    assert [(e.date.isoformat(), e.document, e.charge, e.credit, e.balance)
            for e in shown.entries] == [
        ("2001-04-30", "Invoice 000001", D("16500.00"), None, D("16500.00")),
        ("2001-05-15", "Payment 1", None, D("16500.00"), D("0.00")),
        ("2001-05-31", "Invoice 000002", D("16500.00"), None, D("16500.00")),
        ("2001-05-31", "Payment 1 voided", D("16500.00"), None, D("33000.00")),
        ("2001-06-05", "Payment 2", None, D("16500.00"), D("16500.00")),
        ("2001-06-30", "Invoice 000003", D("16500.00"), None, D("33000.00"))]
    assert shown.closing == D("33000.00")


def test_a_payment_dated_before_a_later_void_cannot_overpay_the_days_between(ledger, tables):
    assert ar(ledger, "pay", "2", "16500.00", "--date", "2001-06-10").exit_code == 0
    assert ar(ledger, "void-payment", "1", "--date", "2001-06-30", "--reason", "wrong").exit_code == 0
    # From 2001-06-15 to 06-29 payment 1 still stood: 16,500.00 more would pay the invoice twice.
    backdated = ar(ledger, "pay", "2", "16500.00", "--date", "2001-06-15")
    assert backdated.exit_code == 1 and "open balance of 0.00" in backdated.output
    assert ar(ledger, "pay", "2", "16500.00", "--date", "2001-06-30").exit_code == 0
    assert balance(ledger, 2, dt.date(2001, 6, 29), tables).open == D("0.00")
    assert balance(ledger, 2, dt.date(2001, 6, 30), tables).open == D("0.00")


def test_a_voided_payment_is_not_counted_for_adequate_assurance(ledger):
    # PSA Amendment 3: twice the average monthly payment of the six months before the request.
    assert ar(ledger, "pay", "1", "16500.00", "--date", "2001-05-15").exit_code == 0
    assert ar(ledger, "void-payment", "1", "--date", "2001-05-31", "--reason", "bounced").exit_code == 0
    env = {"PRICING_LEDGER": str(ledger.path)}
    sure = json.loads(runner.invoke(app, ["ar", "assurance", "--as-of", "2001-07-01", "--format",
                                          "json"], env=env).stdout)
    assert (sure["payments_total"], sure["amount"], sure["payments"]) == ("0.00", "0.00", [])
    assert ar(ledger, "pay", "1", "16500.00", "--date", "2001-06-05").exit_code == 0
    sure = json.loads(runner.invoke(app, ["ar", "assurance", "--as-of", "2001-07-01", "--format",
                                          "json"], env=env).stdout)
    assert sure["amount"] == "5500.00"                      # 16,500.00 x 2 / 6


def test_every_record_says_who_made_it_and_the_log_shows_it_in_order(ledger, tmp_path):
    env = {"PRICING_LEDGER": str(ledger.path), "LOGNAME": "pat", "USER": "pat",
           "PRICING_USER": None}
    # Without --user or PRICING_USER the login name is recorded (on PostgreSQL the role).
    assert runner.invoke(app, ["ar", "pay", "1", "6500.00", "--date", "2001-05-10"], env=env).exit_code == 0
    steps = [(["ar", "dispute", "2", "1000.00", "--date", "2001-06-05", "--reason", "hours"], "dana"),
             (["ar", "resolve", "1", "--date", "2001-06-20", "--resolution", "agreed"], "lee"),
             (["ar", "credit", "2", "1000.00", "--date", "2001-06-21", "--reason", "dispute 1",
               "--out", str(tmp_path / "c")], "dana"),
             (["ar", "void-payment", "1", "--date", "2001-05-31", "--reason", "bounced"], "lee"),
             (["ar", "terminate", "--date", "2001-09-30"], "dana")]
    for args, user in steps:       # on SQLite "on behalf of" a name; PostgreSQL refuses one
        done = runner.invoke(app, [*args, *([] if ledger.server else ["--user", user])], env=env)
        assert done.exit_code == 0, done.output
    pat = ledger.session_user if ledger.server else "pat"
    dana, lee = author(ledger, "dana", "pat"), author(ledger, "lee", "pat")
    log = json.loads(runner.invoke(app, ["ledger", "log", "--format", "json"], env=env).stdout)
    assert [(e["recorded_by"], e["action"], e["document"], e["amount"]) for e in log[6:]] == [
        (pat, "payment", "payment 1", "6500.00"),
        (dana, "dispute raised", "dispute 1", "1000.00"),
        (lee, "dispute resolved", "dispute 1", None),
        (dana, "credit note", "credit note 000001", "1000.00"),
        (lee, "payment voided", "payment 1", "6500.00"),
        (dana, "termination", "PSA", None)]
    assert [e["action"] for e in log[:6]] == ["invoice issued"] * 6          # the fixture's run
    assert [e["recorded_at"] for e in log] == sorted(e["recorded_at"] for e in log)
    listed = json.loads(runner.invoke(app, ["ar", "disputes", "--format", "json"], env=env).stdout)
    assert [(d["recorded_by"], d["resolved_by"]) for d in listed] == [(dana, lee)]
    if not ledger.server:          # `log --user` finds what was done on behalf of a name too
        mine = json.loads(runner.invoke(app, ["ledger", "log", "--user", "lee", "--format",
                                              "json"], env=env).stdout)
        assert [e["action"] for e in mine] == ["dispute resolved", "payment voided"]
        assert len(json.loads(runner.invoke(app, ["ledger", "log", "--user", "pat", "--format",
                                                  "json"], env=env).stdout)) == 6
    # A name that is blank or hides characters is a usage error, and records nothing.
    for bad in ("  ", "dana\u202e", "a\nb"):
        refused = runner.invoke(app, ["ar", "pay", "3", "1.00", "--date", "2001-07-01", "--user", bad],
                                env=env)
        assert refused.exit_code == 2, bad
    assert len(json.loads(runner.invoke(app, ["ledger", "log", "--format", "json"], env=env).stdout)) == 12


def test_a_credit_killed_before_its_commit_records_nothing_and_a_retry_issues_it(ledger, tmp_path, tables):
    import os
    import subprocess
    import sys

    command = [sys.executable, "-m", "pricing", "ar", "credit", "2", "1000.00", "--date",
               "2001-06-01", "--reason", "goodwill", "--out", str(tmp_path / "c")]
    env = {**os.environ, "PRICING_LEDGER": str(ledger.path), "PRICING_FAULT": "credit-before-commit"}
    before = snapshot(ledger)
    killed = subprocess.run(command, env=env, capture_output=True, timeout=120)
    assert killed.returncode == -9                                  # SIGKILL, for real
    assert snapshot(ledger) == before                               # no credit, no number taken
    env.pop("PRICING_FAULT")
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "credit note 000001: 1,000.00" in done.stdout
    assert balance(ledger, 2, dt.date(2001, 6, 1), tables).open == D("15500.00")      # 16,500 - 1,000
    assert load_workbook(tmp_path / "c" / "credit-000001.xlsx")["Credit note"]["E3"].value == "000001"


def test_a_void_and_a_new_payment_on_one_day_never_show_the_customer_in_credit(ledger, tables):
    assert ar(ledger, "pay", "1", "16500.00", "--date", "2001-05-10").exit_code == 0
    assert ar(ledger, "void-payment", "1", "--date", "2001-06-15", "--reason", "bounced").exit_code == 0
    assert ar(ledger, "pay", "1", "16500.00", "--date", "2001-06-15").exit_code == 0
    shown = build_statement(ledger, "KMC Telecom III, Inc.", dt.date(2001, 6, 1), dt.date(2001, 6, 20), tables)
    # Opening: April and May invoices 33,000.00 less payment 1: 16,500.00.
    assert shown.opening == D("16500.00")
    assert [(e.document, e.balance) for e in shown.entries] == [
        ("Payment 1 voided", D("33000.00")), ("Payment 2", D("16500.00"))]


def test_a_payment_backdated_before_a_void_says_which_days_it_would_overpay(ledger, tmp_path):
    assert ar(ledger, "pay", "2", "16500.00", "--date", "2001-06-10").exit_code == 0
    assert ar(ledger, "void-payment", "1", "--date", "2001-06-30", "--reason", "wrong").exit_code == 0
    refused = ar(ledger, "pay", "2", "100.00", "--date", "2001-06-20")
    assert refused.exit_code == 1
    assert ("100.00 is more than invoice 000002's open balance of 0.00 on 2001-06-29, while "
            "payment 1 stands (it is voided from 2001-06-30)") in refused.output
    credit = ar(ledger, "credit", "2", "100.00", "--date", "2001-06-20", "--reason", "x", "--out",
                str(tmp_path / "c"))
    assert credit.exit_code == 1 and "while payment 1 stands" in credit.output


@pytest.mark.parametrize("char", ["\u2060", "\u061c", "\u00ad", "\u2028", "\u0085", "\x7f", "\t",
                                  "\u3164", "\u202e"])
def test_names_and_reasons_with_hidden_characters_are_usage_errors(ledger, char):
    before = snapshot(ledger)
    as_user = ar(ledger, "pay", "1", "1.00", "--date", "2001-05-10", user=f"ad{char}min", typed=True)
    assert as_user.exit_code == 2 and "--user" in as_user.output
    reason = ar(ledger, "dispute", "1", "1.00", "--date", "2001-05-10", "--reason", f"hours{char}")
    assert reason.exit_code == 2 and "--reason" in reason.output
    assert snapshot(ledger) == before


def test_unknown_is_not_a_user_and_a_login_name_is_checked_like_one(ledger):
    reserved = ar(ledger, "pay", "1", "1.00", "--date", "2001-05-10", user="Unknown", typed=True)
    said = " ".join(reserved.output.replace("│", " ").split())         # unwrapped from the box
    assert reserved.exit_code == 2 and "'unknown' is kept for records made before" in said
    env = {"PRICING_LEDGER": str(ledger.path), "PRICING_USER": None, "LOGNAME": "ev\u202eil"}
    refused = runner.invoke(app, ["ar", "pay", "1", "1.00", "--date", "2001-05-10"], env=env)
    if ledger.server:              # the author is the database role: the login name is not used
        assert refused.exit_code == 0, refused.output
        return
    assert refused.exit_code == 1
    assert "the login name cannot be recorded as who made this" in refused.output
    assert "give --user NAME" in refused.output
    missing = runner.invoke(app, ["ar", "void-payment", "1", "--reason", "x"],
                            env={"PRICING_LEDGER": str(ledger.path)})
    assert missing.exit_code == 2 and "--date" in missing.output           # no silent today


@pytest.mark.breaks_ledger
def test_ledger_check_finds_an_invoice_overpaid_on_some_days_only(ledger):
    from invoices.ledger import schema

    assert ar(ledger, "pay", "1", "16500.00", "--date", "2001-05-10").exit_code == 0
    assert ar(ledger, "void-payment", "1", "--date", "2001-06-15", "--reason", "bounced").exit_code == 0
    assert ar(ledger, "pay", "1", "16500.00", "--date", "2001-06-15").exit_code == 0
    with ledger.write() as conn:                        # backdated behind the tool's back
        from invoices.ledger.chain import drop_triggers

        drop_triggers(conn)                             # as anyone holding the file can
        conn.execute(schema.payments.update().where(schema.payments.c.id == 2)
                     .values(date=dt.date(2001, 6, 1)))
    checked = runner.invoke(app, ["ledger", "check"], env={"PRICING_LEDGER": str(ledger.path)})
    assert checked.exit_code == 1
    assert ("payments_and_credits_within_totals: invoice 000001: paid and credited 33,000.00 on "
            "2001-06-01, more than its total 16,500.00") in checked.output


def test_a_page_of_open_invoices_counts_the_rest_in_the_ledger(ledger):
    record_payment(ledger, 1, "16500.00", dt.date(2001, 5, 15))         # invoice 1 paid in full
    record_payment(ledger, 2, "100.00", dt.date(2001, 6, 15))           # invoice 2 still open
    env = {"PRICING_LEDGER": str(ledger.path)}
    page = runner.invoke(app, ["invoice", "list", "--open", "--limit", "2", "--format", "json"], env=env)
    assert page.exit_code == 0
    assert [(i["number"], i["open"]) for i in json.loads(page.stdout)] == [(2, "16400.00"), (3, "16500.00")]
    assert "3 more (5 match; --limit 0 for all)" in page.stderr
    whole = runner.invoke(app, ["invoice", "list", "--open", "--format", "json"], env=env)
    assert [i["number"] for i in json.loads(whole.stdout)] == [2, 3, 4, 5, 6]


def test_aging_has_a_totals_row_in_the_table_csv_and_json(tmp_path, tables):
    cities = tmp_path / "cities.csv"
    cities.write_text(CITIES + 'Savannah GA,"KMC Telecom II, Inc.",22,1,11,1,1,1,Very Small\n')
    env = {"PRICING_LEDGER": str(tmp_path / "ledger.sqlite3")}
    with Ledger(env["PRICING_LEDGER"]) as book:
        for month in ("2001-04", "2001-05"):
            run_month(month, cities, tmp_path / "out", tables, book)
        (april,) = book.numbers("2001-04", "KMC Telecom III, Inc.")
        record_payment(book, april, "6500.00", dt.date(2001, 5, 25))
    # On 2001-06-10 April's invoices (due 2001-05-20) are 21 days late, May's (due 2001-06-20)
    # current. Huntsville (Small) $16,500 a month less $6,500 paid; Savannah (Very Small)
    # $163,000 / 12 = $13,583.33 a month.
    args = ["ar", "aging", "--as-of", "2001-06-10"]
    lines = runner.invoke(app, [*args, "--format", "csv"], env=env).stdout.splitlines()
    assert lines[0] == "bill_to,current,1-30,31-60,61-90,over 90,disputed,total"
    assert lines[1:] == ['"KMC Telecom II, Inc.",13583.33,13583.33,0.00,0.00,0.00,0.00,27166.66',
                         '"KMC Telecom III, Inc.",16500.00,10000.00,0.00,0.00,0.00,0.00,26500.00',
                         "Total,30083.33,23583.33,0.00,0.00,0.00,0.00,53666.66"]
    data = json.loads(runner.invoke(app, [*args, "--format", "json"], env=env).stdout)
    assert [row["bill_to"] for row in data["bill_to"]] == ["KMC Telecom II, Inc.", "KMC Telecom III, Inc."]
    assert data["totals"] == {"current": "30083.33", "1-30": "23583.33", "31-60": "0.00",
                              "61-90": "0.00", "over 90": "0.00", "disputed": "0.00",
                              "total": "53666.66"}
    table = runner.invoke(app, args, env=env).stdout.splitlines()
    assert table[-1].split() == ["Total", "30,083.33", "23,583.33", "0.00", "0.00", "0.00", "0.00",
                                 "53,666.66"]


@pytest.mark.parametrize("spelling", ["KMC Telecom III, Inc.", "kmc telecom iii inc",
                                      "  KMC  Telecom III Inc. ", "KMC TELECOM III, INC"])
def test_invoice_list_finds_a_bill_to_as_a_run_matches_it(ledger, spelling):
    env = {"PRICING_LEDGER": str(ledger.path)}
    found = runner.invoke(app, ["invoice", "list", "--bill-to", spelling, "--format", "json"], env=env)
    assert found.exit_code == 0, found.output
    listed = json.loads(found.stdout)
    assert [i["number"] for i in listed] == [1, 2, 3, 4, 5, 6]
    assert {i["bill_to"] for i in listed} == {"KMC Telecom III, Inc."}     # the table's spelling


def test_invoice_list_names_the_ledgers_bill_tos_when_none_matches(ledger):
    env = {"PRICING_LEDGER": str(ledger.path)}
    found = runner.invoke(app, ["invoice", "list", "--bill-to", "KMC Telecom", "--format", "json"], env=env)
    assert found.exit_code == 0 and json.loads(found.stdout) == []
    assert "no invoice to 'KMC Telecom'; the ledger bills KMC Telecom III, Inc." in found.stderr
