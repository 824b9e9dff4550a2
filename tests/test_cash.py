"""Cash application (issue 25), worked by hand on the examples' April 2001 invoices, on both
backends: 000001 KMC Telecom II 277,000.00, 000002 KMC Telecom III 273,083.33, 000003 KMC
Telecom of Virginia 141,916.67, all dated 2001-04-30. Every import reconciles: for each
customer, cash received = applied + unapplied + refunded; for each invoice, total - payments -
credits = open."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import random
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from invoices.ledger.store import Ledger
from invoices.receivables.accounts import balance, record_dispute
from invoices.receivables.bank_files import read_bank_file
from invoices.receivables.cash import apply_cash, import_payments, refund
from invoices.receivables.unapplied import cash_balances
from invoices.workflows import run_month
from pricing.cli import app
from pricing.errors import PricingError, ProblemsError

D = Decimal
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HEADER = "Date,Amount,Payer,Reference\n"
II, III, VA = "KMC Telecom II, Inc.", "KMC Telecom III, Inc.", "KMC Telecom of Virginia, Inc."
runner = CliRunner()


@pytest.fixture
def book(tmp_path, tables, ledger_address):
    ledger = Ledger(ledger_address)
    run_month("2001-04", EXAMPLES / "invoice_cities.csv", tmp_path / "out", tables, ledger,
              EXAMPLES / "invoice_hours.csv")
    yield ledger
    ledger.close()


def bank(tmp_path: Path, *lines: str | tuple, name: str = "bank.csv") -> Path:
    """A bank CSV: lines as text, or as (date, amount, payer, reference) cells to quote."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    path = tmp_path / name
    for line in lines:
        if isinstance(line, tuple):
            writer.writerow(line)
        else:
            out.write(line + "\n")
    path.write_text(HEADER + out.getvalue())
    return path


def opens(book, tables) -> dict[int, Decimal]:
    return {n: balance(book, n, dt.date.max, tables).open for n in (1, 2, 3)}


def cash(book) -> dict[str, tuple]:
    return {c.customer: (c.received, c.applied, c.refunded, c.unapplied)
            for c in cash_balances(book)}


def test_named_invoices_first_then_the_oldest_and_the_rest_unapplied(book, tables, tmp_path):
    path = bank(tmp_path,
                '2001-05-10,"300,000.00",KMC TELECOM III INC,INV 000002',     # over: 26,916.67
                "2001-05-11,77000.00,KMC Telecom II Inc,",                     # unnamed: oldest
                "2001-05-12,141916.67,KMC Telecom of Virginia,invoice 3")      # exact
    done = import_payments(book, read_bank_file(path), tables)
    assert [(i.customer, i.applied, i.unapplied) for i in done] == [
        (III, ((2, D("273083.33")),), D("26916.67")),
        (II, ((1, D("77000.00")),), D("0.00")),
        (VA, ((3, D("141916.67")),), D("0.00"))]
    assert opens(book, tables) == {1: D("200000.00"), 2: D("0.00"), 3: D("0.00")}
    assert cash(book) == {
        II: (D("77000.00"), D("77000.00"), D("0.00"), D("0.00")),
        III: (D("300000.00"), D("273083.33"), D("0.00"), D("26916.67")),
        VA: (D("141916.67"), D("141916.67"), D("0.00"), D("0.00"))}
    again = import_payments(book, read_bank_file(path), tables)      # the same file: nothing new
    assert all(i.already for i in again) and opens(book, tables)[1] == D("200000.00")


def test_an_invoice_named_but_not_paid_is_said_with_why(book, tables, tmp_path, ledger_address):
    # KMC III names 000001 (KMC II's), 000099 (no such invoice), 000002 (its own, 273,083.33)
    # and 000002 again; 280,000.00 pays 000002 whole and leaves 6,916.67 unapplied.
    path = bank(tmp_path, '2001-05-10,"280,000.00",KMC Telecom III,"INV 000001, 000099, 000002"',
                "2001-05-11,100.00,KMC Telecom III,INV 000002")      # 000002 is paid by then
    shown = runner.invoke(app, ["ar", "import-payments", str(path), "--dry-run",
                                "--ledger", ledger_address])
    assert shown.exit_code == 0, shown.output
    assert (f"note: {path} line 2: invoice 000001 named in the reference is to {II}, not {III}"
            in shown.output)
    done = import_payments(book, read_bank_file(path), tables)
    assert [(i.applied, i.unapplied) for i in done] == [
        (((2, D("273083.33")),), D("6916.67")), ((), D("100.00"))]
    assert done[0].unpaid == (
        f"invoice 000001 named in the reference is to {II}, not {III}",
        "invoice 000099 named in the reference is not in the ledger")
    assert done[1].unpaid == ("invoice 000002 named in the reference has nothing open and "
                              "undisputed",)
    again = runner.invoke(app, ["ar", "import-payments", str(path), "--dry-run",
                                "--ledger", ledger_address])
    assert again.exit_code == 0, again.output
    assert "invoice 000001 named in the reference" not in again.output    # already imported


