"""The command line's conventions, the same in every command: amounts as printed, exit 2 for a
malformed option value, enums for --format, help on every option, plain tables on a pipe,
stdin/stdout for batch, -o by extension, semicolon CSVs named, progress by bytes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import typer.main
from hypothesis import given, settings, strategies as st
from typer.testing import CliRunner

from pricing.cli import app

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
runner = CliRunner()
BOX = set("│┃━─┏┓┗┛╭╮╰╯┡┩")


def invoke(tmp_path: Path, *args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input,
                         env={"PRICING_LEDGER": str(tmp_path / "ledger.sqlite3"), "NO_COLOR": ""})


def one_line(output: str) -> str:
    """An error box's text on one line (rich wraps and frames it)."""
    return " ".join(output.replace("│", " ").split())


@pytest.fixture
def ledger(tmp_path):
    made = invoke(tmp_path, "invoice", "run", "--month", "2001-04",
                  "--cities", str(EXAMPLES / "invoice_cities.csv"),
                  "--hours", str(EXAMPLES / "invoice_hours.csv"),
                  "--events", str(EXAMPLES / "invoice_events.csv"), "--out", str(tmp_path / "out"))
    assert made.exit_code == 0, made.output
    return tmp_path


@pytest.mark.parametrize("typed", ["1,000.00", "$1,000.00", "1000", "1000.00"])
def test_amounts_as_the_tool_prints_them(ledger, typed):
    paid = invoke(ledger, "ar", "pay", "3", typed, "--date", "2001-05-15")
    # Invoice 3 (Roanoke VA) totals 241,916.67 (see test_documents); 1,000.00 paid.
    assert paid.exit_code == 0 and "paid 1,000.00 of 241,916.67; open 240,916.67" in paid.output


@pytest.mark.parametrize("command", [["ar", "pay", "3"], ["ar", "credit", "3"],
                                     ["ar", "dispute", "3"]])
def test_a_negative_amount_is_refused_as_an_amount(ledger, command):
    extra = {"ar credit": ["--reason", "x"], "ar dispute": ["--reason", "x"]}.get(" ".join(command[:2]), [])
    refused = invoke(ledger, *command, "-100", "--date", "2001-05-15", *extra)
    assert refused.exit_code == 2
    assert "expected an amount more than zero, got '-100'" in one_line(refused.output)
    assert "No such option" not in refused.output


@pytest.mark.parametrize("args", [
    ["level", "--gateway-elements", "20", "--slc", "10", "--as-of", "2001-W20-1"],
    ["quote", str(EXAMPLES / "huntsville.json"), "--as-of", "20010515"],
    ["batch", str(EXAMPLES / "cities.csv"), "-o", "x.csv", "--as-of", "2001-5-15"],
    ["tables", "list", "--as-of", "2001-02-30"],
    ["tables", "list", "--format", "yaml"],
    ["invoice", "list", "--month", "2001-4"],
    ["invoice", "list", "--format", "xml"],
    ["ar", "aging", "--as-of", "2001-06-30", "--format", "pdf"],
    ["ar", "aging", "--as-of", "2001-06-30", "-o", "aging.txt"],
    ["ar", "statement", "KMC Telecom II, Inc.", "--from", "2001-04-01", "--to", "2001-06-30", "-o", "s.doc"],
    ["ar", "status", "--as-of", "tomorrow"],
    ["invoice", "print", "1", "-o", "x.docx"],
    ["capacity", str(EXAMPLES / "reports.csv"), "--as-of", "2001-13-01"],
    ["batch", str(EXAMPLES / "cities.csv"), "-o", "x.csv", "--rejects", "r.xlsx"],
])
def test_a_malformed_option_value_is_a_usage_error_everywhere(ledger, args):
    refused = invoke(ledger, *args)
    assert refused.exit_code == 2, refused.output
    assert "Invalid value" in refused.output or "is not one of" in refused.output


def _commands():
    def walk(command, path):
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, path + [name])
        else:
            yield path, command
    yield from walk(typer.main.get_command(app), [])


