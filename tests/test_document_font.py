"""Text a document cannot print is refused at input, naming the character, before anything is
recorded: a city or bill-to in the cities file, a reason for a credit or a dispute, a user name.

The documents are set in DejaVu Sans 2.37 (regular and bold). It draws Latin, Greek and
Cyrillic, and even a few emoji (U+1F600 GRINNING FACE), but no CJK ideograph and not U+1F642
SLIGHTLY SMILING FACE: those print as the font's empty box.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from invoices.ledger import schema as s
from invoices.ledger.store import Ledger
from pricing import document_font
from pricing.cli import app
from pricing.document_font import font_problem, undrawable

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
HEADER = "city,bill_to,gateway_elements,five_ess,slc,sm,dacs_ii,dacs_iv,level\n"
runner = CliRunner()


@pytest.mark.parametrize("text", [
    "Huntsville AL", "Montréal QC", "Zürich", "Москва", "Αθήνα", "Łódź", "São Paulo",
    "O'Brien & Sons, Inc.", "Grin \U0001F600", "Müller – Café €5",
])
def test_text_the_font_draws_passes(text):
    assert font_problem(text) is None and undrawable(text) == []


@pytest.mark.parametrize("text, named", [
    ("Café \U0001F642", "a character the documents' font (DejaVu Sans) cannot print: "
                        "U+1F642 SLIGHTLY SMILING FACE; it would print as an empty box"),
    ("北京 Beijing", "characters the documents' font (DejaVu Sans) cannot print: "
                     "U+5317 CJK UNIFIED IDEOGRAPH-5317, U+4EAC CJK UNIFIED IDEOGRAPH-4EAC; "
                     "each would print as an empty box"),
    ("서울", "U+C11C HANGUL SYLLABLE SEO, U+C6B8 HANGUL SYLLABLE UL"),
    ("\U0001F44D\U0001F44D\U0001F389\U0001F355\U0001F680\U0001F44D",
     "U+1F44D THUMBS UP SIGN, U+1F389 PARTY POPPER, U+1F355 SLICE OF PIZZA and 1 more"),
    ("Ｈuntsville", "U+FF28 FULLWIDTH LATIN CAPITAL LETTER H"),
])
def test_text_the_font_cannot_draw_is_named(text, named):
    assert named in font_problem(text)


def test_the_table_is_the_installed_fonts_cmap():
    """pricing/document_font_ranges.py is what tools/font_coverage.py makes of the fonts the
    stylesheet names (regenerate it when they change)."""
    if shutil.which("fc-match") is None:
        pytest.skip("fontconfig is not installed")
    spec = importlib.util.spec_from_file_location("font_coverage", REPO / "tools" / "font_coverage.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    files = tool.font_files()
    if not all(path.name.startswith("DejaVuSans") for path in files):
        pytest.skip(f"DejaVu Sans is not installed (fontconfig gives {files})")
    assert (REPO / "pricing" / "document_font_ranges.py").read_text() == tool.module_text(files)
    assert 0x1F600 in document_font._drawable() and 0x1F642 not in document_font._drawable()


def inked(path: Path) -> tuple[bytes, ...]:
    """The rows of a 60 x 60 grey page rendered by pdftoppm, cropped to where it is inked (so a
    glyph drawn a little higher or lower is the same glyph)."""
    data = path.read_bytes().split(b"\n", 3)[3]
    rows = [bytes(0 if b < 128 else 1 for b in data[i * 60:(i + 1) * 60]) for i in range(60)]
    inked_rows = [i for i, row in enumerate(rows) if 0 in row]
    columns = [j for j in range(60) if any(row[j] == 0 for row in rows)]
    if not inked_rows:
        return ()
    return tuple(row[columns[0]:columns[-1] + 1] for row in rows[inked_rows[0]:inked_rows[-1] + 1])


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_a_refused_character_prints_as_the_fonts_empty_box_and_an_accepted_one_does_not(tmp_path):
    """Rendered as a document renders: U+1F642 (refused) draws the same pixels as a private-use
    character no font has, the font's box; U+1F600 (accepted) and U+00E9 draw glyphs."""
    from invoices.documents.pdf import pdf_bytes

    chars = ["\ue000", "\U0001F642", "\u4eac", "\U0001F600", "é"]
    pages = "".join(f'<p style="break-before: page">{c}</p>' for c in chars)
    html = (f'<html><head><style>p {{ font: 40pt "DejaVu Sans"; margin: 0 }} '
            f'@page {{ size: 60pt 60pt; margin: 5pt }}</style></head><body>{pages}</body></html>')
    (tmp_path / "chars.pdf").write_bytes(pdf_bytes(html))
    subprocess.run(["pdftoppm", "-gray", "-r", "72", str(tmp_path / "chars.pdf"),
                    str(tmp_path / "page")], check=True)
    bitmaps = [inked(path) for path in sorted(tmp_path.glob("page-*.pgm"))]
    box = bitmaps[0]
    assert len(bitmaps) == 5 and len(box) > 10                    # something is drawn
    assert bitmaps[1] == box and bitmaps[2] == box                # refused: the box
    assert bitmaps[3] != box and bitmaps[4] != box                # accepted: a glyph
    assert [bool(undrawable(c)) for c in chars] == [True, True, True, False, False]


