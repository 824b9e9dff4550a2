"""No traceback for anything a user can give (issue 30 point 5): option values, file contents,
a closed, full or ASCII-only stdout. Commands run as a user runs them (a subprocess) where the
output stream is the input; hypothesis fuzzes option values and JSON contents through the CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pricing.cli import app

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
LEVEL = ["level", "--as-of", "2001-01-01", "--gateway-elements", "3", "--slc", "2"]


def shell(command: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("PRICING_")} | env
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=full, capture_output=True,
                          text=True, timeout=120)


PRICING = f"{sys.executable} -m pricing"


@pytest.mark.parametrize("redirect,message", [
    (">&-", "error: standard output is closed"),
    ("> /dev/full", "error: cannot write to standard output: no space left on device"),
])
@pytest.mark.parametrize("args", [" ".join(LEVEL), "tables list",
                                  f"batch {EXAMPLES / 'cities.csv'} --as-of 2001-05-01 -o -"])
def test_a_closed_or_full_stdout_is_one_line_and_exit_1(tmp_path, args, redirect, message):
    result = shell(f"{PRICING} {args} {redirect}", tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == message or message in result.stderr


def test_names_with_accents_degrade_readably_on_an_ascii_stdout(tmp_path):
    (tmp_path / "c.csv").write_text("city,gateway_elements,slc,five_ess,sm,dacs_ii,dacs_iv\n"
                                    "Montréal QC,3,2,1,1,1,1\n", encoding="utf-8")
    city = json.loads((EXAMPLES / "huntsville.json").read_text())
    city["city"] = "Montréal QC"
    (tmp_path / "q.json").write_text(json.dumps(city, ensure_ascii=False), encoding="utf-8")
    result = shell(f"{PRICING} quote q.json", tmp_path, PYTHONIOENCODING="ascii")
    assert result.returncode == 0, result.stderr
    assert "Montreal QC" in result.stdout
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("document,field", [("huntsville.json", "city"),
                                            ("seven_re_quote.json", "description")])
def test_a_lone_surrogate_in_json_is_refused_by_name(tmp_path, document, field):
    text = (EXAMPLES / document).read_text()
    value = json.loads(text)[field]
    (tmp_path / "in.json").write_text(text.replace(json.dumps(value), '"\\ud800"'))
    command = "quote" if document == "huntsville.json" else "check-7re"
    result = shell(f"{PRICING} {command} in.json", tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "in.json: expected text, got \\ud800 (a lone surrogate escape" in result.stderr


runner = CliRunner()


def no_traceback(args: list[str]) -> object:
    """Run the CLI in-process: any exception but SystemExit is a traceback a user would see."""
    result = runner.invoke(app, args, catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"{args}: {type(result.exception).__name__}: {result.exception}")
    return result


COUNT_OPTIONS = ["--gateway-elements", "--slc", "--five-ess", "--sm", "--dacs-ii", "--dacs-iv"]
values_a_user_types = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-(2 ** 70), max_value=2 ** 70).map(str),
    st.sampled_from(["1_5", "+10", "٣", "1e3", "0x10", " 7", "7 ", "9223372036854775808",
                     "-0", "\ud800", "\x00", "１２"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(option=st.sampled_from(COUNT_OPTIONS), value=values_a_user_types)
def test_count_options_take_what_parse_count_takes(option, value):
    from pricing.values import parse_count

    args = [a for a in LEVEL if a not in ("--gateway-elements", "3")] + ["--gateway-elements",
                                                                          "3", option, value]
    result = no_traceback(args)
    try:
        parse_count(value)
        accepted = True
    except ValueError:
        accepted = False
    if accepted:
        assert result.exit_code in (0, 1), result.output
    else:
        assert result.exit_code == 2
        assert "expected a whole number" in result.output
        assert "Input should be" not in result.output


@pytest.mark.parametrize("args", [
    ["level", "--as-of", "2001-01-01", "--gateway-elements", "1_5", "--slc", "1"],
    ["level", "--as-of", "2001-01-01", "--gateway-elements", "1", "--slc", "+10"],
    ["relevel", str(EXAMPLES / "reports.csv"), "--period", "2011"],
    ["start-level", str(EXAMPLES / "reports.csv"), "--city-size", "1_0"],
])
def test_option_numbers_are_refused_in_the_parsers_words(args):
    result = no_traceback(args)
    assert result.exit_code == 2
    assert "expected a whole number" in result.output


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40))
def test_a_quote_city_of_any_text_is_a_quote_or_a_message(tmp_path, text):
    city = json.loads((EXAMPLES / "huntsville.json").read_text())
    city["city"] = text
    path = tmp_path / "q.json"
    path.write_text(json.dumps(city), encoding="utf-8")        # \ud800 stays an escape
    result = no_traceback(["quote", str(path)])
    assert result.exit_code in (0, 1)


@pytest.mark.parametrize("args", [["level", "--gateway-elements", "3", "--slc", "2"],
                                  ["batch", str(EXAMPLES / "cities.csv"), "-o", "-"]])
def test_today_past_the_term_names_the_term_and_as_of(args):
    result = no_traceback(args)
    assert result.exit_code == 1
    assert "no --as-of given, so the date is today" in result.output
    assert "after the PSA expires (2005-09-30" in result.output
    assert "give --as-of DATE" in result.output


@pytest.mark.breaks_ledger
def test_a_journal_that_does_not_balance_is_refused_and_not_written(tmp_path):
    import sqlite3

    ledger = tmp_path / "l.sqlite3"
    issued = no_traceback(["invoice", "run", "--month", "2001-04", "--cities",
                           str(EXAMPLES / "invoice_cities.csv"), "--no-hours", "--out",
                           str(tmp_path / "out"), "--ledger", str(ledger), "--user", "t"])
    assert issued.exit_code == 0, issued.output
    export = ["ledger", "export", "--from", "2001-01-01", "--to", "2001-12-31", "--ledger",
              str(ledger), "-o", str(tmp_path / "j.csv")]
    assert no_traceback(export).exit_code == 0
    (tmp_path / "j.csv").unlink()
    with sqlite3.connect(ledger) as db:                      # changed outside the tool
        db.execute("DROP TRIGGER invoices_no_update")        # as anyone holding the file can
        db.execute("UPDATE invoices SET total_cents = total_cents + 1 WHERE number = 2")
    result = no_traceback(export)
    assert result.exit_code == 1
    assert "the journal does not balance" in result.output
    assert "differ by 0.01 (invoice 000002: debits 30,083.34, credits 30,083.33)" in result.output
    assert not (tmp_path / "j.csv").exists()
