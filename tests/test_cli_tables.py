"""`pricing tables ...` from the command line: output, exit codes, --tables and the env var."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from pricing.cli import app
from tests.conftest import rehash

runner = CliRunner()


def test_list_shows_version_in_force_on_a_date():
    result = runner.invoke(app, ["tables", "list", "--as-of", "2001-04-15", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    in_force = {(v["table"], v["effective_from"]) for v in data["versions"] if v["in_force"]}
    assert ("payment_terms", "1997-09-04") in in_force
    assert ("payment_terms", "2001-04-16") not in in_force
    assert all(v["check"] == "ok" for v in data["versions"])


def test_show_csv_prints_rows_in_force():
    result = runner.invoke(app, ["tables", "show", "payment_terms", "--as-of", "2001-04-16",
                                 "--format", "csv"])
    assert result.exit_code == 0
    assert result.output == "agreement,net_days,terms_text\nPSA,20,Net 20\n"


def test_show_before_first_version_is_a_clean_error():
    result = runner.invoke(app, ["tables", "show", "service_levels", "--as-of", "1998-09-30"])
    assert result.exit_code == 1
    assert "table service_levels has no version in force on 1998-09-30" in result.output
    assert "Traceback" not in result.output


def test_show_unknown_table_is_a_usage_error():
    result = runner.invoke(app, ["tables", "show", "prices"])
    assert result.exit_code == 2
    assert "unknown table 'prices'" in result.output


def test_validate_reports_every_problem_and_exits_1(tables_copy):
    path = tables_copy / "service_levels" / "1998-10-01.csv"
    path.write_text(path.read_text().replace("198000.00", "-5").replace("245000.00", "x"))
    rehash(tables_copy)
    result = runner.invoke(app, ["tables", "validate", "--tables", str(tables_copy)])
    assert result.exit_code == 1
    assert "2 problem(s)" in result.output
    assert "row 3, column annual_price" in result.output
    assert "row 4, column annual_price" in result.output


def test_env_var_points_commands_at_another_directory(tables_copy):
    path = tables_copy / "one_time_services" / "1998-10-01.csv"
    path.write_text(path.read_text().replace("100000.00", "90000.00"))
    rehash(tables_copy)
    result = runner.invoke(app, ["tables", "show", "one_time_services", "--format", "csv"],
                           env={"PRICING_TABLES": str(tables_copy)})
    assert result.exit_code == 0
    assert "90000.00" in result.output
    assert runner.invoke(app, ["tables", "validate"], env={"PRICING_TABLES": str(tables_copy)}).exit_code == 0


def test_list_marks_a_tampered_version(tables_copy):
    path = tables_copy / "optical_discounts" / "1999-11-15.csv"
    path.write_text(path.read_text().replace(",50,", ",55,"))
    result = runner.invoke(app, ["tables", "list", "--tables", str(tables_copy), "--format", "json"])
    assert result.exit_code == 1
    checks = {v["table"]: v["check"] for v in json.loads(result.output)["versions"]}
    assert "does not match its recorded hash" in checks["optical_discounts"]
    assert checks["service_levels"] == "ok"


def test_help_does_not_import_pandas():
    code = ("import sys; from pricing.cli import app; from typer.testing import CliRunner; "
            "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0, r.output; "
            "print('pandas' in sys.modules, 'numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
