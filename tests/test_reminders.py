"""Reminder letters (issue 25), worked by hand on the examples' April 2001 invoices, due
2001-05-20 (Net 20): 000001 KMC Telecom II 277,000.00 (20,000.00 of it disputed on 2001-05-10),
000002 KMC Telecom III 273,083.33, 000003 KMC Telecom of Virginia 141,916.67."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from invoices.ledger.store import Ledger
from invoices.receivables.accounts import record_dispute, record_payment
from invoices.workflows import remind, run_month

D = Decimal
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture
def book(tmp_path, tables, ledger_address):
    ledger = Ledger(ledger_address)
    run_month("2001-04", EXAMPLES / "invoice_cities.csv", tmp_path / "out", tables, ledger,
              EXAMPLES / "invoice_hours.csv")
    record_dispute(ledger, 1, "20000.00", dt.date(2001, 5, 10), "hours not agreed", tables)
    yield ledger
    ledger.close()


def sent(letters) -> list[tuple]:
    return [(x.stage.key, x.customer, [(b.number, days, b.undisputed, b.disputed)
                                        for b, days in x.items]) for x in letters]


def test_letters_by_stage_never_twice_and_disputes_apart(book, tables, tmp_path):
    out = tmp_path / "letters"
    assert remind(book, dt.date(2001, 5, 20), out, tables) == []      # due that day: not late
    assert not out.exists()                                          # no folder for nothing
    first = remind(book, dt.date(2001, 5, 25), out, tables)          # 5 days past due
    assert sent(first) == [
        ("friendly", "KMC Telecom II, Inc.", [(1, 5, D("257000.00"), D("20000.00"))]),
        ("friendly", "KMC Telecom III, Inc.", [(2, 5, D("273083.33"), D("0.00"))]),
        ("friendly", "KMC Telecom of Virginia, Inc.", [(3, 5, D("141916.67"), D("0.00"))])]
    assert remind(book, dt.date(2001, 5, 26), out, tables) == []      # the same stage: once
    record_payment(book, 3, "141916.67", dt.date(2001, 5, 30))        # Virginia pays
    second = remind(book, dt.date(2001, 6, 4), out, tables)           # 15 days
    assert [(x.stage.key, x.customer) for x in second] == [
        ("second", "KMC Telecom II, Inc."), ("second", "KMC Telecom III, Inc.")]
    notice = remind(book, dt.date(2001, 6, 19), out, tables)          # 30 days
    assert [(x.stage.key, x.customer) for x in notice] == [
        ("notice", "KMC Telecom II, Inc."), ("notice", "KMC Telecom III, Inc.")]
    # The Adequate Assurance Amount as `ar assurance` computes it: 2 x the average monthly
    # payment over the 6 months before 2001-06-19: 141,916.67 / 6 = 23,652.78; x 2 = 47,305.56.
    assert notice[0].assurance.amount == D("47305.56")
    assert notice[0].cease_clause == "PSA Section 1(a)(i), Amendment 3"
    text = subprocess.run(["pdftotext", "-layout", notice[0].file, "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "NOTICE OF PAYMENT" in text and "$257,000.00" in text and "47,305.56" in text
    assert "does not cure a" in " ".join(text.split())
    assert sorted(p.name for p in (tmp_path / "letters").iterdir()) == sorted(
        Path(x.file).name for x in first + second + notice)


def test_a_wholly_disputed_invoice_gets_no_letter(book, tables, tmp_path):
    record_dispute(book, 2, "273083.33", dt.date(2001, 5, 21), "all of it", tables)
    letters = remind(book, dt.date(2001, 5, 25), tmp_path / "letters", tables)
    assert [x.customer for x in letters] == ["KMC Telecom II, Inc.",
                                             "KMC Telecom of Virginia, Inc."]


def test_cash_on_account_is_said_or_spares_the_letter_and_letters_go_forward(book, tables,
                                                                             tmp_path):
    from invoices.receivables.bank_files import read_bank_file
    from invoices.receivables.cash import import_payments
    from pricing.errors import PricingError

    bank = tmp_path / "bank.csv"            # received before invoice 3 exists: held unapplied
    bank.write_text("Date,Amount,Payer,Reference\n2001-04-15,141916.67,KMC Telecom of "
                    "Virginia Inc,\n2001-04-16,1000.00,KMC Telecom III Inc,\n")
    import_payments(book, read_bank_file(bank), tables)
    letters = remind(book, dt.date(2001, 5, 25), tmp_path / "letters", tables)
    # Virginia's 141,916.67 on account covers its invoice: no letter. KMC III is told of 1,000.00.
    assert [(x.customer, x.unapplied) for x in letters] == [
        ("KMC Telecom II, Inc.", D("0.00")), ("KMC Telecom III, Inc.", D("1000.00"))]
    with pytest.raises(PricingError, match="reminders were sent as of 2001-05-25"):
        remind(book, dt.date(2001, 5, 20), tmp_path / "letters", tables)


def test_after_a_termination_no_letter_threatens_to_cease_what_has_ended(book, tables, tmp_path):
    from invoices.receivables.accounts import terminate

    terminate(book, dt.date(2001, 6, 10), tables)
    # 2001-06-19: 000002 is 30 days past its 2001-05-20 due date, the notice's stage; but the
    # Services ended on 2001-06-10, so the letter is a second reminder saying so.
    letters = remind(book, dt.date(2001, 6, 19), tmp_path / "letters", tables)
    assert [(x.stage.key, x.customer, x.terminated, x.cease_clause) for x in letters] == [
        ("second", "KMC Telecom II, Inc.", dt.date(2001, 6, 10), None),
        ("second", "KMC Telecom III, Inc.", dt.date(2001, 6, 10), None),
        ("second", "KMC Telecom of Virginia, Inc.", dt.date(2001, 6, 10), None)]
    text = " ".join(subprocess.run(["pdftotext", "-layout", letters[1].file, "-"],
                                   capture_output=True, text=True, check=True).stdout.split())
    assert "The agreement was terminated effective 2001-06-10." in text and "cease" not in text
    assert "$273,083.33" in text


def test_a_dispute_open_is_said_on_every_letter_while_it_stays_open(book, tables, tmp_path):
    # KMC II pays 000001 all but the 20,000.00 disputed: nothing of it is past due any more.
    # May's invoices (000004-000006, due 2001-06-20 at Net 20) fall past due; KMC II's letter
    # of 2001-06-25 lists its May invoice and still says 000001's 20,000.00 in dispute apart.
    run_month("2001-05", EXAMPLES / "invoice_cities.csv", tmp_path / "out", tables, book,
              EXAMPLES / "invoice_hours.csv")
    record_payment(book, 1, "257000.00", dt.date(2001, 5, 30))
    letters = remind(book, dt.date(2001, 6, 25), tmp_path / "letters", tables)
    kmc2 = next(x for x in letters if x.customer == "KMC Telecom II, Inc.")
    assert [(b.number, days, b.disputed) for b, days in kmc2.items] == [(4, 5, D("0.00"))]
    assert [(b.number, b.undisputed, b.disputed) for b in kmc2.in_dispute] == [
        (1, D("0.00"), D("20000.00"))]
    assert kmc2.disputed == D("20000.00") and kmc2.past_due == kmc2.items[0][0].open
    text = " ".join(subprocess.run(["pdftotext", "-layout", kmc2.file, "-"],
                                   capture_output=True, text=True, check=True).stdout.split())
    assert "$20,000.00 in dispute, not included" in text
    assert "000001 2001-04-30 2001-05-20 0.00 20,000.00" in text


def test_a_due_date_moved_by_the_termination_is_said_on_the_letter(book, tables, tmp_path):
    from invoices.receivables.accounts import terminate

    # May's invoices were issued due 2001-06-20; the termination of 2001-06-10 makes them due
    # that day (PSA Section 20(b)), so on 2001-06-19 they are 9 days past due, and say why.
    run_month("2001-05", EXAMPLES / "invoice_cities.csv", tmp_path / "out", tables, book,
              EXAMPLES / "invoice_hours.csv")
    terminate(book, dt.date(2001, 6, 10), tables)
    letters = remind(book, dt.date(2001, 6, 19), tmp_path / "letters", tables)
    kmc3 = next(x for x in letters if x.customer == "KMC Telecom III, Inc.")
    assert [(b.number, days) for b, days in kmc3.items] == [(2, 30), (5, 9)]
    assert [b.number for b in kmc3.due_dates_changed] == [5]
    text = " ".join(subprocess.run(["pdftotext", "-layout", kmc3.file, "-"],
                                   capture_output=True, text=True, check=True).stdout.split())
    assert "Invoice 000005 is due 2001-06-10, not 2001-06-20 as issued: " in text


def test_status_and_reminders_agree_on_cash_held_and_on_a_termination(book, tables, tmp_path):
    from invoices.receivables.accounts import terminate
    from invoices.receivables.bank_files import read_bank_file
    from invoices.receivables.cash import import_payments
    from invoices.receivables.reports import status

    # Virginia's 141,916.67 came in before its invoice existed and is held unapplied; KMC II
    # pays all but its 20,000.00 disputed, KMC III pays in full. On 2001-05-25 Virginia's
    # invoice is 5 days past due, wholly covered by its own cash: no letter, no right to cease.
    bank = tmp_path / "bank.csv"
    bank.write_text("Date,Amount,Payer,Reference\n2001-04-15,141916.67,KMC Telecom of "
                    "Virginia Inc,\n")
    import_payments(book, read_bank_file(bank), tables)
    record_payment(book, 1, "257000.00", dt.date(2001, 5, 20))
    record_payment(book, 2, "273083.33", dt.date(2001, 5, 20))
    assert remind(book, dt.date(2001, 5, 25), tmp_path / "letters", tables) == []
    found = status(book, dt.date(2001, 5, 25), tables)
    assert (found.may_cease, found.undisputed_past_due) == (False, D("141916.67"))
    assert "all of it covered by cash on account not yet applied" in found.reason
    # A termination ends the Services: past due, but nothing left to cease performing.
    terminate(book, dt.date(2001, 6, 1), tables)
    after = status(book, dt.date(2001, 6, 5), tables)
    assert (after.may_cease, after.terminated) == (False, dt.date(2001, 6, 1))