def test_cash_is_only_a_psa_customers_from_the_day_it_became_one(book, tables, tmp_path):
    # KMC Telecom III is a PSA customer from 2000-09-29 (PSA Amendment 2); KMC III Services LLC
    # is a customer under the GA only. Neither line is anyone's cash on its date.
    path = bank(tmp_path, "2000-09-28,100.00,KMC Telecom III,", "2001-05-10,100.00,KMC III "
                                                                "Services LLC,")
    with pytest.raises(ProblemsError) as refused:
        import_payments(book, read_bank_file(path), tables)
    said = [str(p) for p in refused.value.problems]
    assert len(said) == 2 and all("is not one customer of the customers table" in x for x in said)
    assert "on 2000-09-28 (its customers: KMC Telecom Inc.)" in said[0]
    assert "KMC III Services LLC" not in said[1].split("its customers:")[1]


def test_a_disputed_amount_is_never_paid_down_by_undirected_cash(book, tables, tmp_path):
    record_dispute(book, 1, "10000.00", dt.date(2001, 5, 5), "hours", tables)
    path = bank(tmp_path, "2001-05-10,277000.00,KMC Telecom II,")
    (done,) = import_payments(book, read_bank_file(path), tables)
    assert done.applied == ((1, D("267000.00")),) and done.unapplied == D("10000.00")


def test_unapplied_cash_is_applied_and_refunded_and_reconciles(book, tables, tmp_path):
    import_payments(book, read_bank_file(bank(tmp_path, '2001-05-10,"300,000.00",KMC TELECOM '
                                                        'III INC,INV 000002')), tables)
    assert refund(book, "kmc telecom iii", "6916.67", dt.date(2001, 5, 15), "overpaid",
                  tables) == (III, D("20000.00"))
    with pytest.raises(PricingError, match="20,000.01 is more than KMC Telecom III, Inc.'s "
                                           "unapplied cash \\(20,000.00\\)"):
        refund(book, III, "20000.01", dt.date(2001, 5, 15), "again", tables)
    with pytest.raises(PricingError, match="invoice 000001 is to KMC Telecom II, Inc., not KMC "
                                           "Telecom III, Inc."):
        apply_cash(book, III, 1, None, dt.date(2001, 5, 16), tables)
    # May's invoices: 000004 (II), 000005 (III), 000006 (Virginia), in the bill-tos' order.
    run_month("2001-05", EXAMPLES / "invoice_cities.csv", tmp_path / "out", tables, book,
              EXAMPLES / "invoice_hours.csv")
    assert apply_cash(book, III, 5, None, dt.date(2001, 6, 1), tables) == (III, D("20000.00"),
                                                                           D("0.00"))
    assert cash(book)[III] == (D("300000.00"), D("293083.33"), D("6916.67"), D("0.00"))
    with pytest.raises(PricingError, match="KMC Telecom III, Inc. holds 0.00 of unapplied cash "
                                           "from 2001-06-01 on: 1.00 cannot be applied"):
        apply_cash(book, III, 5, "1.00", dt.date(2001, 6, 1), tables)


def test_a_file_with_a_bad_line_records_nothing(book, tables, tmp_path):
    before = opens(book, tables)
    for line, said in (("2001-05-12,5.00,Nobody Corp,", "'Nobody Corp' is not one customer"),
                       ("1990-01-02,5.00,KMC Telecom II,", "1990-01-02")):
        path = bank(tmp_path, "2001-05-10,100.00,KMC Telecom II,", line)
        with pytest.raises(ProblemsError) as refused:
            import_payments(book, read_bank_file(path), tables)
        assert said in str(refused.value) and "row 3" in str(refused.value.problems[0])
    assert opens(book, tables) == before and cash(book) == {}


