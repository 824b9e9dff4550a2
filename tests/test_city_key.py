"""One city, one key (issue 30, points 2, 3 and 6; design rule 9): NFKC, case, spaces,
punctuation and look-alike letters (the UTS #39 skeleton) never make a second city, and a name
mixing scripts is refused."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings, strategies as st
from sqlalchemy import update
from typer.testing import CliRunner

from invoices.ledger import schema
from invoices.ledger.chain import drop_triggers
from invoices.ledger.store import Ledger
from pricing.city_key import city_key, script_problem, skeleton_key
from pricing.cli import app

runner = CliRunner()
HEADER = "city,bill_to,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv,level\n"
III = '"KMC Telecom III, Inc."'


@pytest.mark.parametrize("spelling", [
    "Huntsville AL", "huntsville al", " Huntsville   AL ", "HUNTSVILLE AL",
    "\uff28untsville AL",              # fullwidth H
    "Huntsvi11e AL",                   # digit one for letter l (UTS #39 skeleton)
    "Huntsville, AL", "Huntsville AL.",
])
def test_spellings_of_one_city_share_its_key(spelling):
    assert city_key(spelling) == city_key("Huntsville AL")


@pytest.mark.parametrize("one, other", [
    ("Montr\u00e9al QC", "Montre\u0301al QC"),      # NFC and NFD
    ("Montr\u00e9al QC", "Montr\u00e9al, QC"),
    ("Montr\u00e9al QC", "Montr\u00e9al QC."),
    ("Montr\u00e9al QC", "MONTR\u00c9AL QC"),
])
def test_non_ascii_spellings_share_a_key(one, other):
    assert city_key(one) == city_key(other)


@pytest.mark.parametrize("one, other", [
    ("Huntsville AL", "Huntsville TX"), ("Mobile AL", "Montgomery AL"),
    ("Montr\u00e9al QC", "Montreal QC"),          # an accent is a letter, not a look-alike
])
def test_different_cities_keep_different_keys(one, other):
    assert city_key(one) != city_key(other)


@pytest.mark.parametrize("name, scripts", [
    ("Huntsvill\u0435 AL", "Latin and Cyrillic"),        # Cyrillic small ie
    ("\u041c\u043e\u0441\u043a\u0432\u0430 AL", "Cyrillic and Latin"),
])
def test_a_name_mixing_scripts_is_refused(name, scripts):
    assert f"the name mixes scripts ({scripts})" in script_problem(name)


@pytest.mark.parametrize("name", ["Huntsville AL", "\u041c\u043e\u0441\u043a\u0432\u0430",
                                  "\u6771\u4eac\u90fd", "Montr\u00e9al QC", "\uff28untsville AL"])
def test_a_name_in_one_script_is_accepted(name):
    assert script_problem(name) is None


@settings(deadline=None)
@given(st.text(string.printable, max_size=30))
def test_the_ascii_shortcut_agrees_with_icu(name):
    assert city_key(name) == skeleton_key(name)


def pricing(tmp_path, *args):
    return runner.invoke(app, [*args, "--ledger", str(tmp_path / "ledger.sqlite3")])


def run(tmp_path, month, *rows, hours=None):
    cities = tmp_path / "cities.csv"
    cities.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    extra = ("--hours", str(hours)) if hours else ("--no-hours",)
    return pricing(tmp_path, "invoice", "run", "--month", month, "--cities", str(cities),
                   "--out", str(tmp_path / "out"), *extra)


@pytest.mark.parametrize("look_alike", ["Huntsville, AL", "Huntsville AL.", "Huntsvi11e AL"])
def test_a_look_alike_of_a_billed_city_is_refused_naming_it(tmp_path, look_alike):
    assert run(tmp_path, "2001-04", f"Huntsville AL,{III},20,1,10,1,1,1,Small").exit_code == 0
    refused = run(tmp_path, "2001-04", f'"{look_alike}",{III},20,1,10,1,1,1,Small')
    assert refused.exit_code == 1
    assert f"{look_alike!r} is billed in the ledger as 'Huntsville AL'" in refused.output
    assert pricing(tmp_path, "ledger", "check").exit_code == 0


def test_a_cyrillic_letter_in_a_city_is_refused_before_anything_is_recorded(tmp_path):
    refused = run(tmp_path, "2001-04", f"Huntsvill\u0435 AL,{III},20,1,10,1,1,1,Small")
    assert refused.exit_code == 1 and "mixes scripts (Latin and Cyrillic)" in refused.output
    assert "row 2, column city" in refused.output
    assert not (tmp_path / "ledger.sqlite3").exists()


def test_an_nfd_city_in_the_hours_file_is_the_cities_files_city(tmp_path):
    hours = tmp_path / "hours.csv"
    hours.write_text("city,month,hours\nMontre\u0301al QC,2001-04,1600\n", encoding="utf-8")
    done = run(tmp_path, "2001-04", f"Montr\u00e9al QC,{III},20,1,10,1,1,1,Small", hours=hours)
    assert done.exit_code == 0, done.output
    # 1,600 h in April (month 7): two 1500-hour blocks, $243,000, beside Small's $16,500.
    assert "259,500.00" in done.output


@pytest.mark.breaks_ledger
def test_ledger_check_finds_one_city_under_two_spellings(tmp_path):
    assert run(tmp_path, "2001-04", f"Huntsville AL,{III},20,1,10,1,1,1,Small",
               f"Mobile AL,{III},20,1,10,1,1,1,Small").exit_code == 0
    with Ledger(tmp_path / "ledger.sqlite3", "write") as ledger, ledger.write() as conn:
        drop_triggers(conn)                                          # as anyone holding the file can
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")     # renamed behind the tool's back
        for table in (schema.city_months, schema.city_periods, schema.lines):
            conn.execute(update(table).where(table.c.city == "Mobile AL")
                         .values(city="HUNTSVILLE, AL"))
    checked = pricing(tmp_path, "ledger", "check")
    assert checked.exit_code == 1
    assert ("'HUNTSVILLE, AL' and 'Huntsville AL' are one city billed under 2 spellings"
            in checked.output)


# --- Batch: the same key, vectorized -----------------------------------------------------------

names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20) | \
    st.text(string.printable, max_size=20)


@settings(deadline=None)
@given(st.lists(names, max_size=30))
def test_batch_keys_are_the_scalar_keys(values):
    import pyarrow as pa

    from pricing.batch.keys import city_keys

    assert city_keys(pa.array(values, pa.string())).to_pylist() == [city_key(v) for v in values]


def test_batch_prices_one_city_once_however_spelled_and_refuses_control_characters(tmp_path):
    import csv

    source = tmp_path / "cities.csv"
    spellings = ["Huntsville AL", "huntsville al", " Huntsville AL ", "Huntsville, AL",
                 "Montr\u00e9al QC", "Montre\u0301al QC", "Bad\x1bName", "Nul\x00Name",
                 "Huntsvill\u0435 TX"]
    source.write_text("city,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv\n" + "".join(
        f'"{name}",20,1,10,1,1,1\n' for name in spellings), encoding="utf-8")
    out = tmp_path / "priced.csv"
    result = runner.invoke(app, ["batch", str(source), "-o", str(out), "--as-of", "2001-01-01"])
    assert result.exit_code == 1
    priced = [r["city"] for r in csv.DictReader(out.open(encoding="utf-8"))]
    assert priced == ["Huntsville AL", "Montr\u00e9al QC"]       # two cities: $396,000, not more
    rejects = {int(r["row"]): (r["city"], r["reason"])
               for r in csv.DictReader((tmp_path / "priced.rejects.csv").open(encoding="utf-8"))}
    assert [rejects[row][1] for row in (3, 4, 5)] == ["city: duplicate name (first on row 2)"] * 3
    assert rejects[7] == ("Montre\u0301al QC", "city: duplicate name (first on row 6)")
    assert rejects[8][0] == "Bad\\x1bName" and "U+001B" in rejects[8][1]
    assert rejects[9][0] == "Nul\\x00Name" and "U+0000" in rejects[9][1]
    assert "mixes scripts (Latin and Cyrillic)" in rejects[10][1]
    assert "\x1b" not in out.read_text(encoding="utf-8")


def test_an_author_typed_in_nfd_or_nfc_is_one_author():
    from pricing.values import user_name

    assert user_name("Jose\u0301") == user_name("Jos\u00e9") == "Jos\u00e9"


def test_a_fullwidth_spelling_of_a_billed_city_is_refused(tmp_path):
    # Ｈuntsville AL keys as Huntsville AL; the documents' font cannot print U+FF28 either, and
    # that refusal comes first (at the cities file's row, before the ledger is read).
    assert run(tmp_path, "2001-04", f"Huntsville AL,{III},20,1,10,1,1,1,Small").exit_code == 0
    refused = run(tmp_path, "2001-04", f"\uff28untsville AL,{III},20,1,10,1,1,1,Small")
    assert refused.exit_code == 1 and "U+FF28" in refused.output
    assert "1 invoice(s)" not in refused.output