def test_every_option_has_a_help_line_and_every_format_lists_its_choices():
    for path, command in _commands():
        for param in command.params:
            if param.name == "help" or getattr(param, "hidden", False):
                continue
            assert getattr(param, "help", None), f"pricing {' '.join(path)}: {param.name} has no help"
            if param.name == "format":
                shown = runner.invoke(app, path + ["--help"], env={"COLUMNS": "200"}).output
                assert re.search(r"--format\s+[\[<][a-z]+(\|[a-z]+)+[\]>]", shown), path


def test_help_has_no_python_types_and_summaries_are_whole_sentences():
    for path, command in _commands():
        shown = runner.invoke(app, path + ["--help"], env={"COLUMNS": "200"}).output
        assert "<bool>" not in shown and "<str>" not in shown, path
        summary = (command.help or "").strip().split("\n\n")[0]
        assert "\n" not in summary and summary.endswith((".", ")")), (path, summary)


def test_version():
    shown = runner.invoke(app, ["--version"])
    assert shown.exit_code == 0 and shown.output.startswith("pricing ")


def test_tables_on_a_pipe_are_plain_text_with_money_formatted(ledger):
    listed = invoke(ledger, "invoice", "list")
    assert listed.exit_code == 0 and not BOX & set(listed.stdout)
    header, *rows = listed.stdout.splitlines()
    assert header.split()[:3] == ["number", "bill_to", "month"]
    assert "241,916.67" in rows[2] and "241916.67" not in rows[2]
    quoted = runner.invoke(app, ["quote", str(EXAMPLES / "huntsville.json"), "--as-of", "2001-10-01"])
    # Huntsville's 20 gateway elements and 10 SLC: Small, 198,000.00 a year (PSA Amendment 1
    # Appendix A).
    assert "198,000.00" in quoted.stdout and not BOX & set(quoted.stdout)


@pytest.mark.parametrize("command", [["ar", "status"], ["ar", "assurance"], ["ar", "aging"]])
def test_machine_output_wherever_a_table_is_shown(ledger, command):
    paid = invoke(ledger, "ar", "pay", "1", "100000", "--date", "2001-06-01")
    assert paid.exit_code == 0
    as_csv = invoke(ledger, *command, "--as-of", "2001-07-01", "--format", "csv")
    as_json = invoke(ledger, *command, "--as-of", "2001-07-01", "--format", "json")
    assert as_csv.exit_code == as_json.exit_code == 0
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    data = json.loads(as_json.stdout)
    if command[1] == "assurance":
        # One payment of 100,000.00 in the six months before 2001-07-01: 2 x 100,000 / 6.
        assert rows == [["payment", "invoice", "date", "amount"], ["1", "000001", "2001-06-01", "100000.00"]]
        assert data["amount"] == "33333.33"
    elif command[1] == "status":
        # On 2001-07-01 every April invoice (due 2001-05-20) is 42 days past due; no termination
        # changed a due date, so the as-issued date and the reason are blank.
        assert rows[0] == ["invoice", "bill_to", "due_date", "days_past_due", "undisputed", "disputed",
                           "due_date_as_issued", "due_reason"]
        # Invoice 1 is 277,000.00 (155,500.00 with Augusta's late 2001-03 hours block of
        # 121,500.00, test_documents); 100,000.00 paid leaves 177,000.00.
        assert ["000001", "KMC Telecom II, Inc.", "2001-05-20", "42", "177000.00", "0.00", "", ""] in rows
        assert data["may_cease"] is True
    else:
        assert rows[0][0] == "bill_to" and data["as_of"] == "2001-07-01"


def test_output_file_format_follows_its_extension(ledger):
    base = ["ar", "aging", "--as-of", "2001-07-01"]
    for suffix in ("csv", "json", "xlsx"):
        made = invoke(ledger, *base, "-o", str(ledger / f"aging.{suffix}"))
        assert made.exit_code == 0, made.output
    assert (ledger / "aging.csv").read_text().startswith("bill_to,current,1-30,")
    assert json.loads((ledger / "aging.json").read_text())["as_of"] == "2001-07-01"
    assert (ledger / "aging.xlsx").read_bytes()[:2] == b"PK"
    statement = invoke(ledger, "ar", "statement", "KMC Telecom II, Inc.", "--from", "2001-04-01",
                       "--to", "2001-06-30", "-o", str(ledger / "s.csv"))
    assert statement.exit_code == 0
    assert (ledger / "s.csv").read_text().startswith("date,document,applies_to,due_date,")


