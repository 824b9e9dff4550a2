"""Reports read a SQLite ledger through sqlite3 alone (invoices.ledger.plain): the same balances
as through SQLAlchemy, the same refusals, and no SQLAlchemy imported."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from decimal import Decimal

import pytest

from invoices.ledger.opening import SCHEMA_VERSION
from invoices.ledger.plain import PlainLedger
from invoices.ledger.store import Ledger
from invoices.receivables.accounts import (issue_credit, record_dispute, record_payment,
                                           terminate, void_payment)
from invoices.receivables.listing import Filters, list_invoices
from invoices.receivables.positions import balances
from invoices.workflows import run_month
from pricing.errors import PricingError

D = Decimal
CITIES = "city,bill_to,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv,level\n" \
         'Huntsville AL,"KMC Telecom III, Inc.",20,1,10,1,1,1,Small\n' \
         'Mobile AL,"KMC Telecom II, Inc.",20,1,10,1,1,1,Small\n'


@pytest.fixture
def path(tmp_path, tables):
    """Four invoices of $16,500.00 (Small: $198,000 a year / 12), 2001-04 and 2001-05 for two
    bill-tos, with a payment, a voided payment, a credit, a dispute and a termination."""
    cities = tmp_path / "cities.csv"
    cities.write_text(CITIES)
    file = tmp_path / "ledger.sqlite3"
    with Ledger(file) as book:
        for month in ("2001-04", "2001-05"):
            run_month(month, cities, tmp_path / "out", tables, book)
        record_payment(book, 1, "6500.00", dt.date(2001, 5, 10))
        bounced, _ = record_payment(book, 2, "1000.00", dt.date(2001, 5, 11))
        void_payment(book, bounced, dt.date(2001, 5, 25), "bounced")
        issue_credit(book, 3, "500.00", dt.date(2001, 6, 5), "goodwill", tmp_path / "out")
        record_dispute(book, 4, "2000.00", dt.date(2001, 6, 10), "hours", tables)
        terminate(book, dt.date(2001, 6, 15), tables)
    return file


def test_balances_read_either_way_are_the_same(path, tables):
    days = [dt.date(2001, 5, 10), dt.date(2001, 5, 24), dt.date(2001, 6, 14), dt.date(2001, 6, 30)]
    with PlainLedger(path) as plain, Ledger(path, "read") as full:
        for day in days:
            assert balances(plain, day, tables) == balances(full, day, tables)
        mine = {b.number: b for b in balances(plain, dt.date(2001, 6, 30), tables)}
    # by hand: 16,500.00 - 6,500.00 paid; the bounced 1,000.00 counts until its void of 05-25
    assert (mine[1].open, mine[2].open, mine[3].open) == (D("10000.00"), D("16500.00"),
                                                          D("16000.00"))
    assert (mine[4].open, mine[4].disputed, mine[4].undisputed) == (D("16500.00"), D("2000.00"),
                                                                     D("14500.00"))
    with PlainLedger(path) as plain:
        early = {b.number: b for b in balances(plain, dt.date(2001, 5, 24), tables)}
    assert early[2].open == D("15500.00")


def test_the_list_read_either_way_is_the_same(path, tables):
    for filters in (Filters(), Filters(open_only=True), Filters(bill_to="kmc telecom ii inc"),
                    Filters(min_total=D("16500.00"), month="2001-05"), Filters(city="Mobile AL"),
                    Filters(start=dt.date(2001, 5, 1), end=dt.date(2001, 5, 31))):
        with PlainLedger(path) as plain, Ledger(path, "read") as full:
            assert list_invoices(plain, tables, filters, 1) == list_invoices(full, tables,
                                                                              filters, 1)
    with PlainLedger(path) as plain:
        shown, matching = list_invoices(plain, tables, Filters(bill_to="kmc telecom ii inc"))
    assert [i.number for i in shown] == [1, 3] and matching == 2     # II sorts before III


@pytest.mark.breaks_ledger
def test_refusals_are_the_full_ledgers(path, tmp_path):
    db = sqlite3.connect(path)
    db.execute("UPDATE ledger_meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    for opening in (PlainLedger, lambda p: Ledger(p, "read")):
        with pytest.raises(PricingError, match="a ledger of schema 99, newer than this tool's"):
            opening(path)
    db.execute("UPDATE ledger_meta SET value = ? WHERE key = 'schema_version'",
               (str(SCHEMA_VERSION),))
    db.execute("DROP TABLE dispute_extensions")
    db.commit()
    for opening in (PlainLedger, lambda p: Ledger(p, "read")):
        with pytest.raises(PricingError, match=r"a damaged ledger \(missing tables: "
                                               r"dispute_extensions\)"):
            opening(path)
    with pytest.raises(PricingError, match="no ledger at"):
        PlainLedger(tmp_path / "none.sqlite3")


def test_reports_on_sqlite_do_not_import_sqlalchemy(path):
    """`invoice list`, `ar status` and `ar aging` start without SQLAlchemy (0.2-0.3 s of import)."""
    for command in (["invoice", "list"], ["ar", "status", "--as-of", "2001-07-01"],
                    ["ar", "aging", "--as-of", "2001-07-01"]):
        script = ("import sys; from pricing.cli import app\n"
                  f"try:\n    app({command!r} + ['--ledger', {str(path)!r}])\n"
                  "except SystemExit as done:\n    assert not done.code, done.code\n"
                  "print(sorted(m for m in sys.modules if m.split('.')[0] in "
                  "('sqlalchemy', 'pandas', 'xlsxwriter', 'weasyprint', 'alembic')))")
        shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.splitlines()[-1] == "[]", (command, shown.stdout[-300:])
