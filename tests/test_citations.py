"""Every manifest citation points at filed text that holds the table version's numbers.

A manifest `source` cites the contract texts in ../shared/contract/ as parenthesised groups that
start with a file's three-digit prefix, optionally followed by line numbers:

    (004 L21)   (001 L96-105)   (004 L299-300, L312)   (000 lines 34-35)   (004, 003)   (001)

A file with no lines cites the whole file. For every manifest row the checker asserts that
(a) each cited file exists, (b) each cited line exists in it, and (c) the cited lines hold at
least one of the version's numbers (a price, a percent, a count or a date, compared as values:
"$121,500" = 121500.00, "83%" = 83, "16 April, 2001" = "April 16, 2001" = 2001-04-16,
"nine (9)" = 9), and every row that is new or changed in this version holds one of its own.
Single-digit numbers are too common in the text (section and page numbers) to pin a clause, so
they count only for a row that has no other number.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TABLES = REPO / "tables"
CONTRACT = REPO.parent / "shared" / "contract"

# Columns that cite the contract rather than hold its values.
CITATION_COLUMNS = {"section", "unknown_reason"}

# ---------------------------------------------------------------------------------------------
# parsing citations

_GROUP = re.compile(r"\((\d{3}\b[^()]*)\)")
_TOKEN = re.compile(r"(?P<kw>\blines?\b|\bL(?=\s*\d))|(?P<num>\d+(?:\s*[-\u2013]\s*\d+)?)",
                    re.IGNORECASE)


def parse_citations(source: str) -> list[tuple[str, list[tuple[int, int]]]]:
    """(file prefix, [(first line, last line), ...]) for each file the source cites; an empty
    list of ranges cites the whole file. "L" takes one number or range; "lines" takes a list.
    Otherwise a bare three-digit number names the next file."""
    cited: list[tuple[str, list[tuple[int, int]]]] = []
    for group in _GROUP.findall(source):
        keyword = None
        for token in _TOKEN.finditer(group):
            if token["kw"]:
                keyword = token["kw"].lower()
                continue
            numbers = [int(n) for n in re.split(r"\s*[-\u2013]\s*", token["num"])]
            if keyword in ("l", "line", "lines") and cited:
                cited[-1][1].append((numbers[0], numbers[-1]))
                if keyword == "l":
                    keyword = None
            elif re.fullmatch(r"\d{3}", token["num"]):
                cited.append((token["num"], []))
    return cited


# ---------------------------------------------------------------------------------------------
# numbers and dates, as values

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], start=1)}
_MONTH = "(" + "|".join(_MONTHS) + ")"
_UNITS = {w: i for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
     "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
     "nineteen"])}
_TENS = {w: 10 * i for i, w in enumerate(
    ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"], start=2)}
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_WORD = re.compile(r"\b(?:(%s)(?:-(%s))?|(%s))\b" % ("|".join(_TENS), "|".join(_UNITS),
                                                    "|".join(_UNITS)), re.IGNORECASE)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATES = [
    (re.compile(r"\b%s\.?\s+(\d{1,2}),?\s+(\d{4})\b" % _MONTH, re.I), lambda m: (m[3], m[1], m[2])),
    (re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:day\s+of\s+)?%s,?\s+(\d{4})\b" % _MONTH, re.I),
     lambda m: (m[3], m[2], m[1])),
    (re.compile(r"\b(\d{1,2})[-/](\d{1,2})[-/](\d{4}|\d{2})\b"), lambda m: (m[3], m[1], m[2])),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), lambda m: (m[1], int(m[2]), m[3])),
]


def _date(year: str, month, day: str) -> dt.date | None:
    y = int(year)
    if y < 100:
        y += 1900 if y >= 50 else 2000
    m = month if isinstance(month, int) else (_MONTHS.get(month.lower()) or int(month))
    try:
        return dt.date(y, m, int(day))
    except ValueError:
        return None


def _number(written: str) -> Decimal:
    """'121,500' and '121500.00' are both 121500; '07074' is 7074."""
    value = Decimal(written.replace(",", ""))
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def values_in_text(text: str) -> set:
    """Every number (as a Decimal, digits or words) and every date the text writes."""
    found: set = {_number(n) for n in _NUMBER.findall(text)}
    for m in _WORD.finditer(text):
        if m[3]:
            found.add(Decimal(_UNITS[m[3].lower()]))
        else:
            found.add(Decimal(_TENS[m[1].lower()] + (_UNITS[m[2].lower()] if m[2] else 0)))
    for pattern, parts in _DATES:
        for m in pattern.finditer(text):
            day = _date(*parts(m))
            if day:
                found.add(day)
    return found


def values_in_row(row: dict[str, str]) -> set:
    """A row's numbers (Decimals, from every value cell, money or embedded) and dates."""
    found: set = set()
    for column, cell in row.items():
        if column in CITATION_COLUMNS or column.endswith("_section") or not cell:
            continue
        if _ISO.match(cell):
            found.add(dt.date.fromisoformat(cell))
        else:
            found |= {_number(n) for n in _NUMBER.findall(cell)}
    return found