def _pricing(*args: str, stdin: bytes | None = None, cwd: Path | None = None):
    return subprocess.run([sys.executable, "-m", "pricing", *args], input=stdin,
                          capture_output=True, cwd=cwd, timeout=120)


def test_batch_reads_stdin_and_writes_stdout(tmp_path):
    source = (EXAMPLES / "cities.csv").read_bytes()
    done = _pricing("batch", "-", "-o", "-", "--as-of", "2001-10-01", stdin=source, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout.decode())))
    huntsville = next(r for r in rows if r["city"] == "Huntsville AL")
    # 20 GE / 10 SLC: Small 198,000.00; 1,600 hours buy two 1,500-hour blocks at 121,500.00;
    # one switch site integrated, 100,000.00: 541,000.00.
    assert (huntsville["level"], huntsville["total"]) == ("Small", "541000.00")
    assert len(rows) == 36 and b"priced 36 of 36 cities" in done.stderr
    assert list(tmp_path.iterdir()) == []                      # nothing left behind
    parquet = _pricing("batch", "-", "-o", "-", "--output-format", "parquet", "--as-of",
                       "2001-10-01", stdin=source, cwd=tmp_path)
    assert parquet.returncode == 0 and parquet.stdout[:4] == b"PAR1"


def test_batch_on_stdout_lists_rejects_on_stderr_and_prints_nothing_on_failure(tmp_path):
    bad = b"city,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv\nGood,20,1,10,1,1,1\nBad,x,1,1,1,1,1\n"
    done = _pricing("batch", "-", "-o", "-", "--as-of", "2001-10-01", stdin=bad, cwd=tmp_path)
    assert done.returncode == 1
    assert b"row 3: Bad:" in done.stderr and b"Good" in done.stdout and b"Bad" not in done.stdout
    broken = _pricing("batch", "-", "-o", "-", "--as-of", "2001-10-01", stdin=b"nothing,here\n1,2\n",
                      cwd=tmp_path)
    assert broken.returncode == 1 and broken.stdout == b"" and b"missing column" in broken.stderr


def test_batch_writes_no_rejects_file_when_nothing_is_rejected(tmp_path):
    done = invoke(tmp_path, "batch", str(EXAMPLES / "cities.csv"), "-o", str(tmp_path / "p.csv"),
                  "--as-of", "2001-10-01")
    assert done.exit_code == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]


def test_a_semicolon_separated_csv_is_named_and_the_suggested_conversion_works(tmp_path):
    source = tmp_path / "european.csv"
    with (EXAMPLES / "cities.csv").open() as handle:
        rows = list(csv.reader(handle))
    with source.open("w", newline="") as handle:
        csv.writer(handle, delimiter=";").writerows(rows)
    refused = invoke(tmp_path, "batch", str(source), "-o", str(tmp_path / "p.csv"), "--as-of", "2001-10-01")
    assert refused.exit_code == 1 and "looks semicolon-separated" in refused.output
    from pricing.fileio.csvfile import CONVERT_SEMICOLONS

    command = CONVERT_SEMICOLONS.replace("IN.csv", str(source)).replace("OUT.csv", str(tmp_path / "c.csv"))
    subprocess.run(command.replace("python3", sys.executable, 1), shell=True, check=True)
    done = invoke(tmp_path, "batch", str(tmp_path / "c.csv"), "-o", str(tmp_path / "p.csv"),
                  "--as-of", "2001-10-01")
    assert done.exit_code == 0 and "priced 36 of 36 cities" in done.output
    hours = tmp_path / "hours.csv"
    hours.write_text("city;month;hours\nHuntsville AL;2001-04;10\n")
    invoiced = invoke(tmp_path, "invoice", "run", "--month", "2001-04", "--cities",
                      str(EXAMPLES / "invoice_cities.csv"), "--hours", str(hours), "--out",
                      str(tmp_path / "out"))
    assert invoiced.exit_code == 1 and "looks semicolon-separated" in invoiced.output


