"""The ledger as a system of record: nothing billed twice, nothing skipped, nothing clobbered.

Each scenario is one a hostile or careless user can produce from the command line; after each,
`pricing ledger check` must find every invariant holding. Amounts are worked by hand from the
PSA: Huntsville AL is Small (20 gateway elements, 1 5ESS, 10 SLC, 1 SM, 1 DACS II, 1 DACS IV),
$198,000 a year, $16,500 a month; a 1,500-hour block is $121,500 (PSA Amendment 1, Appendix A).

Every scenario runs on both backends, a file and a PostgreSQL database (the `backend` fixture),
except those about the SQLite file itself (marked `file_ledger`).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from invoices.ledger import schema
from invoices.ledger.chain import drop_triggers
from invoices.ledger.store import Ledger, shown_address
from pricing.cli import app

D = Decimal
HEADER = "city,bill_to,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv,level\n"
III = '"KMC Telecom III, Inc."'
II = '"KMC Telecom II, Inc."'
runner = CliRunner()


_address: dict[str, str] = {}
file_ledger = pytest.mark.file_ledger


def pytest_generate_tests(metafunc):
    """Each test on both backends; a test about the SQLite file itself on that one only."""
    if "backend" in metafunc.fixturenames:
        only_file = metafunc.definition.get_closest_marker("file_ledger") is not None
        metafunc.parametrize("backend", ["sqlite"] if only_file else ["sqlite", "postgresql"],
                             indirect=True)


@pytest.fixture(autouse=True)
def backend(request, tmp_path):
    """The test's ledger: a file in tmp_path, or a new PostgreSQL database."""
    _address["ledger"] = (request.getfixturevalue("postgres_url") if request.param == "postgresql"
                          else str(tmp_path / "ledger.sqlite3"))
    yield request.param
    _address.clear()


def at(tmp_path: Path) -> str:
    """The address of the test's ledger."""
    return _address.get("ledger") or str(tmp_path / "ledger.sqlite3")


def assert_no_ledger(tmp_path: Path) -> None:
    listed = pricing(tmp_path, "invoice", "list")
    assert listed.exit_code == 1 and "no ledger at" in listed.output


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def cities(tmp_path: Path, *rows: str, name: str = "cities.csv") -> Path:
    return write(tmp_path / name, HEADER + "".join(r + "\n" for r in rows))


def huntsville(bill_to: str = III, level: str = "Small") -> str:
    """Huntsville AL at Small, the level agreed at the annual meeting (the level column)."""
    return f"Huntsville AL,{bill_to},20,1,10,1,1,1,{level}"


def pricing(tmp_path: Path, *args: str, ledger: Path | None = None):
    result = runner.invoke(app, list(args), env={"PRICING_LEDGER": str(ledger or at(tmp_path))})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def run(tmp_path: Path, month: str, city_file: Path, *extra: str, ledger: Path | None = None,
        out: Path | None = None):
    hours = () if "--hours" in extra or "--no-hours" in extra else ("--no-hours",)
    return pricing(tmp_path, "invoice", "run", "--month", month, "--cities", str(city_file),
                   "--out", str(out or tmp_path / "out"), *hours, *extra, ledger=ledger)


def invoices(tmp_path: Path, ledger: Path | None = None) -> list[tuple]:
    with Ledger(ledger or at(tmp_path), "read") as book:
        return [(i.number, i.bill_to, i.month, i.supplement, i.total,
                 [(line.city, line.kind, line.amount) for line in i.lines])
                for i in (book.get(n) for n in book.numbers())]


def assert_ledger_holds(tmp_path: Path, ledger: Path | None = None) -> None:
    checked = pricing(tmp_path, "ledger", "check", ledger=ledger)
    assert checked.exit_code == 0, checked.output
    assert "all 13 invariants hold" in checked.stdout


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_same_month_spelled_five_ways_is_billed_once(tmp_path):
    city_file = cities(tmp_path, huntsville())
    assert run(tmp_path, "2001-04", city_file).exit_code == 0
    for spelling in (" 2001-04", "2001-04\t", "2001-04 "):       # normalised: nothing new
        again = run(tmp_path, spelling, city_file)
        assert again.exit_code == 0 and "already issued 000001" in again.stdout
    for spelling in ("２００１-０４", "٢٠٠١-٠٤", "2001-4", "2001-W14"):   # refused as usage errors
        refused = run(tmp_path, spelling, city_file)
        assert refused.exit_code == 2 and "expected a month YYYY-MM" in refused.output
    assert invoices(tmp_path) == [(1, "KMC Telecom III, Inc.", "2001-04", 0, D("16500.00"),
                                   [("Huntsville AL", "service_level", D("16500.00"))])]
    assert_ledger_holds(tmp_path)


def test_hours_months_spelled_differently_are_one_month(tmp_path):
    city_file = cities(tmp_path, huntsville())
    hours = write(tmp_path / "hours.csv", "city,month,hours\nHuntsville AL, 2000-10 ,1600\n")
    assert run(tmp_path, "2000-10", city_file, "--hours", str(hours)).exit_code == 0
    dupe = write(tmp_path / "dupe.csv", "city,month,hours\nHuntsville AL,2000-10,1600\n"
                                        "Huntsville AL, 2000-10,1600\n")
    refused = run(tmp_path, "2000-11", city_file, "--hours", str(dupe))
    assert refused.exit_code == 1 and "appears twice" in refused.output


