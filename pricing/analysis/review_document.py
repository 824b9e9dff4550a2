"""The annual service level review as a printed page: one HTML document for `review -o FILE.pdf`.

It lays out the pack pricing.analysis.review computed and computes nothing but the counts of the summary
line: per city its levels, prices, hours and budget under headers a person reads, then beneath
it the six component counts at the start and end of the previous period (changed ones marked)
and the reason for its level, in the words the re-leveling rule gave.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html import escape

from pricing.rules.components import COMPONENTS
from pricing.analysis.review import CityReview, Review

LABELS = {"gateway_elements": "Gateway elements", "five_ess": "5ESS/VCDX", "slc": "SLC",
          "sm": "SM", "dacs_ii": "DACS II", "dacs_iv": "DACS IV"}
HEADERS = ("City", "Level before", "Level", "Annual price before", "Annual price", "Change",
           "Hours used", "Blocks they buy", "Budget before", "Budget")
_COMPONENT = re.compile(r"\b(" + "|".join(COMPONENTS) + r")\b")

STYLE = """
@page { size: Letter landscape; margin: 0.5in;
        @bottom-right { content: "Page " counter(page) " of " counter(pages);
                        font: 7pt 'DejaVu Sans'; } }
body { font: 8pt 'DejaVu Sans', sans-serif; color: #222; }
h1 { font-size: 12pt; margin: 0 0 2pt; }
p.sub { margin: 0 0 8pt; color: #555; }
table { border-collapse: collapse; width: 100%; }
th { text-align: left; border-bottom: 1px solid #333; padding: 2pt 4pt; vertical-align: bottom;
     white-space: nowrap; }
th.n, td.n { text-align: right; white-space: nowrap; }
td { padding: 2pt 4pt; vertical-align: top; }
tr.main td { white-space: nowrap; }
tbody.city { page-break-inside: avoid; }
tr.main td { border-top: 0.5pt solid #bbb; font-weight: bold; }
tr.detail td { color: #444; padding-bottom: 4pt; }
span.changed { font-weight: bold; color: #000; }
tfoot td { border-top: 1px solid #333; font-weight: bold; }
p.summary { margin-top: 8pt; }
"""


def _money(value: Decimal) -> str:
    return f"{value:,}"


def _signed(value: Decimal) -> str:
    return f"{value:+,}" if value else "0.00"


def readable(text: str) -> str:
    """A reason as a person reads it: component ids (gateway_elements) by their names."""
    return _COMPONENT.sub(lambda m: LABELS[m.group(1)], text)


def _counts(city: CityReview) -> str:
    """The six counts, start and end of the previous period; a changed one marked."""
    def one(name: str) -> str:
        start = getattr(city.counts_start, name) if city.counts_start else None
        end = getattr(city.counts_end, name) if city.counts_end else None
        label = escape(LABELS[name])
        if start is None and end is None:
            return f"{label} no report"
        if start is None:
            return f"{label} (no report) &#8594; {end}"
        if end is None or end == start:
            return f"{label} {start}"
        return f'<span class="changed">{label} {start} &#8594; {end}</span>'

    return " &#183; ".join(one(name) for name in COMPONENTS)


def _city(city: CityReview) -> str:
    numbers = [city.price_before, city.price, city.price - city.price_before, city.hours_used,
               city.forecast_blocks, city.budget_before, city.budget]
    shown = [_money(numbers[0]), _money(numbers[1]), _signed(numbers[2]), f"{numbers[3]:,}",
             str(numbers[4]), _money(numbers[5]), _money(numbers[6])]
    main = ([f"<td>{escape(city.city)}</td>", f"<td>{escape(city.previous_level or 'new')}</td>",
             f"<td>{escape(city.level)}</td>"] + [f'<td class="n">{v}</td>' for v in shown])
    changed = (f"Changed: {escape(', '.join(LABELS[c] for c in city.changed))}. "
               if city.changed else "")
    detail = (f'<td></td><td colspan="{len(HEADERS) - 1}">Counts at the start and end of the '
              f"previous period: {_counts(city)}<br>{changed}Why: "
              f"{escape(readable(city.reason))}</td>")
    return (f'<tbody class="city"><tr class="main">{"".join(main)}</tr>'
            f'<tr class="detail">{detail}</tr></tbody>')


def review_html(pack: Review, title: str) -> str:
    """The review pack as one HTML document (WeasyPrint prints it)."""
    head = "".join(f'<th class="n">{escape(h)}</th>' if i >= 3 else f"<th>{escape(h)}</th>"
                   for i, h in enumerate(HEADERS))
    totals = pack.totals
    foot = ("<td>Total</td><td></td><td></td>"
            + "".join(f'<td class="n">{v}</td>' for v in (
                _money(totals["price_before"]), _money(totals["price"]),
                _signed(totals["price"] - totals["price_before"]), "", "",
                _money(totals["budget_before"]), _money(totals["budget"]))))
    moved = sum(1 for c in pack.cities if c.previous_level and c.level != c.previous_level)
    changed = sum(1 for c in pack.cities if c.changed)
    summary = (f"{len(pack.cities)} cities; {changed} with components changed in the previous "
               f"period; {moved} change level. Budget {_money(totals['budget'])} against "
               f"{_money(totals['budget_before'])} ({_signed(totals['budget_change'])}).")
    sub = ("Each city's level for the period, by the re-leveling rule, from its component counts "
           "at the start and end of the previous period; the annual price before and after; the "
           "hours used in the previous period and the prepaid blocks the same hours buy in this "
           "one; the budget (annual price and hours) against the previous period's.")
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>" + escape(title)
            + f"</title><style>{STYLE}</style></head><body><h1>{escape(title)}</h1>"
            + f'<p class="sub">{escape(sub)}</p><table><thead><tr>{head}</tr></thead>'
            + "".join(_city(c) for c in pack.cities)
            + f"<tfoot><tr>{foot}</tr></tfoot></table>"
            + f'<p class="summary">{escape(summary)}</p></body></html>')

