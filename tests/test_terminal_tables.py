"""Terminal tables at 80, 100 and 120 columns: every number, date and document number whole on
one line (issue 30: `ar aging` at 80 columns printed `135,500.` over `00`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pricing.cli import app
from pricing.cli.terminal_table import layout, wrap

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
NUMBER = re.compile(r"[\w.,:+-]*\d[\w.,:+-]*")      # 135,500.00, 2001-04-15, 000016, 12:00:49.6+00:00
runner = CliRunner()


@pytest.fixture(scope="module")
def ledger(tmp_path_factory) -> Path:
    """Ten months of the examples' invoices, two payments and a dispute with a long reason."""
    folder = tmp_path_factory.mktemp("terminal")
    book = folder / "ledger.sqlite3"
    for month in ("2000-10", "2000-11", "2000-12", "2001-01", "2001-02", "2001-03", "2001-04",
                  "2001-05", "2001-06", "2001-07"):
        result = runner.invoke(app, ["invoice", "run", "--month", month, "--ledger", str(book),
                                     "--cities", str(EXAMPLES / "invoice_cities.csv"),
                                     "--hours", str(EXAMPLES / "invoice_hours.csv"),
                                     "--events", str(EXAMPLES / "invoice_events.csv"),
                                     "--out", str(folder / "out")])
        assert result.exit_code == 0, result.output
    for args in (["pay", "2", "100000.00", "--date", "2000-12-01"],
                 ["pay", "3", "20416.67", "--date", "2000-12-01"],
                 ["dispute", "16", "120000.00", "--date", "2001-04-15", "--reason",
                  "hours for March not agreed with the Augusta site manager"]):
        result = runner.invoke(app, ["ar", *args, "--ledger", str(book)])
        assert result.exit_code == 0, result.output
    return book


COMMANDS = {
    "ar aging": ["ar", "aging", "--as-of", "2001-08-01"],
    "invoice list": ["invoice", "list"],
    "ar payments": ["ar", "payments"],
    "ar disputes": ["ar", "disputes"],
    "ar statement": ["ar", "statement", "KMC Telecom II, Inc.", "--from", "2000-10-01",
                     "--to", "2001-07-31"],
    "invoice show": ["invoice", "show", "2"],
    "review": ["review", str(EXAMPLES / "reports.csv"), "--period", "2001",
               "--hours", str(EXAMPLES / "invoice_hours.csv")],
    "tables show service_levels": ["tables", "show", "service_levels", "--as-of", "2001-04-16"],
    "tables show service_hours": ["tables", "show", "service_hours", "--as-of", "2001-04-16"],
    "tables show psa_remedies": ["tables", "show", "psa_remedies", "--as-of", "2001-04-16"],
    "equipment": ["equipment", str(EXAMPLES / "order.csv")],
}
LEDGER_COMMANDS = {"ar aging", "invoice list", "ar payments", "ar disputes", "ar statement",
                   "invoice show"}


def shown(args: list[str], ledger: Path, **env: str) -> str:
    if args[0] in ("ar", "invoice"):
        args = [*args, "--ledger", str(ledger)]
    result = runner.invoke(app, args, env={"NO_COLOR": "1", **env})
    assert result.exit_code in (0, 1), result.output
    return ANSI.sub("", result.stdout)


@pytest.mark.parametrize("width", [80, 100, 120])
@pytest.mark.parametrize("name", COMMANDS)
def test_every_number_is_whole_on_a_terminal(ledger, name, width):
    plain = shown(COMMANDS[name], ledger, TTY_COMPATIBLE="0")
    boxed = shown(COMMANDS[name], ledger, TTY_COMPATIBLE="1", COLUMNS=str(width))
    assert "┃" in boxed and "┃" not in plain           # the boxed form, and the plain one
    numbers = set(NUMBER.findall(plain))
    assert len(numbers) > 5, plain                      # the command printed data
    lines = boxed.splitlines()
    # every number of the data is on one line of the box, and no piece of a number is there
    # that the data does not hold (a cut 135,500.00 leaves 135,500. and 00)
    assert set(NUMBER.findall(boxed)) == numbers
    assert max(len(line) for line in lines) <= width
    if name in LEDGER_COMMANDS | {"review"}:
        assert re.search(r"\d{1,3}(,\d{3})+\.\d\d", boxed)     # amounts are among them


def test_aging_at_80_columns_keeps_the_amount_the_issue_saw_cut(ledger):
    boxed = shown(COMMANDS["ar aging"], ledger, TTY_COMPATIBLE="1", COLUMNS="80")
    assert "155,500.00" in boxed and "155,500." + " " not in boxed
    # too wide for 80 columns: a second block of columns repeats the bill-to
    assert boxed.count("bill_to") == 2
    assert boxed.count("KMC Telecom II, Inc.") + boxed.count("KMC Telecom") >= 2


@pytest.mark.parametrize("text, width, lines", [
    ("KMC Telecom of Virginia, Inc.", 14, ["KMC Telecom of", "Virginia, Inc."]),
    ("1,500-hour block bought in October 2000", 12, ["1,500-hour", "block bought", "in October", "2000"]),
    ("/tmp/out/invoice-000001.xlsx", 10, ["/tmp/out/", "invoice-000001.xlsx"]),
    ("Northeasternmost", 6, ["Northe", "astern", "most"]),
    ("due_date_as_issued", 10, ["due_date_", "as_issued"]),
])
def test_wrap_breaks_text_never_a_number(text, width, lines):
    header = "_" in text
    assert wrap(text, width, header=header) == lines


def test_layout_gives_numbers_their_width_and_text_the_rest():
    columns = ["bill_to", "total"]
    rows = [["KMC Telecom of Virginia, Inc.", "1,234,567.89"]]
    (block,) = layout(columns, rows, 40)
    assert block.columns == (0, 1)
    assert block.widths[1] == len("1,234,567.89")
    assert sum(block.widths) + 3 * 2 + 1 <= 40
    blocks = layout(["name"] + [f"m{i}" for i in range(8)], [["x"] + ["123,456.78"] * 8], 60)
    assert len(blocks) > 1 and all(b.columns[0] == 0 for b in blocks)
    assert sorted({c for b in blocks for c in b.columns}) == list(range(9))