def test_prepaid_block_hours_are_never_bought_twice(tmp_path):
    # October: 1,600 hours use up the first block and start a second: two blocks, $243,000.
    # November's file lists only November's 100 hours; with October's 1,600 from the ledger the
    # period has used 1,700 of 3,000 prepaid hours: no block, no hourly charge.
    city_file = cities(tmp_path, huntsville())
    october = write(tmp_path / "october.csv", "city,month,hours\nHuntsville AL,2000-10,1600\n")
    november = write(tmp_path / "november.csv", "city,month,hours\nHuntsville AL,2000-11,100\n")
    assert run(tmp_path, "2000-10", city_file, "--hours", str(october)).exit_code == 0
    assert run(tmp_path, "2000-11", city_file, "--hours", str(november)).exit_code == 0
    (_, _, _, _, oct_total, oct_lines), (_, _, _, _, nov_total, nov_lines) = invoices(tmp_path)
    assert oct_lines == [("Huntsville AL", "service_level", D("16500.00")),
                         ("Huntsville AL", "hour_block", D("243000.00"))]
    assert oct_total == D("259500.00")
    assert nov_lines == [("Huntsville AL", "service_level", D("16500.00"))]
    assert_ledger_holds(tmp_path)


def test_hours_that_disagree_with_the_ledger_are_refused(tmp_path):
    city_file = cities(tmp_path, huntsville())
    october = write(tmp_path / "october.csv", "city,month,hours\nHuntsville AL,2000-10,1600\n")
    assert run(tmp_path, "2000-10", city_file, "--hours", str(october)).exit_code == 0
    changed = write(tmp_path / "changed.csv", "city,month,hours\nHuntsville AL,2000-10,1400\n"
                                              "Huntsville AL,2000-11,100\n")
    refused = run(tmp_path, "2000-11", city_file, "--hours", str(changed))
    assert refused.exit_code == 1
    # Fewer hours than billed: refused at the hours file's row and column, naming the credit
    # note to issue instead (a run never takes hours back).
    assert (f"{tmp_path / 'changed.csv'}, row 2, column hours: Huntsville AL 2000-10: 1400 hours, "
            f"fewer than the 1600 hours invoice 000001 billed") in " ".join(refused.output.split())
    assert "pricing ar credit 1 AMOUNT" in refused.output
    assert [i[0] for i in invoices(tmp_path)] == [1]
    assert_ledger_holds(tmp_path)


def test_a_city_moved_to_another_bill_to_for_a_billed_month_is_refused(tmp_path):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville(III))).exit_code == 0
    moved = run(tmp_path, "2001-04", cities(tmp_path, huntsville(II), name="moved.csv"))
    assert moved.exit_code == 1
    assert ("Huntsville AL 2001-04 was billed to KMC Telecom III, Inc. on invoice 000001; it "
            "cannot be billed to KMC Telecom II, Inc. too") in moved.output
    # A later month may go to the new bill-to.
    may = run(tmp_path, "2001-05", cities(tmp_path, huntsville(II), name="moved.csv"))
    assert may.exit_code == 0
    assert [(i[0], i[1], i[2]) for i in invoices(tmp_path)] == [
        (1, "KMC Telecom III, Inc.", "2001-04"), (2, "KMC Telecom II, Inc.", "2001-05")]
    assert_ledger_holds(tmp_path)


def test_a_city_added_after_its_month_was_invoiced_gets_a_supplementary_invoice(tmp_path):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    both = cities(tmp_path, huntsville(), f"Mobile AL,{III},20,1,10,1,1,1,Small", name="both.csv")
    added = run(tmp_path, "2001-04", both)
    assert added.exit_code == 0
    assert "issued 000002" in added.stdout and "supplementary invoice 1 for 2001-04" in added.stdout
    assert "Mobile AL added" in added.stdout and "already issued 000001" in added.stdout
    again = run(tmp_path, "2001-04", both)
    assert again.exit_code == 0 and "0 invoice(s) issued" in again.output
    assert invoices(tmp_path) == [
        (1, "KMC Telecom III, Inc.", "2001-04", 0, D("16500.00"),
         [("Huntsville AL", "service_level", D("16500.00"))]),
        (2, "KMC Telecom III, Inc.", "2001-04", 1, D("16500.00"),
         [("Mobile AL", "service_level", D("16500.00"))])]
    assert (Path(tmp_path / "out" / "invoice-000002.xlsx")).exists()
    assert_ledger_holds(tmp_path)


def test_a_level_changed_within_the_period_is_refused(tmp_path):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville(level="Small"))).exit_code == 0
    assert run(tmp_path, "2001-05", cities(tmp_path, huntsville(level="Small"))).exit_code == 0
    medium = run(tmp_path, "2001-06", cities(tmp_path, huntsville(level="Medium")))
    assert medium.exit_code == 1
    assert ("Huntsville AL is billed at Small for the annual period starting 2000-10-01 (months "
            "billed: 2001-04, 2001-05); it cannot change to Medium within the period") in medium.output
    # Without a level column the ledger's level holds: June bills Small's $16,500.
    assert run(tmp_path, "2001-06", cities(tmp_path, huntsville())).exit_code == 0
    assert [i[4] for i in invoices(tmp_path)] == [D("16500.00")] * 3
    assert_ledger_holds(tmp_path)


