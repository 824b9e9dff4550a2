"""Hostile input, at every reader: a result or a clean error, never a traceback or a hang.

Part (a) feeds random text, values and bytes to every parser and reader (pricing.values, the
CSV reader, the JSON reader, the quote and 7R/E checks, the batch reader) and asserts each
either returns or raises ValueError / PricingError, and that batch accepts exactly what the one
parser of each value accepts. Part (b) runs the commands on each hostile case of issue 12 (huge
numbers, years 0001 and 9999, NaN, deep or non-UTF-8 JSON, a 50 MB cell, a FIFO): exit 1 (2 for
a bad option), a message naming the problem, no traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import tempfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from pricing import values
from pricing.batch.parse import CELL_LIMIT, parse_chunk, typed_hours
from pricing.batch.readers import csv_header, read_csv_chunks
from pricing.cli import app
from pricing.fileio.csvfile import read_records
from pricing.equipment.packet_solution import check_packet_solution
from pricing.errors import PricingError
from pricing.fileio.jsonfile import loads, read_json
from pricing.quote import parse_city_request, price_city

REPO = Path(__file__).resolve().parent.parent
runner = CliRunner()
FEW = settings(max_examples=200, deadline=None,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Digits of other scripts: int() and date.fromisoformat() read them, the tool must not.
OTHER_DIGITS = "０１２３４５６７８９٠١٢٣٤٥٦٧٨٩۰۱۲०१२๑๒"
NEAR_MISS = st.text(alphabet="0123456789" + OTHER_DIGITS[::4] + "-.,:$+eExX /\t\u00a0\u3000",
                    max_size=24)
ANY_TEXT = st.one_of(st.text(st.characters(), max_size=40), NEAR_MISS)
ANY_VALUE = st.one_of(
    ANY_TEXT, st.none(), st.booleans(), st.integers(), st.integers(10**18, 10**60),
    st.floats(allow_nan=True, allow_infinity=True), st.decimals(allow_nan=True),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(10**5000))
PARSERS = [values.parse_date, values.parse_month, values.canonical_month, values.parse_decimal,
           values.parse_amount, lambda v: values.parse_amount(v, positive=False),
           values.parse_hours, values.parse_count, values.parse_number]


def clean(call, *args, errors=(ValueError,)):
    """Call; an error of the given kinds is a clean refusal (returned as None)."""
    try:
        return call(*args)
    except errors:
        return None


# --- (a) properties ------------------------------------------------------------------------

@FEW
@given(value=ANY_VALUE)
def test_every_value_parser_returns_or_refuses(value):
    for parse in PARSERS:
        result = clean(parse, value)
        if result is None:
            continue
        # What any parser returns is canonical and within its bound.
        if isinstance(result, dt.date):
            assert values.DATE_RANGE[0] <= result <= values.DATE_RANGE[1]
        elif isinstance(result, tuple):
            assert values.DATE_RANGE[0].year <= result[0] <= values.DATE_RANGE[1].year
        elif isinstance(result, int):
            assert 0 <= result < values.COUNT_LIMIT
        elif isinstance(result, Decimal):
            assert result.is_finite() and len(result.as_tuple().digits) <= 40


@FEW
@given(text=ANY_TEXT)
def test_parsers_take_ascii_digits_only(text):
    for parse in PARSERS:
        if clean(parse, text) is not None:
            assert not any(c in OTHER_DIGITS for c in text)
            assert "e" not in text.lower() and "x" not in text.lower()


@FEW
@given(day=st.dates(*values.DATE_RANGE))
def test_dates_and_months_round_trip(day):
    assert values.parse_date(day.isoformat()) == day
    assert values.parse_month(f"{day:%Y-%m}") == (day.year, day.month)
    assert values.canonical_month(f" {day:%Y-%m}\t") == f"{day:%Y-%m}"


@FEW
@given(day=st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31)))
def test_dates_outside_the_agreements_years_name_the_bound(day):
    assume(not values.DATE_RANGE[0] <= day <= values.DATE_RANGE[1])
    with pytest.raises(ValueError, match="1997-01-01 to 2010-12-31"):
        values.parse_date(day.isoformat())


@FEW
@given(amount=st.decimals(0, values.AMOUNT_LIMIT - Decimal("0.01"), places=2),
       count=st.integers(0, values.COUNT_LIMIT - 1),
       hours=st.decimals(0, values.HOURS_LIMIT - Decimal("0.0001"), places=4))
def test_canonical_numbers_round_trip(amount, count, hours):
    assert values.parse_amount(format(amount, "f"), positive=False) == amount
    assert values.parse_amount(f"{amount:,.2f}", positive=False) == amount
    assert values.parse_count(str(count)) == count
    assert values.parse_hours(format(hours, "f")) == hours
    with pytest.raises(ValueError, match="below 1,000,000,000"):
        values.parse_count(str(count + values.COUNT_LIMIT))


def _temp_file(data: bytes, suffix: str) -> Path:
    handle, name = tempfile.mkstemp(suffix=suffix)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    return Path(name)


csv_cells = st.lists(st.lists(ANY_TEXT, min_size=1, max_size=4), max_size=6)


@FEW
@given(data=st.one_of(st.binary(max_size=300),
                      csv_cells.map(lambda rows: _csv_bytes([["a", "b"]] + rows)),
                      st.tuples(csv_cells, st.binary(max_size=8)).map(
                          lambda pair: _csv_bytes([["a", "b"]] + pair[0]) + pair[1])))
def test_csv_reader_gives_records_or_problems(data):
    path = _temp_file(data, ".csv")
    try:
        problems: list = []
        records = read_records(path, ("a",), None, problems)
        for row, cells in records:
            assert row >= 2 and set(cells) >= {"a"}
        clean(read_records, path, ("a", "b"), errors=(PricingError,))
    finally:
        path.unlink()


@FEW
@given(rows=st.lists(st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)),
                                      max_size=6), min_size=2, max_size=2),
                     min_size=1, max_size=5))
def test_csv_written_whole_reads_back_and_cut_inside_a_quote_is_refused(rows):
    buffer = io.StringIO()      # every cell quoted: "\r" alone is not quoted by QUOTE_MINIMAL
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows([["a", "b"]] + rows)
    text = buffer.getvalue().encode("utf-8")
    path = _temp_file(text, ".csv")
    try:
        problems: list = []
        records = read_records(path, ("a", "b"), None, problems)
        wanted = [[cell.strip() for cell in row] for row in rows]
        assert problems == [] and [list(r.values()) for _, r in records] == \
            [row for row in wanted if any(wanted_cell for wanted_cell in row)]
        path.write_bytes(text.rstrip(b"\n")[:-1])      # cut before the last quote: left open
        problems = []
        read_records(path, ("a", "b"), None, problems)
        assert [p.message for p in problems][-1:] == [
            "the file ends inside a quoted cell opened on this row: a quote is never closed, or "
            "the file was cut short"]
    finally:
        path.unlink()


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from(['a', ',', '"', '\n', '\r', ' ']), max_size=30))
def test_a_file_ends_in_a_quote_exactly_when_the_csv_module_reads_on_past_its_end(text):
    from pricing.fileio.csvfile import _ends_in_a_quote

    # The csv module's own answer: text after the end joins the last cell only inside quotes.
    assume(not text.endswith("\r"))                    # "\r" + "\n" would be one line end
    rows = list(csv.reader(io.StringIO(text + "\nZ", newline="")))
    assert _ends_in_a_quote(list(io.StringIO(text, newline=""))) == (rows[-1] != ["Z"])


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8", errors="surrogatepass")


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.integers(10**30, 10**50),
              st.floats(allow_nan=True, allow_infinity=True), ANY_TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(ANY_TEXT, inner, max_size=4)),
    max_leaves=12)


@FEW
@given(data=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode),
                      json_values.map(lambda v: json.dumps(v).encode()),
                      st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n)))
def test_json_reader_gives_a_value_or_a_clean_error(data):
    path = _temp_file(data, ".json")
    try:
        clean(read_json, path, errors=(PricingError,))
    finally:
        path.unlink()
    clean(loads, data.decode("utf-8", errors="replace"))


city_fields = st.fixed_dictionaries({}, optional={
    "city": st.one_of(st.just("Huntsville"), ANY_VALUE),
    "period": st.one_of(st.integers(1990, 2012), ANY_VALUE),
    "counts": st.one_of(st.fixed_dictionaries({name: st.one_of(st.integers(0, 40), ANY_VALUE)
                                               for name in ("gateway_elements", "five_ess", "slc",
                                                            "sm", "dacs_ii", "dacs_iv")}),
                        ANY_VALUE),
    "hours": st.one_of(st.dictionaries(st.one_of(st.just("2000-10"), ANY_TEXT), ANY_VALUE,
                                       max_size=3), ANY_VALUE),
    "integration_sites": ANY_VALUE, "bill_to": ANY_VALUE, "level": ANY_VALUE,
    "equipment": st.one_of(st.lists(st.dictionaries(
        st.sampled_from(["product", "kind", "quantity", "list_price", "order_date",
                         "stsx1_cards"]), ANY_VALUE, max_size=6), max_size=2), ANY_VALUE),
})


@FEW
@given(data=st.one_of(city_fields, json_values))
def test_quote_input_gives_a_quote_or_a_clean_error(tables, data):
    request = clean(parse_city_request, data, errors=(PricingError,))
    if request is not None:
        clean(price_city, request, tables, errors=(PricingError,))


@FEW
@given(data=st.one_of(st.fixed_dictionaries({
    "components": st.one_of(st.lists(st.fixed_dictionaries(
        {"component": st.sampled_from(["Call Feature Server", "Packet Gateway"])},
        optional={"quantity": ANY_VALUE, "installed_on": ANY_VALUE, "amount": ANY_VALUE,
                  "access_vehicle": ANY_VALUE}), max_size=3), ANY_VALUE),
    "comparable_5ess_tdm": ANY_VALUE}, optional={"price": ANY_VALUE}), json_values))
def test_7re_check_gives_a_verdict_or_a_clean_error(tables, data):
    if isinstance(data, dict):
        clean(check_packet_solution, data, tables, dt.date(2000, 7, 1), errors=(PricingError,))


COUNT_CELLS = st.one_of(NEAR_MISS, st.integers(0, 10**13).map(str),
                        st.sampled_from(["0x1F", "1e3", "+5", "-0", "١٢", "１２", " 7 ", "\t8"]))
HOURS_CELLS = st.one_of(NEAR_MISS, st.decimals(0, 10**9, places=4).map(lambda d: format(d, "f")),
                        st.sampled_from(["1e2", "+5", "5.", ".5", "1,250.5", "5.00000", ""]))
BATCH_HEADER = ["city", "gateway_elements", "five_ess", "slc", "sm", "dacs_ii", "dacs_iv", "hours",
                "integration_sites"]


def _expected_count(cell: str, below: int = values.COUNT_LIMIT) -> int | None:
    """The count the one parser reads from a cell, or None when it refuses it."""
    count = clean(values.parse_count, cell)
    return count if count is not None and count < below else None


@FEW
@given(rows=st.lists(st.tuples(COUNT_CELLS, HOURS_CELLS, COUNT_CELLS), min_size=1, max_size=8))
def test_batch_accepts_what_the_parsers_accept(rows):
    """Through the CSV fast path (pyarrow) or any fallback, a city is priced with exactly the
    values pricing.values reads from its cells, and rejected when a parser refuses one."""
    lines = [[f"City {i}", count, "1", "1", "1", "1", "1", hours, sites]
             for i, (count, hours, sites) in enumerate(rows)]
    path = _temp_file(_csv_bytes([BATCH_HEADER] + lines), ".csv")
    try:
        chunks = list(read_csv_chunks(path, csv_header(path)))
    finally:
        path.unlink()
    priced = {}
    for chunk in chunks:
        parsed = parse_chunk(chunk.table)
        for i, row in enumerate(chunk.rows):
            if not parsed.bad[i]:
                priced[int(row) - 2] = (int(parsed.counts["gateway_elements"][i]),
                                        int(parsed.hours_scaled[i]), int(parsed.sites[i]))
    for i, (count, hours, sites) in enumerate(rows):
        want_count = _expected_count(count)
        want_hours = (0 if hours.strip(" \t") == "" else
                      clean(lambda h: int(values.parse_hours(h) * 10_000), hours))
        want_sites = 0 if sites.strip(" \t") == "" else _expected_count(sites, 10**6 + 1)
        got = priced.get(i)
        if got is None:
            # Refused: one of its cells is refused by its parser (or is -0, 000...0, which
            # pyarrow and the parser spell differently: never a different value).
            assert None in (want_count, want_hours, want_sites), (rows[i], got)
        else:
            for cell, want, value in ((count, want_count, got[0]), (sites, want_sites, got[2])):
                if want is None:        # only a harmless spelling of the same number
                    assert cell.strip(" \t").lstrip("-").isdigit() and cell.isascii(), cell
                    assert int(cell.strip(" \t")) == value
                else:
                    assert value == want
            assert got[1] == want_hours, (hours, got)


@FEW
@given(cells=st.lists(st.one_of(HOURS_CELLS, st.text("0123456789.", max_size=20)), max_size=10))
def test_typed_hours_converts_only_what_parse_hours_reads_the_same(cells):
    column = typed_hours(pa.array(cells, pa.string()))
    if pa.types.is_decimal(column.type):
        for cell, value in zip(cells, column.to_pylist()):
            # Exactly the number written (the bound is parse_chunk's to check).
            assert (value is None) if cell == "" else values.parse_decimal(cell) == value


# --- (b) every command, every hostile case -------------------------------------------------

def invoke(args: list[str]):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output
    return result


def _fifo(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


@pytest.fixture
def special_files(tmp_path):
    """A FIFO (opening it would block forever) and a directory, each named like an input."""
    made = {suffix: _fifo(tmp_path, f"fifo{suffix}") for suffix in (".csv", ".json")}
    (tmp_path / "folder.csv").mkdir()
    yield made
    for path in made.values():
        path.unlink()


BATCH_ROW = "Good,20,1,10,1,1,1,0,0\n"


@pytest.mark.parametrize("row, reason", [
    ("B,12345678901234567890,1,1,1,1,1,0,0", "gateway_elements: expected a whole number below 1,000,000,000"),
    ("B,1000000000,1,1,1,1,1,0,0", "gateway_elements: expected a whole number below 1,000,000,000"),
    ("B,1e30,1,1,1,1,1,0,0", "gateway_elements: expected a whole number of zero or more, got '1e30'"),
    ("B,0x1F,1,1,1,1,1,0,0", "gateway_elements: expected a whole number of zero or more, got '0x1F'"),
    ("B,１２,1,1,1,1,1,0,0", "gateway_elements: expected a whole number of zero or more, got '１２'"),
    ("B,١٢,1,1,1,1,1,0,0", "gateway_elements: expected a whole number of zero or more, got '١٢'"),
    ("B,NaN,1,1,1,1,1,0,0", "gateway_elements: expected a whole number of zero or more, got 'NaN'"),
    ("B,-3,1,1,1,1,1,0,0", "gateway_elements: expected a whole number of zero or more, got '-3'"),
    ("B,2,1,1,1,1,1,nan,0", "hours: expected a number, got 'nan'"),
    ("B,2,1,1,1,1,1,1e2,0", "hours: expected a number, got '1e2'"),
    ("B,2,1,1,1,1,1,100000000,0", "hours: expected hours below 100,000,000"),
    ("B,2,1,1,1,1,1,0,99999999999999999999", "integration_sites: expected a whole number from 0 to 1,000,000"),
])
def test_batch_rejects_each_bad_cell_with_its_bound(tmp_path, row, reason):
    source = tmp_path / "cities.csv"
    source.write_text(",".join(BATCH_HEADER) + "\n" + BATCH_ROW + row + "\n", encoding="utf-8")
    result = invoke(["batch", source, "-o", tmp_path / "out.csv", "--as-of", "2001-10-01"])
    assert result.exit_code == 1 and "1 row(s) rejected" in result.output
    rejects = list(csv.DictReader((tmp_path / "out.rejects.csv").open(encoding="utf-8")))
    assert [r["row"] for r in rejects] == ["3"] and reason in rejects[0]["reason"]


def test_batch_refuses_a_fifo_and_a_directory(tmp_path, special_files):
    for source, message in ((special_files[".csv"], "not a regular file"),
                            (tmp_path / "folder.csv", "not a regular file (a directory)")):
        result = invoke(["batch", source, "-o", tmp_path / "out.csv", "--as-of", "2001-10-01"])
        assert result.exit_code == 1 and message in result.output


def test_batch_rejects_a_50_mb_cell_and_prices_the_rest(tmp_path):
    source = tmp_path / "cities.csv"
    with source.open("w", encoding="utf-8") as out:
        out.write(",".join(BATCH_HEADER) + "\n" + BATCH_ROW)
        out.write("x" * (50 * 1024 * 1024) + ",1,1,1,1,1,1,0,0\n")
        out.write("Other,20,1,10,1,1,1,0,0\n")
    result = invoke(["batch", source, "-o", tmp_path / "out.csv", "--as-of", "2001-10-01"])
    assert result.exit_code == 1 and "priced 2 of 3" in result.output
    reject = (tmp_path / "out.rejects.csv").read_text().splitlines()[1]
    assert reject.startswith("3,") and "expected a line of at most 16,777,216 bytes" in reject


def test_batch_rejects_a_cell_too_long_for_a_spreadsheet(tmp_path):
    source = tmp_path / "cities.csv"
    source.write_text(",".join(BATCH_HEADER) + "\n" + BATCH_ROW + "y" * (CELL_LIMIT + 1)
                      + ",1,1,1,1,1,1,0,0\n", encoding="utf-8")
    result = invoke(["batch", source, "-o", tmp_path / "out.xlsx", "--as-of", "2001-10-01"])
    assert result.exit_code == 1
    reject = (tmp_path / "out.rejects.csv").read_text()
    assert "city: expected at most 32,767 characters, got 32,768" in reject


def test_batch_names_bytes_that_are_not_utf8(tmp_path):
    source = tmp_path / "cities.csv"
    source.write_bytes((",".join(BATCH_HEADER) + "\n" + BATCH_ROW).encode() + b"B\xff\xfe,1,1,1,1,1,1,0,0\n")
    result = invoke(["batch", source, "-o", tmp_path / "out.csv", "--as-of", "2001-10-01"])
    assert result.exit_code == 1
    assert "3,B" in (tmp_path / "out.rejects.csv").read_text(encoding="utf-8")
    header = tmp_path / "header.csv"
    header.write_bytes(b"city\xff," + ",".join(BATCH_HEADER[1:]).encode() + b"\n" + BATCH_ROW.encode())
    result = invoke(["batch", header, "-o", tmp_path / "out.csv", "--as-of", "2001-10-01"])
    assert result.exit_code == 1 and "row 1: the header is not UTF-8 text" in result.output


def test_batch_parquet_of_hostile_types(tmp_path):
    import pyarrow.parquet as pq

    table = pa.table({"city": ["A", "B"], "gateway_elements": pa.array([20, 2**64 - 1], pa.uint64()),
                      "five_ess": [1, 1], "slc": [10.0, float("nan")], "sm": [1, 1],
                      "dacs_ii": [1, 1], "dacs_iv": [1, 1],
                      "hours": pa.array([Decimal(0), Decimal(10) ** 30], pa.decimal128(38, 2))})
    pq.write_table(table, tmp_path / "cities.parquet")
    result = invoke(["batch", tmp_path / "cities.parquet", "-o", tmp_path / "out.csv",
                     "--as-of", "2001-10-01"])
    assert result.exit_code == 1
    reason = (tmp_path / "out.rejects.csv").read_text()
    assert "below 1,000,000,000, got '18446744073709551615'" in reason and "hours below" in reason
    pq.write_table(table.append_column("tags", pa.array([[1], []])), tmp_path / "nested.parquet")
    result = invoke(["batch", tmp_path / "nested.parquet", "-o", tmp_path / "out.csv",
                     "--as-of", "2001-10-01"])
    assert result.exit_code == 1 and "column tags: expected a column of numbers or text" in result.output


@pytest.mark.parametrize("as_of", ["9999-12-31", "0001-01-01", "２００１-10-01", "2001-W40-1", "1e30"])
def test_batch_as_of_out_of_range_is_a_usage_error(tmp_path, as_of):
    source = tmp_path / "cities.csv"
    source.write_text(",".join(BATCH_HEADER) + "\n" + BATCH_ROW)
    result = invoke(["batch", source, "-o", tmp_path / "out.csv", "--as-of", as_of])
    assert result.exit_code == 2 and "--as-of" in result.output and not (tmp_path / "out.csv").exists()


HUNTSVILLE = json.loads((REPO / "examples" / "huntsville.json").read_text())


def _city_json(**changes) -> str:
    return json.dumps({**HUNTSVILLE, **changes})


@pytest.mark.parametrize("text, message", [
    ("[" * 100_000 + "]" * 100_000, "not valid JSON (nested more than 20 deep)"),
    ('{"city": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested more than 20 deep"),
    ("[1, 2]", "expected a JSON object (the city's fields), got a list"),
    ("", "not valid JSON"),
    (_city_json(integration_sites=float("nan")), "expected a number, got NaN"),
    (_city_json(period=float("inf")), "expected a number, got Infinity"),
    (_city_json().replace('"sm": 1', '"sm": 12345678901234567890'), "counts.sm: expected a whole number below 1,000,000,000"),
    (_city_json().replace('"sm": 1', '"sm": ' + "9" * 5000), "expected a number of at most 40 digits"),
    (_city_json().replace('"sm": 1', '"sm": 1e30'), "without an exponent"),
    (_city_json().replace('"sm": 1', '"sm": "١٢"'), "counts.sm: expected a whole number of zero or more"),
    (_city_json(period=9999), "period: expected a year from 1997 to 2010"),
    (_city_json(period=1), "period: expected a year from 1997 to 2010"),
    (_city_json(hours={"9999-10": 5}), "expected a month from 1997-01 to 2010-12"),
    (_city_json(hours={"٢٠٠٠-١٠": 5}), "expected a month YYYY-MM"),
    (_city_json(hours={"2000-10": 1, " 2000-10": 2}), "the month 2000-10 is given twice"),
    (_city_json(hours={"2000-10": 10**9}), "expected hours below 100,000,000"),
    (_city_json(integration_sites=10**12), "integration_sites: expected a whole number from 0 to 1,000,000"),
    ('{"city": "a", "city": "b"}', "the field 'city' is written twice"),
])
def test_quote_refuses_hostile_json(tmp_path, text, message):
    path = tmp_path / "city.json"
    path.write_text(text, encoding="utf-8")
    result = invoke(["quote", path])
    assert result.exit_code == 1 and message in result.output, result.output


def test_quote_refuses_bytes_files_and_sizes(tmp_path, special_files):
    path = tmp_path / "city.json"
    path.write_bytes(b'{\n"city": "Hunts\xffville"}')
    assert "row 2: not UTF-8 text" in invoke(["quote", path]).output
    path.write_text('{"city": "' + "x" * (50 * 1024 * 1024) + '"}')
    assert "expected a JSON file of at most 1,048,576 bytes" in invoke(["quote", path]).output
    for source in (special_files[".json"], tmp_path / "folder.csv", tmp_path / "missing.json"):
        result = invoke(["quote", source])
        assert result.exit_code == 1 and ("not a regular file" in result.output
                                          or "no such file" in result.output)


@pytest.mark.parametrize("changes, message", [
    ({"date": "9999-12-31"}, "date: expected a date from 1997-01-01 to 2010-12-31"),
    ({"price": float("nan")}, "expected a number, got NaN"),
    ({"price": "1e30"}, "price: expected a number"),
    ({"comparable_5ess_tdm": "10000000000000"}, "expected an amount below 1,000,000,000,000"),
    ({"components": [{"component": "Packet Gateway", "quantity": 10**20}]}, "below 1,000,000,000"),
    ({"components": [{"component": "Packet Gateway", "installed_on": "0001-01-01"}]},
     "installed_on: expected a date from 1997-01-01"),
])
def test_check_7re_refuses_hostile_json(tmp_path, changes, message):
    quote = json.loads((REPO / "examples" / "seven_re_quote.json").read_text())
    path = tmp_path / "quote.json"
    path.write_text(json.dumps({**quote, **changes}))
    result = invoke(["check-7re", path])
    assert result.exit_code == 1 and message in result.output, result.output


ORDER_HEADER = "product,order_code,kind,quantity,list_price,order_date,ship_date,order_kind,stsx1_cards\n"
ORDER_OK = "DDM PLUS,,hardware,3,10000,1998-07-01,1998-08-01,,\n"


@pytest.mark.parametrize("line, message", [
    ("DDM PLUS,,hardware,12345678901234567890,10000,1998-07-01,,,", "quantity: expected below 1,000,000,000"),
    ("DDM PLUS,,hardware,1e30,10000,1998-07-01,,,", "quantity: expected a number, got '1e30'"),
    ("DDM PLUS,,hardware,1,NaN,1998-07-01,,,", "list_price: expected a number, got 'NaN'"),
    ("DDM PLUS,,hardware,１２,10000,1998-07-01,,,", "quantity: expected a number, got '１２'"),
    ("DDM PLUS,,hardware,1,10000,9999-12-31,,,", "order_date: expected a date from 1997-01-01 to 2010-12-31"),
    ("DDM PLUS,,hardware,1,10000,1998-07-01,0001-01-01,,", "ship_date: expected a date from 1997-01-01"),
    ("DDM PLUS,,hardware,1000000,999999999999,1998-07-01,,,",
     "quantity x list_price: expected an amount below 1,000,000,000,000"),
    ("5ESS Switch,,hardware,1,100000,2000-03-01,,growth,١٢", "stsx1_cards: expected a whole number"),
])
def test_equipment_rejects_hostile_cells(tmp_path, line, message):
    path = tmp_path / "order.csv"
    path.write_text(ORDER_HEADER + ORDER_OK + line + "\n", encoding="utf-8")
    result = invoke(["equipment", path])
    assert result.exit_code == 1 and "row 3: " + message in result.output, result.output


def test_equipment_rejects_a_50_mb_cell_bytes_and_special_files(tmp_path, special_files):
    path = tmp_path / "order.csv"
    with path.open("w") as out:
        out.write(ORDER_HEADER + ORDER_OK + "x" * (50 * 1024 * 1024) + ",,hardware,3,1,1998-07-01,,,\n")
    result = invoke(["equipment", path])
    assert result.exit_code == 1 and "row 3: unreadable CSV: a cell longer than 131,072" in result.output
    path.write_bytes((ORDER_HEADER + ORDER_OK).encode() + b"DDM \xff,,hardware,3,1,1998-07-01,,,\n")
    result = invoke(["equipment", path])
    assert result.exit_code == 1 and "row 3: not UTF-8 text" in result.output
    for source in (special_files[".csv"], tmp_path / "folder.csv"):
        result = invoke(["equipment", source])
        assert result.exit_code == 1 and "not a regular file" in result.output


@pytest.mark.parametrize("amount, message", [
    ("1e30", "expected a number, got '1e30'"), ("NaN", "expected a number, got 'NaN'"),
    ("10000000000000", "expected an amount below 1,000,000,000,000"),
    ("12345678901234567890", "expected an amount below 1,000,000,000,000"),
    ("１２", "expected a number, got '１２'"), ("-5", "expected an amount of zero or more"),
])
def test_compare_refuses_hostile_amounts(tmp_path, amount, message):
    path = tmp_path / "old.csv"
    path.write_text(f"element,amount,kind\nA,{amount},element\n", encoding="utf-8")
    result = invoke(["compare", path, REPO / "examples" / "exhibit_c_new.csv"])
    assert result.exit_code == 1 and "row 2, column amount: " + message in result.output


@pytest.mark.parametrize("rate", ["NaN", "1e5", "5", "-0.1", "０.05"])
def test_compare_shipping_rate_is_a_usage_error(rate):
    result = invoke(["compare", REPO / "examples" / "exhibit_c_old.csv",
                     REPO / "examples" / "exhibit_c_new.csv", "--shipping-rate", rate])
    assert result.exit_code == 2 and "--shipping-rate" in result.output


def test_compare_refuses_special_files(tmp_path, special_files):
    result = invoke(["compare", special_files[".csv"], REPO / "examples" / "exhibit_c_new.csv"])
    assert result.exit_code == 1 and "not a regular file" in result.output


REPORT_HEADER = "city,month,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv\n"


@pytest.mark.parametrize("line, message", [
    ("A,9999-01,1,1,1,1,1,1", "column month: expected a month from 1997-01 to 2010-12"),
    ("A,0001-01,1,1,1,1,1,1", "column month: expected a month from 1997-01 to 2010-12"),
    ("A,2000-1,1,1,1,1,1,1", "column month: expected a month YYYY-MM, got '2000-1'"),
    ("A,٢٠٠٠-01,1,1,1,1,1,1", "column month: expected a month YYYY-MM"),
    ("A,2000-01-01 12:00:00,1,1,1,1,1,1", "column month: expected a month YYYY-MM"),
    ("A,2000-01,12345678901234567890,1,1,1,1,1", "gateway_elements: expected a whole number below 1,000,000,000"),
    ("A,2000-01,1e30,1,1,1,1,1", "gateway_elements: expected a whole number of zero or more, got '1e30'"),
    ("A,2000-01,1,1,NaN,1,1,1", "slc: expected a whole number of zero or more, got 'NaN'"),
    ("A,2000-01,1,1,1,１２,1,1", "sm: expected a whole number of zero or more, got '１２'"),
])
def test_relevel_reports_hostile_cells(tmp_path, line, message):
    path = tmp_path / "reports.csv"
    path.write_text(REPORT_HEADER + line + "\n", encoding="utf-8")
    result = invoke(["relevel", path, "--period", "2000"])
    assert result.exit_code == 1 and "row 2, column " in result.output and message in result.output, \
        result.output


def test_relevel_reads_a_spreadsheet_date_as_its_month(tmp_path):
    path = tmp_path / "reports.csv"
    path.write_text(REPORT_HEADER + "A,1999-09-01 00:00:00,10,1,5,1,1,1\n")
    assert invoke(["relevel", path, "--period", "2000"]).exit_code == 0


@pytest.mark.parametrize("period", ["9999", "1", "99999999999999999999"])
def test_relevel_period_out_of_range_is_a_usage_error(period):
    result = invoke(["relevel", REPO / "examples" / "reports.csv", "--period", period])
    assert result.exit_code == 2 and "--period" in result.output


def test_reports_refuse_50_mb_cells_bytes_and_special_files(tmp_path, special_files):
    path = tmp_path / "reports.csv"
    with path.open("w") as out:
        out.write(REPORT_HEADER + "x" * (50 * 1024 * 1024) + ",2000-01,1,1,1,1,1,1\n")
    result = invoke(["relevel", path, "--period", "2000"])
    assert result.exit_code == 1 and "row 2: unreadable CSV: a cell longer than" in result.output
    path.write_bytes(REPORT_HEADER.encode() + b"A\xff,2000-01,1,1,1,1,1,1\n")
    result = invoke(["relevel", path, "--period", "2000"])
    assert result.exit_code == 1 and "row 2: not UTF-8 text" in result.output
    (tmp_path / "bad.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    result = invoke(["capacity", tmp_path / "bad.xlsx", "--as-of", "2001-01-01"])
    assert result.exit_code == 1 and "cannot read" in result.output
    for args in (["relevel", special_files[".csv"], "--period", "2000"],
                 ["capacity", tmp_path / "folder.csv", "--as-of", "2001-01-01"],
                 ["start-level", "--similar", special_files[".csv"], "--city-size", "3"],
                 ["relevel", REPO / "examples" / "reports.csv", "--period", "2000",
                  "--levels", special_files[".csv"]],
                 ["training", special_files[".csv"]], ["check-7re", special_files[".json"]]):
        result = invoke(args)
        assert result.exit_code == 1 and "not a regular file" in result.output, args


@pytest.mark.parametrize("args", [
    ["level", "--gateway-elements", "1000000000", "--slc", "1"],
    ["level", "--gateway-elements", "1e30", "--slc", "1"],
    ["start-level", "--similar", REPO / "examples" / "reports.csv", "--city-size", "10000000000"],
    ["batch", REPO / "examples" / "cities.csv", "-o", "x.csv", "--chunk-rows", "99999999999999999999"],
])
def test_huge_option_numbers_are_usage_errors(args):
    assert invoke(args).exit_code == 2


def test_training_names_each_hostile_cell(tmp_path):
    path = tmp_path / "purchases.csv"
    path.write_text("product,amount,ship_date\nX,1e30,1999-03-15\nX,NaN,9999-01-01\n"
                    "X,10000000000000,1999-03-15\nX,１２,٢٠٠٠-01-01\n", encoding="utf-8")
    output = invoke(["training", path]).output
    assert "row 2 not counted: amount: expected a number, got '1e30'" in output
    assert "row 3 not counted: amount: expected a number, got 'NaN'; ship_date: expected a date from" in output
    assert "row 4 not counted: amount: expected an amount below 1,000,000,000,000" in output
    assert "row 5 not counted: amount: expected a number, got '１２'; ship_date: expected a date YYYY-MM-DD" in output


def test_batch_keeps_int64_far_from_overflow(tables):
    """The largest values batch accepts price exactly as the scalar core prices them."""
    from pricing.batch.chunk import prepare, price_chunk
    from pricing.batch.readers import RawChunk
    from pricing.batch.rules import batch_rules

    most = values.COUNT_LIMIT - 1
    hours = values.HOURS_LIMIT - Decimal("0.0001")
    table = pa.table({"city": ["Huge", "Counts"], "gateway_elements": ["10", str(most)],
                      "five_ess": ["1", "1"], "slc": ["5", str(most)], "sm": ["1", str(most)],
                      "dacs_ii": ["1", str(most)], "dacs_iv": ["1", str(most)],
                      "hours": [str(hours), "0"], "integration_sites": ["1000000", "0"]})
    as_of = dt.date(2001, 10, 1)
    result = price_chunk(prepare(RawChunk(table, np.array([2, 3]))), batch_rules(tables, as_of),
                         None)
    assert not result.rejects
    counts = {"gateway_elements": 10, "five_ess": 1, "slc": 5, "sm": 1, "dacs_ii": 1, "dacs_iv": 1}
    huge = price_city({"city": "Huge", "period": 2001, "hours": {"2001-10": str(hours)},
                       "counts": counts, "integration_sites": 10**6}, tables, as_of)
    big = price_city({"city": "Counts", "period": 2001, "counts": {
        **{name: most for name in counts}, "five_ess": 1}}, tables, as_of)
    assert [int(c) for c in result.cents["total"]] == [int(huge.total * 100), int(big.total * 100)]
    assert huge.total < values.AMOUNT_LIMIT
