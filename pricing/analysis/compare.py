"""Compare two quotes for a city element by element, as GA Amendment 3 Exhibit C does ("OLD
TDM" against "NEW QUOTES", 004 L868-888), and check each stated figure against its own lines.

A quote is a list of lines (element, amount, kind) with kind one of:
  element   a priced element (equipment at a location)
  fee       a fee (Fees/Make Ready)
  shipping  shipping, stated; computed at the rate on element and fee lines when not given
  subtotal  elements + fees + shipping, as stated
  machine   the switching machine, outside the subtotal and not shipped
  total     subtotal + machine, as stated
Reductions are (new - old) / old in percent, two places, as the exhibit prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pricing.fileio.csvfile import read_records
from pricing.errors import PricingError, Problem, ProblemsError
from pricing.money import round_cents
from pricing.values import parse_amount, parse_decimal

KINDS = ("element", "fee", "shipping", "subtotal", "machine", "total")
HUNDRED = Decimal(100)
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class QuoteLine:
    element: str
    amount: Decimal
    kind: str


@dataclass(frozen=True)
class Figure:
    """A figure of a quote: what the document states (None if it states nothing) and what
    follows from the quote's own lines."""

    stated: Decimal | None
    computed: Decimal

    @property
    def value(self) -> Decimal:
        return self.stated if self.stated is not None else self.computed

    @property
    def difference(self) -> Decimal:
        """stated - computed (zero when nothing is stated)."""
        return ZERO if self.stated is None else self.stated - self.computed


@dataclass(frozen=True)
class Reconciled:
    """One quote's totals: shipping, subtotal, grand total, each stated and computed.

    The subtotal is computed from the stated shipping (when stated), so one wrong figure is
    reported once, where it is wrong; the total likewise from the stated subtotal.
    """

    elements: tuple[QuoteLine, ...]
    fees: tuple[QuoteLine, ...]
    machines: tuple[QuoteLine, ...]
    shipping: Figure
    subtotal: Figure
    total: Figure
    shipping_base: Decimal
    elements_only: Decimal


def _stated(lines: list[QuoteLine], kind: str, where: str) -> Decimal | None:
    found = [l for l in lines if l.kind == kind]
    if len(found) > 1:
        raise PricingError(f"{where}: more than one {kind} line")
    return found[0].amount if found else None


def reconcile(lines: list[QuoteLine], shipping_rate: Decimal, where: str = "quote") -> Reconciled:
    elements = tuple(l for l in lines if l.kind == "element")
    fees = tuple(l for l in lines if l.kind == "fee")
    machines = tuple(l for l in lines if l.kind == "machine")
    elements_only = sum((l.amount for l in elements), ZERO)
    base = elements_only + sum((l.amount for l in fees), ZERO)
    shipping = Figure(_stated(lines, "shipping", where), round_cents(base * shipping_rate))
    subtotal = Figure(_stated(lines, "subtotal", where), base + shipping.value)
    total = Figure(_stated(lines, "total", where),
                   subtotal.value + sum((l.amount for l in machines), ZERO))
    return Reconciled(elements, fees, machines, shipping, subtotal, total, base, elements_only)


def reduction(old: Decimal, new: Decimal) -> Decimal | None:
    """(new - old) / old in percent, two places, half-up; None when old is zero."""
    if old == 0:
        return None
    return ((new - old) / old * HUNDRED).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


@dataclass(frozen=True)
class ComparisonRow:
    line: str
    kind: str
    old: Decimal | None
    new: Decimal | None

    @property
    def reduction(self) -> Decimal | None:
        if self.old is None or self.new is None:
            return None
        return reduction(self.old, self.new)

    def as_dict(self) -> dict:
        return {"line": self.line, "kind": self.kind,
                "old": None if self.old is None else str(self.old),
                "new": None if self.new is None else str(self.new),
                "reduction_pct": None if self.reduction is None else str(self.reduction)}