def test_two_hundred_lines_import_once_and_reconcile(book, tables, tmp_path):
    draw = random.Random(25)
    payers = ["KMC Telecom II, Inc.", "kmc telecom iii", "KMC TELECOM OF VIRGINIA INC"]
    lines = []
    for n in range(200):
        amount = draw.choice([D("277000.00"), D("1000.00"), D("0.01"), D("12345.67"),
                              D("300000.00")])
        reference = draw.choice(["", "INV 000001", "invoice 2, invoice 3", "#000003 #000001",
                                 "May services"])
        lines.append((f"2001-05-{1 + n % 28:02d}", str(amount), draw.choice(payers), reference))
    path = bank(tmp_path, *lines)
    first = import_payments(book, read_bank_file(path), tables)
    assert len(first) == 200 and not any(i.already for i in first)
    received = sum((i.line.amount for i in first), D(0))
    applied = sum((a for i in first for _, a in i.applied), D(0))
    unapplied = sum((i.unapplied for i in first), D(0))
    assert received == applied + unapplied
    totals = {1: D("277000.00"), 2: D("273083.33"), 3: D("141916.67")}
    paid = {n: totals[n] - o for n, o in opens(book, tables).items()}
    assert sum(paid.values(), D(0)) == applied and all(o >= 0 for o in opens(book, tables).values())
    for customer, (got, into, back, left) in cash(book).items():
        assert got == into + left + back, customer
    assert all(i.already for i in import_payments(book, read_bank_file(path), tables))
    assert sum((c[0] for c in cash(book).values()), D(0)) == received
    # Every 7th line recalled by the bank on 2001-06-01: the rest still reconciles.
    from invoices.receivables.cash import reverse_bank_line

    recalled = D(0)
    for line_id in range(1, 201, 7):
        recalled += reverse_bank_line(book, line_id, dt.date(2001, 6, 1), "recalled",
                                      tables).line.amount
    assert sum((c[0] for c in cash(book).values()), D(0)) == received - recalled
    for customer, (got, into, back, left) in cash(book).items():
        assert got == into + left + back and left >= 0, customer
    assert all(D(0) <= o <= totals[n] for n, o in opens(book, tables).items())


def test_a_kill_during_the_import_records_none_of_it(tmp_path):
    ledger = tmp_path / "ledger.sqlite3"
    env = {**os.environ, "PRICING_LEDGER": str(ledger)}
    env.pop("PRICING_FAULT", None)
    subprocess.run([sys.executable, "-m", "pricing", "invoice", "run", "--month", "2001-04",
                    "--cities", str(EXAMPLES / "invoice_cities.csv"), "--hours",
                    str(EXAMPLES / "invoice_hours.csv"), "--out", str(tmp_path / "out")],
                   check=True, capture_output=True, env=env)
    path = bank(tmp_path, "2001-05-10,100.00,KMC Telecom II,", "2001-05-11,200.00,KMC Telecom III,")
    killed = subprocess.run([sys.executable, "-m", "pricing", "ar", "import-payments", str(path)],
                            capture_output=True, env={**env, "PRICING_FAULT": "import-before-commit"})
    assert killed.returncode < 0                                         # SIGKILL
    shown = runner.invoke(app, ["ar", "cash", "--format", "json", "--ledger", str(ledger)])
    assert shown.exit_code == 0 and shown.stdout.strip() == "[]"
    done = runner.invoke(app, ["ar", "import-payments", str(path), "--ledger", str(ledger)])
    assert done.exit_code == 0, done.output
    assert "imported 2 line(s)" in done.output
    checked = runner.invoke(app, ["ledger", "check", "--ledger", str(ledger)])
    assert checked.exit_code == 0, checked.output


def test_the_journal_books_cash_through_unapplied_cash_and_balances(book, tables, tmp_path):
    from invoices.receivables.journal import journal, unbalanced

    import_payments(book, read_bank_file(bank(tmp_path, '2001-05-10,"300,000.00",KMC TELECOM '
                                                        'III INC,INV 000002')), tables)
    refund(book, III, "6916.67", dt.date(2001, 5, 15), "overpaid", tables)
    postings = journal(book, dt.date(2001, 5, 1), dt.date(2001, 5, 31))
    assert unbalanced(postings) == []

    def net(account: str) -> Decimal:
        return sum(((p.debit or 0) - (p.credit or 0) for p in postings if p.account == account),
                   D(0))
    # Cash: 300,000.00 in, 6,916.67 refunded. Unapplied: 300,000.00 received, 273,083.33
    # applied to invoice 2, 6,916.67 refunded: 20,000.00 still owed to the customer (a credit).
    assert net("1000 Cash") == D("293083.33")
    assert net("2100 Unapplied cash") == D("-20000.00") == -cash(book)[III][3]
    assert net("1200 Accounts receivable") == D("-273083.33")


