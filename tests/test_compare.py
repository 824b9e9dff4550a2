"""compare_quotes on GA Amendment 3 Exhibit C (004 L868-888), every figure checked by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pricing.cli import app
from pricing.analysis.compare import QuoteLine, compare_quotes, read_quote, reduction
from pricing.errors import ProblemsError

D = Decimal
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
RATE = D("0.05")
runner = CliRunner()


@pytest.fixture
def exhibit():
    return compare_quotes(read_quote(EXAMPLES / "exhibit_c_old.csv"),
                          read_quote(EXAMPLES / "exhibit_c_new.csv"), shipping_rate=RATE)


# (line, old, new, reduction as printed in the exhibit)
EXHIBIT_C = [
    ("KMC Central Office", 2816827, 2567658, "-8.85"),      # -249,169 / 2,816,827 = -8.8457%
    ("ILEC Tandem", 483473, 422106, "-12.69"),
    ("LSO Cob", 966946, 844212, "-12.69"),
    ("AT&T Cob", 123476, 122350, "-0.91"),
    ("MCI Cob", 200410, 146926, "-26.69"),
    ("IXC Cob", 200410, 146926, "-26.69"),
    ("Fees/Make Ready", 500000, 500000, "0.00"),
    ("Shipping", 264577, 212509, "-19.68"),
    ("Subtotal", 5556119, 4962687, "-10.68"),
    ("Switching Machine", 2551741, 1950000, "-23.58"),
    ("Grand Total", 8107860, 6912687, "-14.74"),            # -1,195,173 / 8,107,860 = -14.7409%
]


def test_every_line_and_reduction_matches_the_exhibit(exhibit):
    assert [(r.line, r.old, r.new, str(r.reduction)) for r in exhibit.rows] == \
        [(line, D(old), D(new), pct) for line, old, new, pct in EXHIBIT_C]


def test_old_column_reconciles(exhibit):
    # 5% x (4,791,542 + 500,000) = 264,577.10, stated 264,577 (whole dollars);
    # 4,791,542 + 500,000 + 264,577 = 5,556,119; + 2,551,741 = 8,107,860.
    assert exhibit.old.shipping.computed == D("264577.10")
    assert exhibit.old.subtotal.computed == D("5556119")
    assert exhibit.old.total.computed == D("8107860")


def test_new_shipping_is_the_one_figure_that_does_not_reconcile(exhibit):
    # 5% x (4,250,178 + 500,000) = 237,508.90 against 212,509 stated: -24,999.90. The stated
    # figure is 5% of the equipment alone (212,508.90): the fees were left out of the base.
    (d,) = exhibit.discrepancies
    assert (d.quote, d.figure, d.stated, d.computed, d.difference) == (
        "new", "shipping", D("212509"), D("237508.90"), D("-24999.90"))
    assert "5% of the element lines alone (4,250,178.00)" in str(d)
    # The new subtotal and total do follow from the stated shipping.
    assert exhibit.new.subtotal.difference == 0 and exhibit.new.total.difference == 0


def test_shipping_computed_when_not_stated():
    old = [QuoteLine("A", D(1000), "element"), QuoteLine("Fee", D(100), "fee"),
           QuoteLine("M", D(500), "machine")]
    new = [QuoteLine("A", D(800), "element"), QuoteLine("Fee", D(100), "fee"),
           QuoteLine("M", D(400), "machine")]
    result = compare_quotes(old, new, shipping_rate=RATE)
    rows = {r.line: r for r in result.rows}
    # Shipping 5% x 1,100 = 55 and 5% x 900 = 45; totals 1,655 and 1,345: -18.73%.
    assert (rows["Shipping"].old, rows["Shipping"].new) == (D("55.00"), D("45.00"))
    assert (rows["Grand Total"].old, rows["Grand Total"].new, rows["Grand Total"].reduction) == (
        D("1655.00"), D("1345.00"), D("-18.73"))
    assert result.discrepancies == ()


def test_a_wrong_stated_total_is_reported():
    lines = [QuoteLine("A", D(1000), "element"), QuoteLine("Total", D(1100), "total")]
    (d,) = compare_quotes(lines, lines, shipping_rate=RATE).discrepancies[:1]
    assert (d.figure, d.computed, d.difference) == ("total", D("1050.00"), D("50.00"))


def test_reduction_rounds_half_up():
    assert reduction(D(8), D(7)) == D("-12.50")
    assert reduction(D(0), D(7)) is None


def test_bad_quote_file(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("element,amount,kind\nA,12x,element\nB,5,discount\n")
    with pytest.raises(ProblemsError) as caught:
        read_quote(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}, row 2, column amount: expected a number, got '12x'",
        f"{path}, row 3, column kind: expected one of element, fee, shipping, subtotal, machine, "
        f"total, got 'discount'"]


def test_cli_compare_csv_and_xlsx(tmp_path):
    from openpyxl import load_workbook

    args = ["compare", str(EXAMPLES / "exhibit_c_old.csv"), str(EXAMPLES / "exhibit_c_new.csv")]
    result = runner.invoke(app, args + ["--format", "csv"])
    assert result.exit_code == 1             # one figure does not reconcile
    assert "Grand Total,8107860,6912687,-14.74%" in result.output
    assert "does not reconcile: new shipping" in result.output
    out = tmp_path / "c.xlsx"
    assert runner.invoke(app, args + ["--format", "xlsx", "-o", str(out)]).exit_code == 1
    sheet = load_workbook(out, data_only=True)["Comparison"]
    assert sheet["A12"].value == "Grand Total" and sheet["D12"].value == pytest.approx(-0.1474)
