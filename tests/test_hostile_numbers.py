"""Hostile numbers (issue 30, point 1): a value that does not fit is refused as typed, never
wrapped. pyarrow's string-to-decimal cast wraps modulo 2^128, so a batch hours column of plain
digits once priced 2^128 hours as 0 and 2^128 + 1500 as one block, exit 0."""

from __future__ import annotations

import csv
from decimal import Decimal

from hypothesis import HealthCheck, given, settings, strategies as st
from typer.testing import CliRunner

from pricing.cli import app
from pricing.values import parse_hours

runner = CliRunner()
HEADER = "city,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv,hours\n"


def batch(tmp_path, hours: list[str], *extra: str):
    source = tmp_path / "cities.csv"
    source.write_text(HEADER + "".join(f"City {i},20,1,10,1,1,1,{h}\n" for i, h in enumerate(hours)))
    out = tmp_path / "priced.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(out), "--as-of", "2001-01-01", *extra])
    priced = {r["city"]: r for r in csv.DictReader(out.open())} if out.exists() else {}
    rejects = tmp_path / "priced.rejects.csv"
    rejected = {r["city"]: r["reason"] for r in csv.DictReader(rejects.open())} if rejects.exists() else {}
    return result, priced, rejected


def test_hours_of_2_to_the_128_are_refused_not_wrapped(tmp_path):
    wrapped = str(2 ** 128)
    result, priced, rejected = batch(tmp_path, [wrapped, str(2 ** 128 + 1500), "1500"])
    assert result.exit_code == 1
    assert set(priced) == {"City 2"} and priced["City 2"]["hours_charge"] == "121500.00"
    # The value as typed (all 39 digits of 2^128 = 340282366920938463463374607431768211456).
    assert rejected["City 0"] == f"hours: expected hours below 100,000,000, got '{wrapped}..."
    assert "-1.0000" not in "".join(rejected.values())


def test_a_200_digit_cell_is_shown_as_typed(tmp_path):
    _, _, rejected = batch(tmp_path, ["1" + "0" * 199, "5"])
    assert "got '1000000000" in rejected["City 0"] and "(200 characters)" in rejected["City 0"]


plain_hours = st.builds(lambda whole, places: whole + (("." + places) if places else ""),
                        st.text("0123456789", min_size=1, max_size=45),
                        st.text("0123456789", max_size=6))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(plain_hours, min_size=1, max_size=3))
def test_batch_reads_plain_hours_exactly_as_the_one_hours_parser(tmp_path_factory, cells):
    tmp_path = tmp_path_factory.mktemp("hours")
    _, priced, rejected = batch(tmp_path, cells)
    for index, text in enumerate(cells):
        city = f"City {index}"
        try:
            expected = parse_hours(text)
        except ValueError:
            assert city in rejected and city not in priced, (text, priced.get(city))
            continue
        assert city in priced, (text, rejected.get(city))
        assert Decimal(priced[city]["hours"]) == expected