def test_status_and_statement_show_the_unapplied_cash_of_their_day(book, tables, tmp_path):
    from invoices.receivables.reports import status
    from invoices.receivables.statement import build_statement

    import_payments(book, read_bank_file(bank(tmp_path, '2001-05-10,"300,000.00",KMC TELECOM '
                                                        'III INC,INV 000002')), tables)
    assert status(book, dt.date(2001, 5, 9), tables).unapplied == {}        # not yet received
    assert status(book, dt.date(2001, 5, 31), tables).unapplied == {III: D("26916.67")}
    statement = build_statement(book, III, dt.date(2001, 4, 1), dt.date(2001, 5, 31), tables)
    assert statement.unapplied == D("26916.67") and statement.closing == D("0.00")
    assert statement.as_dict()["unapplied"] == "26916.67"


def test_two_lines_of_one_customer_in_one_file_pay_as_the_dry_run_said(book, tables, tmp_path):
    # 100,000.00 then 200,000.00 from KMC Telecom II, both naming invoice 1 (277,000.00):
    # 100,000.00 + 177,000.00 applied, 23,000.00 unapplied, whether dry or not.
    path = bank(tmp_path, "2001-06-01,100000.00,KMC Telecom II Inc,INV 000001",
                "2001-06-02,200000.00,KMC Telecom II Inc,INV 000001")
    expected = [((1, D("100000.00")),), ((1, D("177000.00")),)]
    dry = import_payments(book, read_bank_file(path), tables, dry_run=True)
    assert [i.applied for i in dry] == expected and dry[1].unapplied == D("23000.00")
    done = import_payments(book, read_bank_file(path), tables)
    assert [i.applied for i in done] == expected and done[1].unapplied == D("23000.00")
    assert opens(book, tables)[1] == D("0.00")


def test_a_line_that_clashes_with_one_imported_before_is_refused(book, tables, tmp_path):
    xml = ('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">'
           "<BkToCstmrStmt><Stmt><Id>S1</Id>"
           '<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">0.00</Amt>'
           "<CdtDbtInd>CRDT</CdtDbtInd></Bal>"
           '<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="USD">{0}</Amt>'
           "<CdtDbtInd>CRDT</CdtDbtInd></Bal>"
           '<Ntry><Amt Ccy="USD">{0}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
           "<BookgDt><Dt>2001-06-05</Dt></BookgDt><AcctSvcrRef>R1</AcctSvcrRef><NtryDtls><TxDtls>"
           "<RltdPties><Dbtr><Nm>KMC Telecom III, Inc.</Nm></Dbtr></RltdPties></TxDtls>"
           "</NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>")
    first, second = tmp_path / "a.xml", tmp_path / "b.xml"
    first.write_text(xml.format("777.00"))
    second.write_text(xml.format("888.00"))          # the same statement Id and reference
    import_payments(book, read_bank_file(first), tables)
    with pytest.raises(ProblemsError) as refused:
        import_payments(book, read_bank_file(second), tables)
    assert [str(p) for p in refused.value.problems] == [
        f"{second} statement S1 entry 1: this line has the identity of a bank line imported "
        f"before (2001-06-05, 777.00, KMC Telecom III, Inc.) but says 2001-06-05, 888.00, KMC "
        f"Telecom III, Inc.: not the same payment; nothing of the file is recorded"]
    assert cash(book)[III][0] == D("777.00")


def test_cash_applied_to_an_invoice_with_nothing_to_pay_says_why(book, tables, tmp_path):
    import_payments(book, read_bank_file(bank(tmp_path, "2001-04-10,500.00,KMC Telecom III,")),
                    tables)
    with pytest.raises(PricingError) as refused:           # 000002 is dated 2001-04-30
        apply_cash(book, III, 2, None, dt.date(2001, 4, 20), tables)
    assert str(refused.value) == ("invoice 000002 has nothing open and undisputed to pay on "
                                  "2001-04-20 (it is dated 2001-04-30)")