def test_batch_progress_reports_bytes_of_the_file(tmp_path, tables):
    import datetime as dt

    from pricing.batch.run import run_batch

    seen = []
    source = EXAMPLES / "cities.csv"
    run_batch(source, tmp_path / "p.csv", tables, dt.date(2001, 10, 1), chunk_rows=5,
              progress=lambda rows, done, total: seen.append((rows, done, total)))
    size = source.stat().st_size
    assert len(seen) > 3 and all(total == size for _, _, total in seen)
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)
    assert seen[-1][:2] == (36, size)


def test_training_exits_1_when_rows_are_rejected(tmp_path):
    purchases = tmp_path / "p.csv"
    purchases.write_text("product,amount,ship_date\nPathStar(TM) Access Server (PSAS),abc,2001-01-01\n")
    refused = invoke(tmp_path, "training", str(purchases))
    assert refused.exit_code == 1 and "1 row(s)" in refused.output


def test_errors_are_red_only_on_a_terminal_without_no_color(monkeypatch):
    from pricing.cli import common

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert common.colour(Terminal()) and not common.colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not common.colour(Terminal())
    done = subprocess.run([sys.executable, "-m", "pricing", "invoice", "show", "1", "--ledger",
                           "/nonexistent/l.sqlite3"], capture_output=True, text=True,
                          env={**os.environ, "NO_COLOR": ""})
    assert done.returncode == 1 and done.stderr.startswith("error: ") and "\x1b[" not in done.stderr


@pytest.mark.parametrize("command, source", [
    (["batch", "{in}", "-o", "{in}", "--as-of", "2001-10-01"], "cities.csv"),
    (["batch", "{in}", "-o", "{dir}/p.csv", "--rejects", "{in}", "--as-of", "2001-10-01"], "cities.csv"),
    (["batch", "{in}", "-o", "{dir}/p.csv", "--rejects", "{dir}/p.csv", "--as-of", "2001-10-01"], "cities.csv"),
    (["equipment", "{in}", "-o", "{in}"], "order.csv"),
    (["relevel", "{in}", "--period", "2000", "-o", "{in}"], "reports.csv"),
    (["capacity", "{in}", "--as-of", "2001-06-30", "-o", "{in}"], "reports.csv"),
    (["compare", "{in}", str(EXAMPLES / "exhibit_c_new.csv"), "-o", "{in}"], "exhibit_c_old.csv"),
])
def test_an_output_that_is_an_input_is_refused_and_the_input_kept(tmp_path, command, source):
    copy = tmp_path / source
    copy.write_bytes((EXAMPLES / source).read_bytes())
    before = copy.read_bytes()
    args = [a.replace("{in}", str(copy)).replace("{dir}", str(tmp_path)) for a in command]
    refused = invoke(tmp_path, *args)
    assert refused.exit_code == 1 and "writing there would destroy it" in refused.output
    assert copy.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == [source]


def test_check_7re_csv_is_csv():
    shown = runner.invoke(app, ["check-7re", str(EXAMPLES / "seven_re_quote.json"), "--format", "csv"])
    rows = list(csv.reader(io.StringIO(shown.stdout)))
    assert rows[0] == ["#", "component", "part", "installed_on", "warranty_months",
                       "warranty_end", "reason"]
    # 7R/E hardware installed 2000-06-01: 12 months, to 2001-05-31 (GA Amendment 3 ).
    assert rows[1][:6] == ["0", "Call Feature Server", "hardware", "2000-06-01", "12", "2001-05-31"]


def test_an_output_that_is_a_directory_is_refused_before_any_work(tmp_path):
    (tmp_path / "dd.csv").mkdir()
    for extra in (["-o", str(tmp_path / "dd.csv")],
                  ["-o", str(tmp_path / "p.csv"), "--rejects", str(tmp_path / "dd.csv")]):
        refused = invoke(tmp_path, "batch", str(EXAMPLES / "cities.csv"), "--as-of", "2001-10-01", *extra)
        assert refused.exit_code == 1 and "a directory; give a file name" in refused.output
        assert refused.exception is None or isinstance(refused.exception, SystemExit)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dd.csv"]