def test_months_are_billed_forward_and_a_skipped_month_is_named(tmp_path):
    city_file = cities(tmp_path, huntsville())
    assert run(tmp_path, "2000-10", city_file).exit_code == 0
    december = run(tmp_path, "2000-12", city_file)
    assert december.exit_code == 0
    assert "note: Huntsville AL: 2000-11 not billed (skipped); billing 2000-12" in december.output
    november = run(tmp_path, "2000-11", city_file)
    assert november.exit_code == 1
    assert ("Huntsville AL: 2000-12 is already billed (invoice 000002); 2000-11 cannot be billed "
            "after it (a city's months are billed forward)") in november.output
    assert run(tmp_path, "2000-10", city_file).exit_code == 0          # a rerun stays harmless
    assert [i[2] for i in invoices(tmp_path)] == ["2000-10", "2000-12"]
    assert_ledger_holds(tmp_path)


@file_ledger
def test_two_ledgers_writing_into_one_folder_never_overwrite_each_other(tmp_path):
    out = tmp_path / "shared"
    first, second = tmp_path / "a.sqlite3", tmp_path / "b.sqlite3"
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville()), ledger=first, out=out).exit_code == 0
    before = digest(out / "invoice-000001.xlsx")
    other = run(tmp_path, "2001-04", cities(tmp_path, huntsville(II), name="ii.csv"),
                ledger=second, out=out)
    assert other.exit_code == 1
    assert "invoice-000001.xlsx already exists and is not this ledger's invoice 000001" in other.output
    assert digest(out / "invoice-000001.xlsx") == before
    assert not second.exists()                   # a refused first run leaves no ledger
    assert_ledger_holds(tmp_path, first)


def test_an_unwritable_out_records_nothing_and_blocks_nothing(tmp_path):
    blocker = write(tmp_path / "a-file", "not a directory")
    city_file = cities(tmp_path, huntsville())
    failed = run(tmp_path, "2001-04", city_file, out=blocker / "sub")
    assert failed.exit_code == 1 and "cannot create the directory" in failed.output
    assert_no_ledger(tmp_path)                                  # checked before the ledger opens
    assert run(tmp_path, "2001-04", city_file).exit_code == 0
    assert [i[0] for i in invoices(tmp_path)] == [1]
    assert (tmp_path / "out" / "invoice-000001.xlsx").exists()
    assert_ledger_holds(tmp_path)


def test_a_workbook_that_fails_after_commit_is_written_by_the_next_run(tmp_path):
    city_file = cities(tmp_path, huntsville())
    assert run(tmp_path, "2001-04", city_file).exit_code == 0
    (tmp_path / "out" / "invoice-000001.xlsx").unlink()
    with Ledger(at(tmp_path), "write") as book, book.write() as conn:
        conn.execute(schema.invoices.update().values(written=False,
                                                     file=str(tmp_path / "gone" / "x" / "invoice-000001.xlsx")))
    write(tmp_path / "gone", "a file where the folder was")
    rerun = run(tmp_path, "2001-05", city_file, out=tmp_path / "new")
    assert rerun.exit_code == 0
    assert "wrote the pending workbook of invoice 000001" in rerun.output
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["invoice-000001.xlsx",
                                                                   "invoice-000002.xlsx"]
    with Ledger(at(tmp_path), "read") as book:
        assert book.unwritten() == []
        assert book.get(1).file == str((tmp_path / "new" / "invoice-000001.xlsx").resolve())
    assert_ledger_holds(tmp_path)


@pytest.mark.parametrize("command", [
    ["ar", "statement", "KMC Telecom III, Inc.", "--from", "2001-04-01", "--to", "2001-12-31",
     "--format", "xlsx", "-o"],
    ["invoice", "print", "1", "--format", "pdf", "-o"],
    ["ar", "aging", "--as-of", "2001-06-30", "--format", "xlsx", "-o"],
])
@file_ledger
def test_a_report_naming_the_ledger_as_output_is_refused(tmp_path, command):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    ledger = tmp_path / "ledger.sqlite3"
    before = digest(ledger)
    for target in (ledger, Path(str(ledger) + "-wal"), tmp_path / "." / "ledger.sqlite3"):
        refused = pricing(tmp_path, *command, str(target))
        assert refused.exit_code == 1 and "writing there would destroy it" in refused.output
    assert digest(ledger) == before
    assert_ledger_holds(tmp_path)


def test_a_credit_whose_document_cannot_be_written_is_not_recorded(tmp_path):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    blocker = write(tmp_path / "a-file", "x")
    failed = pricing(tmp_path, "ar", "credit", "1", "500.00", "--date", "2001-05-01",
                     "--reason", "goodwill", "--out", str(blocker / "sub"))
    assert failed.exit_code == 1 and "cannot create the directory" in failed.output
    retried = pricing(tmp_path, "ar", "credit", "1", "500.00", "--date", "2001-05-01",
                      "--reason", "goodwill", "--out", str(tmp_path / "credits"))
    assert retried.exit_code == 0 and "credit note 000001: 500.00" in retried.stdout
    with Ledger(at(tmp_path), "read") as book, book.read() as conn:
        rows = conn.execute(schema.credits.select()).all()
    assert [(r.number, r.amount_cents, r.written) for r in rows] == [(1, 50000, True)]
    assert (tmp_path / "credits" / "credit-000001.xlsx").exists()
    assert_ledger_holds(tmp_path)


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "2001-02-30", "20010515",
                                  "2001-W20-1", "２００１-05-15"])