def ledger_counts(path: Path) -> dict[str, int]:
    with Ledger(path, mode="open") as ledger, ledger.read() as conn:
        return {table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (s.invoices, s.credits, s.disputes, s.payments)}


def invoke(tmp_path: Path, *args: str, user: str | None = "Ann"):
    env = {"PRICING_LEDGER": str(tmp_path / "ledger.sqlite3")}
    if user is not None:
        env["PRICING_USER"] = user
    return runner.invoke(app, list(args), env=env)


def test_a_cities_file_naming_an_unprintable_city_or_bill_to_is_refused_before_any_ledger(
        tmp_path):
    cities = tmp_path / "cities.csv"
    cities.write_text(HEADER + 'Huntsville AL,"KMC Telecom II, Inc.",12,1,6,1,1,1,\n'
                               'Café \U0001F642 GA,"KMC Telecom II, Inc.",12,1,6,1,1,1,\n'
                               '北京,"KMC Telecom II, Inc.",12,1,6,1,1,1,\n'
                               'Augusta GA,"KMC Telecom \U0001F680, Inc.",12,1,6,1,1,1,\n',
                      encoding="utf-8")
    result = invoke(tmp_path, "invoice", "run", "--month", "2001-04", "--cities", str(cities),
                    "--no-hours", "--out", str(tmp_path / "out"))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and "3 problem(s)" in result.output
    assert (f"{cities}, row 3, column city: the name holds a character the documents' font "
            f"(DejaVu Sans) cannot print: U+1F642 SLIGHTLY SMILING FACE") in result.output
    assert (f"{cities}, row 4, column city: the name holds characters the documents' font "
            f"(DejaVu Sans) cannot print: U+5317 CJK UNIFIED IDEOGRAPH-5317, "
            f"U+4EAC CJK UNIFIED IDEOGRAPH-4EAC") in result.output
    assert f"{cities}, row 5, column bill_to: the name holds a character" in result.output
    assert "U+1F680 ROCKET" in result.output
    assert not (tmp_path / "ledger.sqlite3").exists() and not (tmp_path / "out").exists()


def issued(tmp_path: Path):
    made = invoke(tmp_path, "invoice", "run", "--month", "2001-04",
                  "--cities", str(EXAMPLES / "invoice_cities.csv"),
                  "--hours", str(EXAMPLES / "invoice_hours.csv"),
                  "--events", str(EXAMPLES / "invoice_events.csv"), "--out", str(tmp_path / "out"))
    assert made.exit_code == 0, made.output
    return ledger_counts(tmp_path / "ledger.sqlite3")


@pytest.mark.parametrize("args, option, named", [
    (["ar", "credit", "1", "100", "--date", "2001-05-02", "--reason", "thanks \U0001F642"],
     "--reason", "U+1F642 SLIGHTLY SMILING FACE"),
    (["ar", "dispute", "1", "100", "--date", "2001-05-02", "--reason", "数量不对"],
     "--reason", "U+6570 CJK UNIFIED IDEOGRAPH-6570"),
    (["ar", "pay", "1", "100", "--date", "2001-05-03", "--user", "李雷"],
     "--user", "U+674E CJK UNIFIED IDEOGRAPH-674E, U+96F7 CJK UNIFIED IDEOGRAPH-96F7"),
])
def test_a_reason_or_a_user_name_the_documents_cannot_print_is_refused_and_nothing_recorded(
        tmp_path, args, option, named):
    before = issued(tmp_path)
    result = invoke(tmp_path, *args, "--out", str(tmp_path / "c")) if args[1] == "credit" \
        else invoke(tmp_path, *args)
    said = " ".join(result.output.replace("│", " ").split())        # unwrapped from the box
    assert result.exit_code == 2, result.output
    assert "Traceback" not in said
    assert f"Invalid value for '{option}'" in said and named in said and "cannot print" in said
    assert ledger_counts(tmp_path / "ledger.sqlite3") == before
    assert not (tmp_path / "c").exists()


def test_a_login_name_the_documents_cannot_print_is_refused_with_a_way_out(tmp_path,
                                                                         monkeypatch):
    issued(tmp_path)
    before = ledger_counts(tmp_path / "ledger.sqlite3")
    monkeypatch.setattr("getpass.getuser", lambda: "Bob \U0001F642")
    result = invoke(tmp_path, "ar", "pay", "1", "100", "--date", "2001-05-03", user=None)
    said = " ".join(result.output.replace("│", " ").split())
    assert result.exit_code == 1, result.output
    assert "U+1F642 SLIGHTLY SMILING FACE" in said and "--user NAME" in said
    assert ledger_counts(tmp_path / "ledger.sqlite3") == before
