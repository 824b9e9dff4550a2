"""A full disk, injected through the one writer seam (pricing.fileio.writes, PRICING_FAULT_DISK_FULL=N:
the disk is full after N bytes), never a real full mount. Each command runs as a user runs it,
in a subprocess: a one-line error naming the file and "no space left on device", exit 1, no
traceback, nothing half-written left, nothing recorded, and the next run (disk free again)
writes where the failed one could not.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pricing.fileio.writes import DISK_FULL_ENV

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
CITIES = EXAMPLES / "invoice_cities.csv"
FULL = "no space left on device"


def pricing(*args: str, cwd: Path, full_after: int | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in (DISK_FULL_ENV, "PRICING_LEDGER", "PRICING_TABLES")}
    env["PRICING_USER"] = "tester"
    if full_after is not None:
        env[DISK_FULL_ENV] = str(full_after)
    return subprocess.run([sys.executable, "-m", "pricing", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def refused_for_space(result: subprocess.CompletedProcess, path: Path) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors, result.stderr
    assert f"cannot write {path}: {FULL}" in errors[0]


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def run_month(tmp_path: Path, month: str, full_after: int | None = None):
    return pricing("invoice", "run", "--month", month, "--cities", str(CITIES), "--no-hours",
                   "--out", "out", "--ledger", "l.sqlite3", cwd=tmp_path, full_after=full_after)


def invoice_count(tmp_path: Path) -> int:
    result = pricing("invoice", "list", "--ledger", "l.sqlite3", "--format", "json",
                     cwd=tmp_path)
    import json

    return len(json.loads(result.stdout)["invoices"] if result.stdout.lstrip().startswith("{")
               else json.loads(result.stdout))


def test_a_new_ledger_on_a_full_disk_leaves_no_file(tmp_path):
    result = run_month(tmp_path, "2001-04", full_after=0)
    refused_for_space(result, Path("l.sqlite3"))
    assert [n for n in files_in(tmp_path) if n.startswith("l.sqlite3")] == []
    assert list((tmp_path / "out").iterdir()) == []
    assert run_month(tmp_path, "2001-04").returncode == 0
    assert invoice_count(tmp_path) == 3


@pytest.fixture
def billed(tmp_path):
    """A ledger with April 2001 billed (invoices 1-3) and its folder."""
    assert run_month(tmp_path, "2001-04").returncode == 0
    return tmp_path


@pytest.mark.parametrize("budget", [0, 100])       # no claim fits; the second claim does not
def test_invoice_run_on_a_full_disk_records_nothing_and_frees_its_names(billed, budget):
    before = files_in(billed / "out")
    result = run_month(billed, "2001-05", full_after=budget)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{FULL}; nothing was written there" in result.stderr
    assert files_in(billed / "out") == before            # no 0-byte invoice-000004.xlsx
    assert invoice_count(billed) == 3
    again = run_month(billed, "2001-05")
    assert again.returncode == 0, again.stderr
    assert "invoice-000004.xlsx" in files_in(billed / "out")
    assert (billed / "out" / "invoice-000004.xlsx").stat().st_size > 1000


def test_invoices_recorded_before_the_disk_filled_are_written_by_the_next_run(billed):
    result = run_month(billed, "2001-05", full_after=300)   # claims fit, workbooks do not
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "is issued but its workbook was not written" in result.stderr
    assert invoice_count(billed) == 6
    for number in (4, 5, 6):                                  # no half workbook, no temp file
        path = billed / "out" / f"invoice-{number:06d}.xlsx"
        assert path.read_bytes().startswith(b"kmc-pricing claim:")
    assert not [n for n in files_in(billed / "out") if n.startswith(".")]
    again = run_month(billed, "2001-05")
    assert again.returncode == 0, again.stderr
    assert "wrote the pending workbook of invoice 000004" in again.stderr
    assert (billed / "out" / "invoice-000004.xlsx").read_bytes()[:2] == b"PK"


def test_a_credit_on_a_full_disk_records_nothing_and_the_next_one_takes_its_number(billed):
    args = ("ar", "credit", "1", "100.00", "--date", "2001-05-01", "--reason", "test",
            "--out", "out", "--ledger", "l.sqlite3")
    result = pricing(*args, cwd=billed, full_after=0)
    refused_for_space(result, billed / "out" / "credit-000001.xlsx")
    assert not (billed / "out" / "credit-000001.xlsx").exists()
    again = pricing(*args, cwd=billed)
    assert again.returncode == 0, again.stderr
    assert "credit note 000001: 100.00" in again.stdout
    assert (billed / "out" / "credit-000001.xlsx").read_bytes()[:2] == b"PK"


AGING = ["ar", "aging", "--as-of", "2001-06-01"]
PRINT = ["invoice", "print", "1"]
STATEMENT = ["ar", "statement", "KMC Telecom II, Inc.", "--from", "2001-01-01", "--to",
             "2001-12-31"]
EXPORT = ["ledger", "export", "--from", "2001-01-01", "--to", "2001-12-31"]
REPORTS = ([(AGING, e) for e in ("xlsx", "csv", "json")]
           + [(PRINT, e) for e in ("pdf", "xlsx", "html")]
           + [(STATEMENT, e) for e in ("pdf", "xlsx", "html", "csv", "json")]
           + [(EXPORT, e) for e in ("csv", "json")])


@pytest.mark.parametrize("args,extension", REPORTS,
                         ids=[f"{a[1]}-{e}" for a, e in REPORTS])
def test_every_report_writer_on_a_full_disk(billed, args, extension):
    target = billed / f"report.{extension}"
    command = [*args, "-o", str(target), "--ledger", "l.sqlite3"]
    written = pricing(*command, cwd=billed)
    assert written.returncode == 0, written.stderr
    size = target.stat().st_size
    target.unlink()
    for budget in (0, size // 2):                 # nothing fits; the disk fills mid-file
        result = pricing(*command, cwd=billed, full_after=budget)
        refused_for_space(result, target)
        assert not target.exists()
        assert not [n for n in files_in(billed) if n.endswith(".tmp")]
    assert pricing(*command, cwd=billed).returncode == 0
    assert target.stat().st_size == size or extension in ("pdf", "xlsx")


@pytest.mark.parametrize("extension", ["csv", "xlsx", "parquet"])
def test_batch_on_a_full_disk(tmp_path, extension):
    target = tmp_path / f"priced.{extension}"
    args = ("batch", str(EXAMPLES / "cities.csv"), "--as-of", "2001-05-01", "-o", str(target))
    result = pricing(*args, cwd=tmp_path, full_after=0)
    refused_for_space(result, target)
    assert files_in(tmp_path) == []
    assert pricing(*args, cwd=tmp_path).returncode == 0
    assert target.stat().st_size > 0


def test_run_with_pdfs_on_a_full_disk_says_which_pdf(billed):
    result = pricing("invoice", "run", "--month", "2001-05", "--cities", str(CITIES),
                     "--no-hours", "--out", "out", "--ledger", "l.sqlite3", "--pdf",
                     cwd=billed, full_after=60_000)       # workbooks fit, PDFs do not
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "the PDF of invoice" in result.stderr and "No space left on device" in result.stderr
    assert not [n for n in files_in(billed / "out") if n.startswith(".")]