def test_a_dispute_with_an_impossible_date_is_refused(tmp_path, date):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    refused = pricing(tmp_path, "ar", "dispute", "1", "100.00", "--date", date, "--reason", "x")
    assert refused.exit_code == 2 and "expected a" in refused.output
    assert "Traceback" not in refused.output
    with Ledger(at(tmp_path), "read") as book, book.read() as conn:
        assert conn.execute(schema.disputes.select()).all() == []
    assert_ledger_holds(tmp_path)


@pytest.mark.parametrize("amount, message", [
    ("1,000.00", None), ("$1,000.00", None), ("-100", "more than zero"),
    ("1e30", "expected a number"), ("NaN", "expected a number"), ("1000000000000", "below"),
    ("100.001", "whole cents"), ("1,00.00", "expected a number"),
])
def test_payment_amounts_as_printed_and_hostile(tmp_path, amount, message):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    paid = pricing(tmp_path, "ar", "pay", "1", "--date", "2001-05-10", "--", amount)
    if message is None:
        assert paid.exit_code == 0 and "paid 1,000.00 of 16,500.00; open 15,500.00" in paid.stdout
    else:
        assert paid.exit_code == 2 and message in paid.output
    assert_ledger_holds(tmp_path)


def test_a_twenty_digit_invoice_number_is_a_clean_error(tmp_path):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    for command in (["invoice", "show"], ["invoice", "explain"]):
        refused = pricing(tmp_path, *command, "12345678901234567890")
        assert refused.exit_code == 2 and "below 1,000,000,000" in refused.output
    shown = pricing(tmp_path, "invoice", "show", "000001", "--format", "json")
    assert shown.exit_code == 0 and '"number": 1' in shown.stdout


@file_ledger
def test_a_foreign_sqlite_file_is_refused_and_left_untouched(tmp_path):
    foreign = tmp_path / "notes.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
        db.execute("INSERT INTO notes VALUES ('keep me')")
    db.close()
    before = digest(foreign)
    for command in (["invoice", "list"], ["ar", "aging", "--as-of", "2001-06-30"], ["ledger", "check"]):
        refused = pricing(tmp_path, *command, ledger=foreign)
        assert refused.exit_code == 1 and "not a pricing ledger" in refused.output
    refused = run(tmp_path, "2001-04", cities(tmp_path, huntsville()), ledger=foreign)
    assert refused.exit_code == 1 and "an SQLite database but not a pricing ledger" in refused.output
    assert digest(foreign) == before
    assert not Path(str(foreign) + "-wal").exists()
    text = write(tmp_path / "text.sqlite3", "hello, not a database at all " * 100)
    refused = run(tmp_path, "2001-04", cities(tmp_path, huntsville()), ledger=text)
    assert refused.exit_code == 1 and "not a pricing ledger" in refused.output
    assert text.read_text().startswith("hello")


@pytest.mark.breaks_ledger
def test_a_ledger_newer_than_the_code_is_refused(tmp_path):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    with Ledger(at(tmp_path), "write") as book, book.write() as conn:
        conn.execute(schema.ledger_meta.update().where(schema.ledger_meta.c.key == "schema_version")
                     .values(value="99"))
    for command in (["invoice", "list"], ["ar", "pay", "1", "10.00", "--date", "2001-05-01"]):
        refused = pricing(tmp_path, *command)
        assert refused.exit_code == 1
        assert f"a ledger of schema 99, newer than this tool's {schema.SCHEMA_VERSION}" in refused.output


@file_ledger
def test_reports_on_a_missing_ledger_never_create_one(tmp_path):
    missing = tmp_path / "missing.sqlite3"
    for command in (["invoice", "list"], ["invoice", "show", "1"], ["ledger", "check"],
                    ["ar", "aging", "--as-of", "2001-06-30"], ["ar", "pay", "1", "10.00", "--date", "2001-05-01"],
                    ["ar", "statement", "X", "--from", "2001-01-01", "--to", "2001-02-01", "-o",
                     str(tmp_path / "s.xlsx")]):
        refused = pricing(tmp_path, *command, ledger=missing)
        assert refused.exit_code == 1 and f"no ledger at {missing}" in refused.output
    assert not missing.exists()


def test_reports_say_which_ledger_they_read(tmp_path):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    listed = pricing(tmp_path, "invoice", "list", "--format", "json")
    assert listed.stderr.startswith(f"ledger {shown_address(at(tmp_path))}\n")


@pytest.mark.breaks_ledger
def test_ledger_check_names_a_line_changed_behind_the_tools_back(tmp_path):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    with Ledger(at(tmp_path), "write") as book, book.write() as conn:      # behind the tool's back
        drop_triggers(conn)                      # as anyone holding the file can
        conn.execute(schema.lines.update().where(schema.lines.c.invoice == 1)
                     .values(amount_cents=1650001))
    checked = pricing(tmp_path, "ledger", "check")
    assert checked.exit_code == 1
    assert ("line_amounts_are_quantity_times_price: invoice 000001 line 1 (Huntsville AL, "
            "service_level): amount 16,500.01 is not 1 x 16500.00 = 16,500.00") in checked.stdout
    assert ("totals_equal_their_lines: invoice 000001: total 16,500.00 but its lines sum to "
            "16,500.01") in checked.stdout