def significant(values: set) -> set:
    """Drop single-digit numbers when there is anything else to look for."""
    big = {v for v in values if not (isinstance(v, Decimal) and abs(v) < 10)}
    return big or values


# ---------------------------------------------------------------------------------------------
# the checker

def contract_file(contract_dir: Path, prefix: str) -> Path | None:
    matches = sorted(contract_dir.glob(f"{prefix}_*.txt"))
    return matches[0] if len(matches) == 1 else None


def check_citation(source: str, rows: list[dict[str, str]], contract_dir: Path,
                   changed: list[dict[str, str]] | None = None) -> list[str]:
    """Problems with one manifest citation of a table version whose rows are `rows`; `changed`
    are the rows new or changed since the previous version (default: all of them)."""
    problems: list[str] = []
    cited = parse_citations(source)
    if not cited:
        return [f"cites no contract file (expected e.g. '(004 L55-96)'): {source!r}"]
    text_parts: list[str] = []
    for prefix, ranges in cited:
        path = contract_file(contract_dir, prefix)
        if path is None:
            problems.append(f"file {prefix}: no {prefix}_*.txt in {contract_dir}")
            continue
        lines = path.read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if not ranges:
            text_parts.append("\n".join(lines))
        for first, last in ranges:
            if not 1 <= first <= last <= len(lines):
                problems.append(f"{prefix} L{first}-{last}: not lines of {path.name} "
                                f"({len(lines)} lines)")
                continue
            text_parts.append("\n".join(lines[first - 1:last]))
    if problems:
        return problems
    in_text = values_in_text("\n".join(text_parts))
    wanted = significant(set().union(*(values_in_row(r) for r in rows)) if rows else set())
    if wanted and not wanted & in_text:
        problems.append(f"the cited lines hold none of the version's numbers {_show(wanted)}")
    for row in rows if changed is None else changed:
        own = significant(values_in_row(row))
        if own and not own & in_text:
            problems.append(f"row {dict(row)}: the cited lines hold none of its numbers "
                            f"{_show(own)}")
    return problems


def _show(values: set) -> str:
    return "[" + ", ".join(sorted(str(v) for v in values)) + "]"


# ---------------------------------------------------------------------------------------------
# the manifest