def test_a_clean_run_removes_the_rejects_file_of_an_earlier_run(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("city,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv\nA,1,1,1,1,1,1\nB,x,1,1,1,1,1\n")
    assert invoke(tmp_path, "batch", str(bad), "-o", str(tmp_path / "p.csv"), "--as-of", "2001-10-01").exit_code == 1
    assert (tmp_path / "p.rejects.csv").exists()
    clean = invoke(tmp_path, "batch", str(EXAMPLES / "cities.csv"), "-o", str(tmp_path / "p.csv"),
                   "--as-of", "2001-10-01")
    assert clean.exit_code == 0 and not (tmp_path / "p.rejects.csv").exists()


def test_errors_about_stdin_name_stdin(tmp_path):
    done = _pricing("batch", "-", "-o", "-", "--as-of", "2001-10-01", stdin=b"city\nA\n", cwd=tmp_path)
    assert done.returncode == 1 and b"stdin, row 1, column gateway_elements: missing column" in done.stderr
    assert b"pricing-batch-" not in done.stderr


def test_usage_errors_are_plain_lines_on_a_pipe(tmp_path):
    done = _pricing("ar", "aging", "--as-of", "2001-02-30", cwd=tmp_path)
    text = done.stderr.decode()
    assert done.returncode == 2 and not BOX & set(text)
    assert "Invalid value for '--as-of'" in text


@pytest.mark.parametrize("reason, message", [
    ("", "expected a few words saying why, got nothing"),
    ("   ", "expected a few words saying why, got nothing"),
    ("ok \u202etxet", "U+202E"),
    ("zero\u200bwidth", "U+200B"),
])
def test_a_reason_must_say_something_visible(ledger, reason, message):
    refused = invoke(ledger, "ar", "credit", "1", "10", "--date", "2001-08-01", "--reason", reason,
                     "--out", str(ledger / "c"))
    assert refused.exit_code == 2 and message in one_line(refused.output)
    assert not (ledger / "c").exists()


def test_sigterm_stops_a_batch_and_leaves_no_temporary_files(tmp_path):
    import signal
    import time

    env = {**os.environ, "TMPDIR": str(tmp_path)}
    running = subprocess.Popen([sys.executable, "-m", "pricing", "batch", "-", "-o", "-", "--as-of",
                                "2001-10-01"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    running.stdin.write((EXAMPLES / "cities.csv").read_bytes())   # stdin stays open: still reading
    running.stdin.flush()
    deadline = time.monotonic() + 60
    while not any(tmp_path.glob("pricing-batch-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(tmp_path.glob("pricing-batch-*"))
    running.send_signal(signal.SIGTERM)
    out, _ = running.communicate(timeout=60)
    assert running.returncode == 128 + signal.SIGTERM and out == b""
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("number", ["0", "-1", "1.0", "１", "abc"])
def test_a_document_number_has_one_rule_and_one_message(ledger, number):
    for command in (["ar", "void-payment", "--date", "2001-05-15", "--reason", "x", "--", number],
                    ["invoice", "show", "--", number]):
        refused = invoke(ledger, *command)
        assert refused.exit_code == 2, command
        assert "expected a number of 1 or more in ASCII digits" in one_line(refused.output)


_JSON_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.text(),
                         st.decimals(allow_nan=False, allow_infinity=False, places=2),
                         st.dates())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(st.text(), _JSON_VALUES), max_size=5))
def test_json_rows_are_written_as_the_json_module_writes_them(rows):
    """The fast writer of row lists gives the json module's text, byte for byte."""
    from pricing.cli.common import json_text

    expected = json.dumps(rows, indent=2, default=lambda v: v.isoformat()
                          if isinstance(v, dt.date) else str(v))
    assert json_text(rows) == expected


def test_json_rows_by_hand():
    from pricing.cli.common import json_text

    assert json_text([{"number": 1, "total": Decimal("1250.00"),
                       "day": dt.date(2001, 4, 30), "file": None, "open": True, "é": "ü"}]) == (
        '[\n  {\n    "number": 1,\n    "total": "1250.00",\n    "day": "2001-04-30",\n'
        '    "file": null,\n    "open": true,\n    "\\u00e9": "\\u00fc"\n  }\n]')
    assert json_text([]) == "[]" and json_text([{}]) == "[\n  {}\n]"