@pytest.mark.breaks_ledger
def test_ledger_check_names_city_months_that_do_not_match_their_invoices(tmp_path):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    assert run(tmp_path, "2001-05", cities(tmp_path, huntsville())).exit_code == 0
    with Ledger(at(tmp_path), "write") as book, book.write() as conn:      # behind the tool's back
        m = schema.city_months.c
        conn.execute(schema.city_months.update().where(m.month == "2001-04")
                     .values(bill_to="KMC Telecom II, Inc."))
        conn.execute(schema.city_months.update().where(m.month == "2001-05").values(invoice=1))
    checked = pricing(tmp_path, "ledger", "check")
    assert checked.exit_code == 1
    assert ("city_months_match_their_invoices: Huntsville AL 2001-04: recorded for KMC Telecom "
            "II, Inc., invoice 000001 is to KMC Telecom III, Inc.") in checked.stdout
    assert ("city_months_match_their_invoices: Huntsville AL 2001-05: recorded as billed on "
            "invoice 000001, which has no service line for it") in checked.stdout


@pytest.mark.breaks_ledger
def test_ledger_check_names_billing_state_that_disagrees_with_the_invoices(tmp_path, backend):
    # The state a run prices from is not hashed: October's 1,600 hours set to 0 would make the
    # next run buy a block again (121,500.00 more), a level fixed for a later period would bill
    # it at Very Small, a city-month deleted would bill November twice. Each is named.
    city_file = cities(tmp_path, huntsville())
    october = write(tmp_path / "october.csv", "city,month,hours\nHuntsville AL,2000-10,1600\n")
    assert run(tmp_path, "2000-10", city_file, "--hours", str(october)).exit_code == 0
    assert run(tmp_path, "2000-11", city_file).exit_code == 0
    assert_ledger_holds(tmp_path)
    with Ledger(at(tmp_path), "write") as book, book.write() as conn:      # behind the tool's back
        h, m = schema.city_hours.c, schema.city_months.c
        conn.execute(schema.city_hours.update().where(h.month == "2000-10").values(hours="0"))
        conn.execute(schema.city_periods.insert().values(
            city="Huntsville AL", period=2001, level="Very Small", first_month="2001-10",
            invoice=1))
        conn.execute(schema.city_months.delete().where(m.month == "2000-11"))
    if backend == "sqlite":     # with sqlite3, whose foreign keys are off unless asked for
        with sqlite3.connect(at(tmp_path)) as db:
            db.execute("INSERT INTO lines VALUES (99, 1, 'Huntsville AL', '2001-06', "
                       "'service_level', 'x', '1', '100.00', 10000, 'x')")
    checked = pricing(tmp_path, "ledger", "check")
    assert checked.exit_code == 1
    said = [line.removeprefix("billing_state_matches_its_invoices: ")
            for line in checked.stdout.splitlines()
            if line.startswith("billing_state_matches_its_invoices: ")]
    assert said == [
        "Huntsville AL: the level of the annual period 2001 (Very Small) is recorded as set in "
        "2001-10 by invoice 000001, which bills Huntsville AL at Small for 2000-10 (period 2000)",
        "Huntsville AL 2000-10: 0 hours recorded as priced by invoice 000001, which priced 1600",
        *(["lines of invoice 000099, which is not in the ledger"] if backend == "sqlite" else []),
        "Huntsville AL 2000-11: billed on invoice 000002 but not recorded as billed (its "
        "city-month is missing: a run would bill it again)"]


def test_the_database_itself_refuses_a_second_charge(tmp_path):
    # Even a write that bypasses the tool cannot charge a city twice for a month and kind.
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    from sqlalchemy.exc import IntegrityError

    with Ledger(at(tmp_path), "write") as book:
        with pytest.raises(IntegrityError, match="(?i)unique|one_charge_per_city_month_kind"):
            with book.write() as conn:
                conn.execute(schema.lines.insert().values(
                    invoice=1, position=2, city="Huntsville AL", month="2001-04",
                    kind="service_level", description="again", quantity="1",
                    unit_price="16500.00", amount_cents=1650000, source="x"))


# What kmc-pricing 0.1 (schema 2) wrote: its DDL, word for word.
OLD_DDL = """
CREATE TABLE IF NOT EXISTS sequence (name TEXT PRIMARY KEY, last INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS invoices (
    number INTEGER PRIMARY KEY,
    bill_to TEXT NOT NULL,
    month TEXT NOT NULL,
    invoice_date TEXT NOT NULL,
    due_date TEXT NOT NULL,
    terms TEXT NOT NULL,
    net_days INTEGER NOT NULL,
    contract TEXT NOT NULL,
    seller TEXT NOT NULL,
    seller_address TEXT NOT NULL,
    customer_address TEXT NOT NULL,
    total_cents INTEGER NOT NULL,
    tables_sha256 TEXT NOT NULL,
    inputs TEXT NOT NULL,
    citations TEXT NOT NULL,
    file TEXT NOT NULL,
    written INTEGER NOT NULL DEFAULT 0,
    issued_at TEXT NOT NULL,
    UNIQUE (bill_to, month)
);
CREATE TABLE IF NOT EXISTS payments (
    id INTEGER PRIMARY KEY,
    invoice INTEGER NOT NULL REFERENCES invoices(number),
    date TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS disputes (
    id INTEGER PRIMARY KEY,
    invoice INTEGER NOT NULL REFERENCES invoices(number),
    date TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    reason TEXT NOT NULL,
    resolved_date TEXT,
    resolution TEXT
);
CREATE TABLE IF NOT EXISTS credits (
    number INTEGER PRIMARY KEY,
    invoice INTEGER NOT NULL REFERENCES invoices(number),
    date TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    reason TEXT NOT NULL,
    file TEXT NOT NULL,
    written INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS terminations (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    date TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lines (
    invoice INTEGER NOT NULL REFERENCES invoices(number),
    position INTEGER NOT NULL,
    city TEXT NOT NULL,
    kind TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    amount_cents INTEGER NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (invoice, position)
);
"""