def _manifest() -> list[dict[str, str]]:
    with (TABLES / "MANIFEST.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _rows(entry: dict[str, str]) -> list[dict[str, str]]:
    with (TABLES / entry["file"]).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _previous(entry: dict[str, str]) -> dict[str, str] | None:
    earlier = [e for e in _manifest()
               if e["table"] == entry["table"] and e["effective_from"] < entry["effective_from"]]
    return max(earlier, key=lambda e: e["effective_from"]) if earlier else None


def _changed_rows(entry: dict[str, str]) -> list[dict[str, str]]:
    before = _previous(entry)
    old = {tuple(r.items()) for r in _rows(before)} if before else set()
    return [r for r in _rows(entry) if tuple(r.items()) not in old]


@pytest.fixture(scope="module")
def contract_dir() -> Path:
    if not CONTRACT.is_dir():
        message = f"contract texts not found at {CONTRACT} (expected ../shared beside the repo)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CONTRACT


MANIFEST = _manifest()


@pytest.mark.parametrize("entry", MANIFEST, ids=[f"{e['table']}@{e['effective_from']}"
                                                 for e in MANIFEST])
def test_manifest_citation_holds_the_versions_numbers(entry, contract_dir):
    problems = check_citation(entry["source"], _rows(entry), contract_dir, _changed_rows(entry))
    assert not problems, f"{entry['table']} {entry['effective_from']}: " + "; ".join(problems)


# ---------------------------------------------------------------------------------------------
# the checker itself

@pytest.mark.parametrize("source, expected", [
    ("GA Amendment 2 recital (004 L21): effective March 6, 1997", [("004", [(21, 21)])]),
    ("Charges table (001 L96-105); 'up to l5' read as 15", [("001", [(96, 105)])]),
    ("PSA Amendment 3 preamble (000 lines 34-35)", [("000", [(34, 35)])]),
    ("Section 1(b) (000): 'thirty (30)'", [("000", [])]),
    ("Sections 1 (004, 003); PSA Amendment 1 preamble (001)",
     [("004", []), ("003", []), ("001", [])]),
    ("footnote * (004 L299-300, L312), footnotes (004 L323-325)",
     [("004", [(299, 300), (312, 312)]), ("004", [(323, 325)])]),
    ("(000 L32) and (002 L12-14)", [("000", [(32, 32)]), ("002", [(12, 14)])]),
    ("(004 L94, 003 L5)", [("004", [(94, 94)]), ("003", [(5, 5)])]),
    ("no citation here (ZIP as filed)", []),
])
def test_parse_citations_reads_the_formats_the_manifest_uses(source, expected):
    assert parse_citations(source) == expected


def test_numbers_are_compared_as_the_text_writes_them():
    text = ("one hundred twenty-one thousand and five hundred dollars ($121,500); "
            "\\$1,250,000; DDM PLUS\t27%; made effective as of 16 April,  2001; "
            "dated September 4, 1997; Date: 9-29-00; nine (9) additional; at least one unit")
    found = values_in_text(text)
    row = {"price": "121500.00", "pct": "27", "threshold": "1250000.00", "from": "2001-04-16",
           "dated": "1997-09-04", "signed": "2000-09-29", "cities": "9", "units": "1"}
    assert values_in_row(row) <= found
    assert Decimal("121501") not in found and dt.date(2001, 4, 15) not in found


def _fake_contract(tmp_path: Path) -> Path:
    (tmp_path / "000_x.txt").write_text(
        "AMENDMENT\nlocated at 1545 Route 206, Bedminster, New Jersey 07921 (Customer)\n"
        "and Lucent, with offices at 600 Mountain Avenue, Murray Hill, New Jersey 07074\n"
        "Net thirty (30) days\n", encoding="utf-8")
    return tmp_path


PARTIES = [
    {"agreement": "PSA", "role": "seller", "name": "Lucent",
     "address": "600 Mountain Avenue, Murray Hill, New Jersey 07074"},
    {"agreement": "PSA", "role": "customer", "name": "KMC",
     "address": "1545 Route 206, Suite 300, Bedminster, New Jersey 07921"},
]


def test_checker_accepts_a_right_citation(tmp_path):
    contract = _fake_contract(tmp_path)
    assert check_citation("preamble (000 L2-3)", PARTIES, contract) == []
    assert check_citation("preamble (000)", PARTIES, contract) == []


@pytest.mark.parametrize("source, changed, reported", [
    ("customer's line for Lucent (000 L2)", [PARTIES[0]], "none of its numbers"),
    ("payment terms line (000 L4)", None, "none of the version's numbers"),
    ("past the end (000 L3-9)", None, "000 L3-9: not lines of 000_x.txt (4 lines)"),
    ("no such file (007 L1)", None, "file 007: no 007_*.txt"),
    ("no file named at all", None, "cites no contract file"),
])
def test_checker_reports_a_wrong_citation(tmp_path, source, changed, reported):
    problems = check_citation(source, PARTIES, _fake_contract(tmp_path), changed)
    assert any(reported in p for p in problems), problems


@pytest.mark.parametrize("table, date, wrong_source, reported", [
    # the manifest's own mistake before the fix: the customer's address line for Lucent's
    ("parties", "2001-04-16", "PSA Amendment 3 preamble (000 L32): Lucent at 600 Mountain Avenue",
     "none of its numbers [600, 7074]"),
    # the hour-block lines cited for the service-level table
    ("service_levels", "1998-10-01", "PSA Amendment 1 Appendix A (001 L139-153)",
     "none of the version's numbers"),
    # GA Amendment 2's transmission table cited for Amendment 3's access products
    ("transmission_discounts", "1999-11-15", "GA Amendment 3 Access Products (004 L55-96)",
     "CopperCom Gateway(TM)"),
    ("switch_discounts", "1999-10-01", "Section A-1.7 (004 L1090-1095)", "not lines of 004_"),
])
def test_checker_reports_a_wrong_citation_of_the_filed_text(contract_dir, table, date,
                                                            wrong_source, reported):
    (entry,) = [e for e in MANIFEST if e["table"] == table and e["effective_from"] == date]
    problems = check_citation(wrong_source, _rows(entry), contract_dir, _changed_rows(entry))
    assert any(reported in p for p in problems), problems