@dataclass(frozen=True)
class Discrepancy:
    """A stated figure that does not follow from its own quote's lines."""

    quote: str
    figure: str
    stated: Decimal
    computed: Decimal
    note: str

    @property
    def difference(self) -> Decimal:
        return self.stated - self.computed

    def __str__(self) -> str:
        return (f"{self.quote} {self.figure}: stated {self.stated:,}, its lines give "
                f"{self.computed:,} (difference {self.difference:+,}){self.note}")

    def as_dict(self) -> dict:
        return {"quote": self.quote, "figure": self.figure, "stated": str(self.stated),
                "computed": str(self.computed), "difference": str(self.difference),
                "note": self.note.strip("; ")}


@dataclass(frozen=True)
class Comparison:
    rows: tuple[ComparisonRow, ...]
    old: Reconciled
    new: Reconciled
    shipping_rate: Decimal
    discrepancies: tuple[Discrepancy, ...]

    def as_dict(self) -> dict:
        return {"shipping_rate": str(self.shipping_rate), "rows": [r.as_dict() for r in self.rows],
                "discrepancies": [d.as_dict() for d in self.discrepancies]}


def _discrepancies(name: str, quote: Reconciled, rate: Decimal) -> list[Discrepancy]:
    found = []
    for figure, value in (("shipping", quote.shipping), ("subtotal", quote.subtotal),
                          ("total", quote.total)):
        if value.stated is not None and value.difference != 0:
            note = ""
            if figure == "shipping" and abs(quote.elements_only * rate - value.stated) < 1:
                note = (f"; it is {(rate * HUNDRED).normalize()}% of the element lines alone "
                        f"({quote.elements_only:,}), leaving the fees out of the base")
            found.append(Discrepancy(name, figure, value.stated, value.computed, note))
    return found


def compare_quotes(old: list[QuoteLine], new: list[QuoteLine], *,
                   shipping_rate: Decimal) -> Comparison:
    """Line by line comparison, totals, and every stated figure that does not reconcile.
    Stated figures are compared with amounts in cents: the exhibit states whole dollars, so a
    computed $264,577.10 against a stated $264,577 is within rounding to the dollar and not
    reported; a difference of a dollar or more is."""
    old_r, new_r = reconcile(old, shipping_rate, "old"), reconcile(new, shipping_rate, "new")
    names: list[tuple[str, str]] = []
    for line in list(old_r.elements + old_r.fees) + list(new_r.elements + new_r.fees):
        if (line.element, line.kind) not in names:
            names.append((line.element, line.kind))
    amount = lambda quote, name: next((l.amount for l in quote if l.element == name), None)
    rows = [ComparisonRow(name, kind, amount(old, name), amount(new, name)) for name, kind in names]
    rows.append(ComparisonRow("Shipping", "shipping", old_r.shipping.value, new_r.shipping.value))
    rows.append(ComparisonRow("Subtotal", "subtotal", old_r.subtotal.value, new_r.subtotal.value))
    machine_names = []
    for line in old_r.machines + new_r.machines:
        if line.element not in machine_names:
            machine_names.append(line.element)
    rows += [ComparisonRow(n, "machine", amount(old, n), amount(new, n)) for n in machine_names]
    rows.append(ComparisonRow("Grand Total", "total", old_r.total.value, new_r.total.value))
    discrepancies = [d for d in _discrepancies("old", old_r, shipping_rate)
                     + _discrepancies("new", new_r, shipping_rate) if abs(d.difference) >= 1]
    return Comparison(tuple(rows), old_r, new_r, shipping_rate, tuple(discrepancies))


def read_quote(path: str | Path) -> list[QuoteLine]:
    """A quote CSV: element, amount, kind; every bad row reported."""
    problems, lines = [], []
    for row, cells in read_records(path, ("element", "amount", "kind")):
        kind = cells["kind"].lower()
        if kind not in KINDS:
            problems.append(Problem(str(path), row, "kind",
                                    f"expected one of {', '.join(KINDS)}, got {cells['kind']!r}"))
            continue
        try:
            parse_amount(cells["amount"], positive=False)    # zero or more, cents, bounded
            amount = parse_decimal(cells["amount"])            # as written: 2816827, not .00
        except ValueError as error:
            problems.append(Problem(str(path), row, "amount", str(error)))
            continue
        lines.append(QuoteLine(cells["element"], amount, kind))
    if problems:
        raise ProblemsError(problems, f"{path}: {len(problems)} problem(s)")
    return lines