def old_ledger(path: Path, invoices: list[tuple[int, str, str, str]]) -> Path:
    """A schema-2 ledger with Small-level invoices (number, bill_to, month, city) and a payment."""
    db = sqlite3.connect(path)
    db.executescript(OLD_DDL)
    db.execute("PRAGMA user_version = 2")
    for number, bill_to, month, city in invoices:
        number_in_period = (int(month[:4]) - 2000) * 12 + int(month[5:]) - 9   # October 2000 = 1
        inputs = {"period": 2000, "month_number": number_in_period,
                  "cities": [{"city": city, "counts": {}, "level": None, "billed_level": "Small",
                              "hours": {}, "integration_sites": 0}]}
        db.execute("INSERT INTO invoices VALUES (?, ?, ?, ?, ?, 'Net 20', 20, 'PSA LNS970602JC', "
                   "'Lucent', 'NJ', 'VA', 1650000, 'abc', ?, '[]', ?, 1, '2001-05-01')",
                   (number, bill_to, month, f"{month}-28", f"{month}-28", json.dumps(inputs),
                    f"/x/invoice-{number:06d}.xlsx"))
        db.execute("INSERT INTO lines VALUES (?, 1, ?, 'service_level', 'Service level Small', "
                   "'1', '16500.00', 1650000, 'service_levels')", (number, city))
    db.execute("INSERT INTO sequence VALUES ('invoice', ?)", (len(invoices),))
    db.execute("INSERT INTO payments VALUES (1, 1, '2001-05-10', 650000, '2001-05-10T00:00:00')")
    db.commit()
    db.close()
    return path


@file_ledger
def test_a_schema_2_ledger_is_upgraded_once_and_billing_goes_on(tmp_path):
    ledger = old_ledger(tmp_path / "ledger.sqlite3", [(1, "KMC Telecom III, Inc.", "2001-04", "Huntsville AL")])
    refused = pricing(tmp_path, "invoice", "list")
    assert refused.exit_code == 1 and "run `pricing ledger upgrade" in refused.output
    upgraded = pricing(tmp_path, "ledger", "upgrade")
    assert upgraded.exit_code == 0, upgraded.output
    assert (tmp_path / "ledger.sqlite3.schema2.bak").exists()
    with Ledger(ledger, "read") as book, book.read() as conn:
        assert [(r.city, r.period, r.level) for r in conn.execute(schema.city_periods.select())] == [
            ("Huntsville AL", 2000, "Small")]
        assert [(r.month, r.bill_to, r.invoice) for r in conn.execute(schema.city_months.select())] == [
            ("2001-04", "KMC Telecom III, Inc.", 1)]
        assert len(conn.execute(schema.city_hours.select()).all()) == 7     # October to April
        assert [r.amount_cents for r in conn.execute(schema.payments.select())] == [650000]
    assert_ledger_holds(tmp_path)
    # Billing goes on from the old ledger's state: number 2, and April is not billed again.
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville(II))).exit_code == 1
    may = run(tmp_path, "2001-05", cities(tmp_path, huntsville()))
    assert may.exit_code == 0 and "issued 000002" in may.stdout
    again = pricing(tmp_path, "ledger", "upgrade")
    assert again.exit_code == 0 and "already at schema 8; nothing to upgrade" in again.output


@file_ledger
@pytest.mark.breaks_ledger
def test_a_schema_2_ledger_that_billed_twice_is_not_upgraded(tmp_path):
    ledger = old_ledger(tmp_path / "ledger.sqlite3", [(1, "KMC Telecom III, Inc.", "2001-04", "Huntsville AL"),
                                                      (2, "KMC Telecom II, Inc.", "2001-04", "Huntsville AL")])
    before = digest(ledger)
    refused = pricing(tmp_path, "ledger", "upgrade")
    assert refused.exit_code == 1
    assert "Huntsville AL 2001-04: billed on invoices 000001 and 000002" in refused.output
    assert digest(ledger) == before and not (tmp_path / "ledger.sqlite3.schema2.bak").exists()