def test_apply_and_refund_take_only_cash_already_received_and_not_spoken_for(book, tables, tmp_path):
    import_payments(book, read_bank_file(bank(tmp_path, '2001-06-20,"300,000.00",KMC TELECOM '
                                                        'III INC,INV 000002')), tables)
    with pytest.raises(PricingError, match="unapplied cash \\(0.00\\)"):   # before it came in
        refund(book, III, "1000.00", dt.date(2001, 5, 1), "too early", tables)
    with pytest.raises(PricingError, match="after the PSA expires"):
        refund(book, III, "1000.00", dt.date(2008, 1, 1), "too late", tables)
    assert refund(book, III, "26916.67", dt.date(2001, 6, 25), "all of it", tables)[1] == D("0.00")


def test_a_bank_line_reversed_voids_its_payments_and_is_no_longer_received(book, tables,
                                                                          tmp_path, ledger_address):
    from invoices.receivables.cash import bank_line_entries, reverse_bank_line
    from invoices.receivables.journal import journal, unbalanced

    path = bank(tmp_path, "2001-05-10,300000.00,KMC Telecom III,")    # pays 000002 273,083.33
    import_payments(book, read_bank_file(path), tables)
    assert cash(book)[III] == (D("300000.00"), D("273083.33"), D("0.00"), D("26916.67"))
    # The bank recalls the transfer on 2001-05-15: payment 1 is voided that day, 000002 is open
    # again by 273,083.33, and KMC III holds no cash.
    done = reverse_bank_line(book, 1, dt.date(2001, 5, 15), "recalled by the bank", tables)
    assert done.voided == ((1, 2, D("273083.33")),) and done.unapplied == D("0.00")
    assert cash(book)[III] == (D("0.00"),) * 4         # still listed: nothing received now
    assert opens(book, tables)[2] == D("273083.33")
    assert balance(book, 2, dt.date(2001, 5, 14), tables).open == D("0.00")   # paid until then
    (line,) = bank_line_entries(book)
    assert (line.applied, line.reversed) == (D("0.00"), dt.date(2001, 5, 15))
    # Importing the file again does not bring it back; reversing it again is refused.
    assert all(i.already for i in import_payments(book, read_bank_file(path), tables))
    with pytest.raises(PricingError, match="already reversed on 2001-05-15"):
        reverse_bank_line(book, 1, dt.date(2001, 5, 20), "again", tables)
    # The journal: cash 300,000.00 in and out; unapplied cash and receivables back to nothing.
    postings = journal(book, dt.date(2001, 5, 1), dt.date(2001, 5, 31))
    assert unbalanced(postings) == []
    for account in ("1000 Cash", "2100 Unapplied cash", "1200 Accounts receivable"):
        assert sum(((p.debit or 0) - (p.credit or 0) for p in postings if p.account == account),
                   D(0)) == 0
    shown = runner.invoke(app, ["ar", "bank-lines", "--format", "csv", "--customer",
                                "kmc telecom iii inc", "--ledger", ledger_address])
    assert shown.exit_code == 0, shown.output
    assert f"1,2001-05-10,{III},300000.00,0.00,2001-05-15,{path} line 2" in shown.output.replace(
        '"', "")
    checked = runner.invoke(app, ["ledger", "check", "--ledger", ledger_address])
    assert checked.exit_code == 0, checked.output
    # The log shows every entry in the order recorded, each with its hash.
    log = json.loads(runner.invoke(app, ["ledger", "log", "--format", "json", "--ledger",
                                         ledger_address]).stdout)
    assert [(e["action"], e["document"], e["amount"]) for e in log[3:]] == [
        ("bank line imported", "bank line 1", "300000.00"),
        ("payment", "payment 1", "273083.33"),
        ("cash applied", "payment 1", None),
        ("payment voided", "payment 1", "273083.33"),
        ("bank line reversed", "bank line 1", "300000.00")]
    assert all(len(e["hash"]) == 64 for e in log)


