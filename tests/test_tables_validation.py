"""A bad or tampered tables directory is refused, with every problem at file, row, column."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from pricing.errors import MissingPriceError, ProblemsError
from pricing.tables import check_tables, load_tables
from tests.conftest import rehash


def _edit(directory: Path, relative: str, old: str, new: str) -> None:
    path = directory / relative
    text = path.read_text()
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1))


def _problems(directory: Path) -> list[str]:
    _, problems = check_tables(directory)
    return [str(p) for p in problems]


def test_bundled_tables_are_clean():
    assert _problems(Path(load_tables().directory)) == []


def test_edited_table_without_manifest_update_is_refused(tables_copy):
    _edit(tables_copy, "service_levels/1998-10-01.csv", "198000.00", "199000.00")
    problems = _problems(tables_copy)
    assert len(problems) == 1
    assert "MANIFEST.csv, row 8, column sha256" in problems[0]
    assert "service_levels/1998-10-01.csv does not match its recorded hash" in problems[0]
    with pytest.raises(ProblemsError):
        load_tables(tables_copy)


@pytest.mark.parametrize("relative, old, new, where, message", [
    ("service_levels/1998-10-01.csv", "Small,2,198000.00", "Small,2,-198000.00",
     "service_levels/1998-10-01.csv, row 3, column annual_price", "expected a price of zero or more"),
    ("service_levels/1998-10-01.csv", "Small,2,198000.00", "Small,2,lots",
     "service_levels/1998-10-01.csv, row 3, column annual_price", "expected a number, got 'lots'"),
    ("transmission_discounts/1999-11-15.csv", "DDM PLUS,,hardware,27,", "DDM PLUS,,hardware,127,",
     "transmission_discounts/1999-11-15.csv, row 2, column discount_pct",
     "expected a percentage from 0 to 100"),
    ("transmission_discounts/1999-11-15.csv", "DDM PLUS,,hardware,27,", "DDM PLUS,,hardware,,",
     "transmission_discounts/1999-11-15.csv, row 2, column unknown_reason",
     "must say why"),
    ("service_levels/1998-10-01.csv", "level,rank", "tier,rank",
     "service_levels/1998-10-01.csv, row 1, column level", "missing column"),
    ("service_levels/1998-10-01.csv", "dacs_iv_max\n", "dacs_iv_max,colour\n",
     "service_levels/1998-10-01.csv, row 1, column colour", "unknown column"),
    ("service_levels/1998-10-01.csv", "Medium,3,245000.00,26,35", "Medium,3,245000.00,24,35",
     "service_levels/1998-10-01.csv, row 4, column gateway_elements_min",
     "Medium starts at 24, overlapping Small (up to 25)"),
    ("service_levels/1998-10-01.csv", "Medium,3,245000.00,26,35,1,20", "Medium,3,245000.00,26,35,1,12",
     "service_levels/1998-10-01.csv, row 4, column slc_max",
     "Medium allows at most 12, less than the 15 of Small"),
    ("payment_terms/2001-04-16.csv", "PSA,20", "PSA,\"20",
     "payment_terms/2001-04-16.csv", "unparsable CSV"),
    ("agreements/1998-12-22.csv", "2003-03-05", "2003-02-30",
     "agreements/1998-12-22.csv, row 2, column expires", "expected a date YYYY-MM-DD"),
])
def test_bad_cell_is_reported_where_it_is(tables_copy, relative, old, new, where, message):
    _edit(tables_copy, relative, old, new)
    rehash(tables_copy)
    problems = _problems(tables_copy)
    assert any(where in p and message in p for p in problems), problems


def test_all_problems_reported_at_once(tables_copy):
    _edit(tables_copy, "service_levels/1998-10-01.csv", "198000.00", "-1")
    _edit(tables_copy, "optical_discounts/1999-11-15.csv", ",50,", ",150,")
    rehash(tables_copy)
    problems = _problems(tables_copy)
    assert len(problems) == 2
    assert "service_levels" in problems[0] and "optical_discounts" in problems[1]


def test_missing_file_is_reported(tables_copy):
    (tables_copy / "service_hours" / "1998-10-01.csv").unlink()
    problems = _problems(tables_copy)
    assert any("MANIFEST.csv, row 9, column file: service_hours/1998-10-01.csv does not exist" in p
               for p in problems), problems


def test_unlisted_file_is_reported(tables_copy):
    (tables_copy / "service_levels" / "2002-10-01.csv").write_text(
        (tables_copy / "service_levels" / "1998-10-01.csv").read_text())
    problems = _problems(tables_copy)
    assert any("service_levels/2002-10-01.csv: file is not listed in the manifest" in p
               for p in problems), problems


def test_two_versions_on_one_date_name_both_rows(tables_copy):
    manifest = tables_copy / "MANIFEST.csv"
    lines = manifest.read_text().splitlines()
    service_line = next(line for line in lines if line.startswith("service_levels,"))
    manifest.write_text("\n".join(lines + [service_line]) + "\n")
    problems = _problems(tables_copy)
    assert any("two versions of service_levels on 1998-10-01: rows 8 and 30" in p
               for p in problems), problems


def test_empty_table_file(tables_copy):
    (tables_copy / "one_time_services" / "1998-10-01.csv").write_text("")
    rehash(tables_copy)
    problems = _problems(tables_copy)
    assert any("one_time_services/1998-10-01.csv: empty file" in p for p in problems), problems


def test_asking_before_the_first_version_names_table_and_date(tables):
    with pytest.raises(MissingPriceError,
                       match="table service_levels has no version in force on 1998-09-30: "
                             "its first version takes effect 1998-10-01"):
        tables.rows("service_levels", dt.date(1998, 9, 30))


def test_a_new_version_is_picked_from_its_date(tables_copy):
    """A renegotiated price is a new version, not a code change."""
    old = tables_copy / "service_levels" / "1998-10-01.csv"
    (tables_copy / "service_levels" / "2002-10-01.csv").write_text(
        old.read_text().replace("163000.00", "170000.00"))
    with (tables_copy / "MANIFEST.csv").open("a") as handle:
        handle.write("service_levels,2002-10-01,service_levels/2002-10-01.csv,,Renegotiated\n")
    rehash(tables_copy)
    tables = load_tables(tables_copy)
    price = lambda on: tables.rows("service_levels", on)[0].annual_price
    assert str(price(dt.date(2002, 9, 30))) == "163000.00"
    assert str(price(dt.date(2002, 10, 1))) == "170000.00"