@file_ledger
def test_ledgers_issuing_into_one_folder_at_once_never_take_one_file(tmp_path):
    import os
    import subprocess
    import sys

    city_file = cities(tmp_path, huntsville())
    env = {k: v for k, v in os.environ.items() if k != "PRICING_FAULT"}
    runs = [subprocess.Popen([sys.executable, "-m", "pricing", "invoice", "run", "--no-hours", "--month", "2001-04",
                              "--cities", str(city_file), "--out", str(tmp_path / "shared"),
                              "--ledger", str(tmp_path / f"{name}.sqlite3")],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for name in "abc"]
    outputs = [r.communicate(timeout=120) for r in runs]
    codes = sorted(r.returncode for r in runs)
    assert codes == [0, 1, 1], outputs                 # one ledger takes invoice-000001.xlsx
    from invoices.ledger.claims import owner_of

    winner = next(name for name, r in zip("abc", runs) if r.returncode == 0)
    with Ledger(tmp_path / f"{winner}.sqlite3", "read") as book:
        assert owner_of(tmp_path / "shared" / "invoice-000001.xlsx")["kmc_ledger_id"] == book.id
    for name, r, (_, err) in zip("abc", runs, outputs):
        if r.returncode:
            assert "is not this ledger's invoice 000001" in err
            assert not (tmp_path / f"{name}.sqlite3").exists()


@file_ledger
def test_a_ledger_path_that_looks_like_a_uri_is_only_a_file_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
    db.close()
    before = digest(foreign)
    made = run(tmp_path, "2001-04", cities(tmp_path, huntsville()), ledger=Path("file:foreign.db"))
    assert made.exit_code == 0                          # a new ledger named "file:foreign.db"
    assert Path(tmp_path / "file:foreign.db").exists() and digest(foreign) == before


@file_ledger
def test_sqlite_files_without_tables_but_not_empty_are_not_taken_over(tmp_path):
    viewed = tmp_path / "view.db"
    with sqlite3.connect(viewed) as db:
        db.execute("CREATE VIEW v AS SELECT 1")
    db.close()
    before = digest(viewed)
    refused = run(tmp_path, "2001-04", cities(tmp_path, huntsville()), ledger=viewed)
    assert refused.exit_code == 1 and "not a pricing ledger (it has no tables)" in refused.output
    assert digest(viewed) == before


@file_ledger
@pytest.mark.breaks_ledger
def test_a_damaged_ledger_is_named_not_a_traceback(tmp_path):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    with sqlite3.connect(tmp_path / "ledger.sqlite3") as db:
        db.execute("DROP TABLE payments")
    db.close()
    for command in (["invoice", "list"], ["ledger", "check"], ["ar", "aging", "--as-of", "2001-06-30"]):
        refused = pricing(tmp_path, *command)
        assert refused.exit_code == 1 and "a damaged ledger (missing tables: payments)" in refused.output


@pytest.mark.parametrize("spelling", ["huntsville al", "Huntsville  AL"])
def test_one_city_cannot_be_billed_twice_under_two_spellings(tmp_path, spelling):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    other = cities(tmp_path, f"{spelling},{II},20,1,10,1,1,1,", name="other.csv")
    refused = run(tmp_path, "2001-04", other)
    assert refused.exit_code == 1
    assert f"{spelling!r} is billed in the ledger as 'Huntsville AL': spell it the same way" in refused.output
    assert [i[0] for i in invoices(tmp_path)] == [1]


@pytest.mark.parametrize("name, code", [("Huntsville\u00a0AL", "U+00A0"), ("Huntsville AL\u200b", "U+200B")])
def test_invisible_characters_in_a_city_name_are_refused(tmp_path, name, code):
    city_file = cities(tmp_path, f"{name},{III},20,1,10,1,1,1,")
    refused = run(tmp_path, "2001-04", city_file)
    assert refused.exit_code == 1 and f"invisible or unusual character ({code})" in refused.output


def test_a_level_in_lower_case_is_the_tables_level(tmp_path):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville(level="small"))).exit_code == 0
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville(level="SMALL"))).exit_code == 0
    assert run(tmp_path, "2001-05", cities(tmp_path, huntsville(level="Small"))).exit_code == 0
    assert [i[4] for i in invoices(tmp_path)] == [D("16500.00")] * 2


def test_a_backdated_dispute_cannot_exceed_the_open_balance(tmp_path):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    first = pricing(tmp_path, "ar", "dispute", "1", "10000", "--date", "2001-05-20", "--reason", "a")
    assert first.exit_code == 0
    second = pricing(tmp_path, "ar", "dispute", "1", "10000", "--date", "2001-05-01", "--reason", "b")
    assert second.exit_code == 1
    assert "10,000.00 is more than invoice 000001's open balance not already disputed (6,500.00)" in second.output


def test_a_report_never_overwrites_an_invoice_workbook(tmp_path):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    workbook = tmp_path / "out" / "invoice-000001.xlsx"
    before = digest(workbook)
    refused = pricing(tmp_path, "ar", "aging", "--as-of", "2001-06-30", "--format", "xlsx", "-o", str(workbook))
    assert refused.exit_code == 1 and "that is invoice 000001 of a ledger" in refused.output
    assert digest(workbook) == before


def test_markup_in_a_city_name_is_shown_not_obeyed(tmp_path):
    city_file = cities(tmp_path, f"Foo [/x] AL,{III},20,1,10,1,1,1,")
    assert run(tmp_path, "2001-04", city_file).exit_code == 0
    shown = pricing(tmp_path, "invoice", "show", "1")
    assert shown.exit_code == 0 and "Foo [/x] AL" in shown.stdout


def test_a_reason_that_is_not_utf8_is_a_usage_error(tmp_path):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    refused = pricing(tmp_path, "ar", "dispute", "1", "100", "--date", "2001-05-01", "--reason", "bad \udcff")
    assert refused.exit_code == 2 and "not UTF-8" in refused.output


def test_a_refused_run_writes_nothing_and_a_rerun_without_events_uses_the_ledgers_sites(tmp_path):
    city_file = cities(tmp_path, huntsville())
    events = write(tmp_path / "events.csv", "city,date,kind,quantity\nHuntsville AL,2001-04-10,integration,1\n")
    assert run(tmp_path, "2001-04", city_file, "--events", str(events)).exit_code == 0
    again = run(tmp_path, "2001-04", city_file)        # no events file: the ledger's one site
    assert again.exit_code == 0 and "already issued 000001" in again.stdout
    none = write(tmp_path / "none.csv", "city,date,kind,quantity\n")
    refused = run(tmp_path, "2001-04", city_file, "--events", str(none))
    assert refused.exit_code == 1
    assert "the events give 0 integration site(s), invoice 000001 billed 1" in refused.output
    assert invoices(tmp_path)[0][4] == D("116500.00")      # 16,500 + one site at 100,000