def test_cash_spent_between_an_application_and_its_later_void_is_spent(book, tables, tmp_path):
    from invoices.receivables.accounts import void_payment
    from invoices.receivables.cash import reverse_bank_line

    # Virginia's 141,916.67 on 06-01 pays 000003 (payment 1), voided 06-02: all unapplied. It is
    # applied again on 06-10 (payment 2), voided on 06-20: from 06-10 to 06-19 it holds 0.00,
    # so neither a refund nor a reversal dated 06-05 can take it.
    import_payments(book, read_bank_file(bank(tmp_path, "2001-06-01,141916.67,KMC Telecom of "
                                                        "Virginia Inc,invoice 3")), tables)
    void_payment(book, 1, dt.date(2001, 6, 2), "wrong")
    apply_cash(book, VA, 3, "141916.67", dt.date(2001, 6, 10), tables)
    void_payment(book, 2, dt.date(2001, 6, 20), "undo")
    with pytest.raises(PricingError, match=r"more than KMC Telecom of Virginia, Inc.'s "
                                           r"unapplied cash \(0.00\)"):
        refund(book, VA, "141916.67", dt.date(2001, 6, 5), "back", tables)
    with pytest.raises(PricingError) as refused:
        reverse_bank_line(book, 1, dt.date(2001, 6, 5), "recalled", tables)
    assert str(refused.value) == (
        f"{VA} holds 0.00 of unapplied cash from 2001-06-05 on, less than bank line 1's "
        f"141,916.67: its cash was spent since; payment 2 was made from the unapplied balance "
        f"(`pricing ar void-payment ID` undoes one); nothing is recorded")
    # From 06-20 on the cash is back: the reversal dated then is taken.
    assert reverse_bank_line(book, 1, dt.date(2001, 6, 20), "recalled", tables).unapplied == 0
    assert cash(book)[VA] == (D("0.00"),) * 4


def test_a_bank_line_whose_cash_was_spent_since_is_not_reversed(book, tables, tmp_path,
                                                               ledger_address):
    from invoices.receivables.cash import reverse_bank_line

    import_payments(book, read_bank_file(bank(tmp_path, "2001-05-10,300000.00,KMC Telecom III,")),
                    tables)
    refund(book, III, "6916.67", dt.date(2001, 5, 12), "overpaid", tables)
    # After voiding payment 1 (273,083.33) KMC III would hold 26,916.67 - 6,916.67 + 273,083.33
    # = 293,083.33, less than the line's 300,000.00: the refund spent some of it.
    refused = runner.invoke(app, ["ar", "reverse-bank-line", "1", "--date", "2001-05-15",
                                  "--reason", "recalled", "--ledger", ledger_address])
    assert refused.exit_code == 1
    assert ("KMC Telecom III, Inc. holds 293,083.33 of unapplied cash from 2001-05-15 on, less "
            "than bank line 1's 300,000.00: its cash was spent since; refund 1 paid cash back (a "
            "refund is not undone: reverse the line on a day its customer's unapplied cash "
            "covers it); nothing is recorded" in " ".join(refused.output.split()))
    assert cash(book)[III] == (D("300000.00"), D("273083.33"), D("6916.67"), D("20000.00"))
    with pytest.raises(PricingError, match="before bank line 1 was received"):
        reverse_bank_line(book, 1, dt.date(2001, 5, 9), "recalled", tables)
    with pytest.raises(PricingError, match="no bank line 7"):
        reverse_bank_line(book, 7, dt.date(2001, 5, 15), "recalled", tables)


@pytest.mark.breaks_ledger
def test_ledger_check_finds_cash_paid_out_before_it_came_in(tmp_path):
    import sqlite3

    ledger = tmp_path / "ledger.sqlite3"
    book = Ledger(str(ledger))
    from pricing.tables.loader import load_tables

    tables = load_tables()
    run_month("2001-04", EXAMPLES / "invoice_cities.csv", tmp_path / "out", tables, book,
              EXAMPLES / "invoice_hours.csv")
    import_payments(book, read_bank_file(bank(tmp_path, "2001-06-01,1000.00,KMC Telecom II,")),
                    tables)
    book.close()
    # A refund of 1,000.00 written by hand, dated the day before the cash came in: on 2001-05-31
    # KMC II would hold -1,000.00. Every column is well formed; only the sweep by day finds it.
    with sqlite3.connect(ledger) as db:
        db.execute("INSERT INTO refunds (customer, date, amount_cents, reason, recorded_at, "
                   "recorded_by) VALUES (?, '2001-05-31', 100000, 'by hand', "
                   "'2026-01-01T00:00:00+00:00', 'x')", (II,))
    checked = runner.invoke(app, ["ledger", "check", "--ledger", str(ledger)])
    assert checked.exit_code == 1
    assert (f"{II}: unapplied cash -1,000.00 on 2001-05-31: more paid out of its cash than it "
            f"had received") in checked.output