@pytest.mark.parametrize("name", ["Huntsville AL\u034f", "Huntsville AL\ufe0f", "Huntsville AL\u3164",
                                  "Huntsville AL\u2800", "Huntsville\u115fAL"])
def test_names_that_print_like_another_are_refused(tmp_path, name):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    refused = run(tmp_path, "2001-04", cities(tmp_path, f"{name},{III},20,1,10,1,1,1,", name="x.csv"))
    assert refused.exit_code == 1 and "invisible or unusual character" in refused.output
    assert [i[0] for i in invoices(tmp_path)] == [1]


@file_ledger
def test_credit_notes_of_two_ledgers_in_one_folder_never_overwrite_each_other(tmp_path):
    for name in ("a", "b"):
        assert run(tmp_path, "2001-04", cities(tmp_path, huntsville()), ledger=tmp_path / f"{name}.sqlite3",
                   out=tmp_path / f"inv-{name}").exit_code == 0
    first = pricing(tmp_path, "ar", "credit", "1", "100", "--date", "2001-05-01", "--reason", "r",
                    "--out", str(tmp_path / "credits"), ledger=tmp_path / "a.sqlite3")
    assert first.exit_code == 0
    second = pricing(tmp_path, "ar", "credit", "1", "100", "--date", "2001-05-01", "--reason", "r",
                     "--out", str(tmp_path / "credits"), ledger=tmp_path / "b.sqlite3")
    assert second.exit_code == 1 and "is not this ledger's credit note 000001" in second.output
    with Ledger(tmp_path / "b.sqlite3", "read") as book, book.read() as conn:
        assert conn.execute(schema.credits.select()).all() == []


def test_a_refused_credit_writes_no_pending_document(tmp_path):
    import os
    import subprocess
    import sys

    city_file = cities(tmp_path, huntsville())
    env = {**os.environ, "PRICING_LEDGER": at(tmp_path), "PRICING_FAULT": "after-commit"}
    killed = subprocess.run([sys.executable, "-m", "pricing", "invoice", "run", "--no-hours", "--month", "2001-04",
                             "--cities", str(city_file), "--out", str(tmp_path / "out")],
                            env=env, capture_output=True, text=True, timeout=120)
    assert killed.returncode == -9
    refused = pricing(tmp_path, "ar", "credit", "99", "1", "--date", "2001-05-01", "--reason", "x",
                      "--out", str(tmp_path / "out"))
    assert refused.exit_code == 1 and "no invoice number 99" in refused.output
    with Ledger(at(tmp_path), "read") as book:
        assert [i.number for i in book.unwritten()] == [1]
    assert not (tmp_path / "out" / "invoice-000001.xlsx").is_file() or \
        (tmp_path / "out" / "invoice-000001.xlsx").stat().st_size < 200     # still only the claim


def test_months_are_billed_forward_across_annual_periods(tmp_path):
    city_file = cities(tmp_path, huntsville())
    assert run(tmp_path, "2001-10", city_file).exit_code == 0
    refused = run(tmp_path, "2001-09", city_file)
    assert refused.exit_code == 1
    assert "2001-10 is already billed (invoice 000001); 2001-09 cannot be billed after it" in refused.output


def test_a_column_given_twice_is_refused(tmp_path):
    city_file = write(tmp_path / "twice.csv", HEADER.strip() + ",city\nHuntsville AL," + III
                      + ",20,1,10,1,1,1,,X\n")
    refused = run(tmp_path, "2001-04", city_file)
    assert refused.exit_code == 1 and "column city: the column appears twice" in refused.output
    assert_no_ledger(tmp_path)


def test_a_refused_first_run_leaves_no_ledger_and_the_next_run_starts_one(tmp_path):
    shared = tmp_path / "shared"
    other = tmp_path / "other.sqlite3"                  # another ledger wrote invoice-000001 there
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville(II), name="ii.csv"), ledger=other,
               out=shared).exit_code == 0
    refused = run(tmp_path, "2001-04", cities(tmp_path, huntsville()), out=shared)
    assert refused.exit_code == 1 and "is not this ledger's invoice 000001" in refused.output
    assert_no_ledger(tmp_path)                          # on a server too: no tables left behind
    made = run(tmp_path, "2001-04", cities(tmp_path, huntsville()), out=tmp_path / "own")
    assert made.exit_code == 0 and "issued 000001" in made.stdout
    assert_ledger_holds(tmp_path)


@file_ledger
def test_a_copy_into_the_ledgers_own_side_files_is_refused(tmp_path):
    assert run(tmp_path, "2001-04", cities(tmp_path, huntsville())).exit_code == 0
    ledger = tmp_path / "ledger.sqlite3"
    before = digest(ledger)
    for side in ("-journal", "-wal", "-shm"):
        refused = pricing(tmp_path, "ledger", "copy", str(ledger), f"{ledger}{side}")
        assert refused.exit_code == 1 and f"that is the ledger's file {ledger}{side}" in refused.output
    assert not Path(f"{ledger}-journal").exists() and digest(ledger) == before
    assert pricing(tmp_path, "ar", "pay", "1", "1.00", "--date", "2001-05-10").exit_code == 0
