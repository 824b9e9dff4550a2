"""How the library's results look in a notebook: small HTML tables instead of dataclass reprs.

Each result class's `_repr_html_` calls one function here (imported only then, so the core
stays light). Money is shown as the tool prints it (541,000.00), numbers right-aligned, and
each line's source as a small column (table and version) whose tooltip is the full citation.
Every value is escaped: a city named `<b>x</b>` shows as typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from html import escape

STYLE = ("<style>.kmc td,.kmc th{padding:2px 8px;text-align:left;vertical-align:top}"
         ".kmc .n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
         ".kmc .src{color:#777;font-size:85%}.kmc caption{text-align:left;font-weight:bold}"
         ".kmc tfoot td{font-weight:bold;border-top:1px solid #999}</style>")


def shown(value) -> str:
    """A value as the tool prints it: amounts with thousands separators, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def cell(value, numeric: bool = False, tooltip: str | None = None, css: str = "") -> str:
    classes = " ".join(c for c in ("n" if numeric else "", css) if c)
    attributes = (f' class="{classes}"' if classes else "") + \
                 (f' title="{escape(tooltip)}"' if tooltip else "")
    return f"<td{attributes}>{escape(shown(value))}</td>"


def source_cell(source) -> str:
    """A line's source: table and version shown, the citation as the tooltip."""
    if source is None:
        return "<td></td>"
    short = f"{source.table} {source.version.isoformat()}" if hasattr(source, "table") else str(source)
    return cell(short, tooltip=str(source), css="src")


def table(caption: str, columns: Sequence[str], rows: Iterable[Sequence[str]],
          numeric: Sequence[str] = (), footer: Sequence[str] | None = None) -> str:
    """An HTML table of already-rendered cells (`cell`, `source_cell`)."""
    head = "".join(f'<th class="n">{escape(c)}</th>' if c in numeric else f"<th>{escape(c)}</th>"
                   for c in columns)
    body = "".join(f"<tr>{''.join(r)}</tr>" for r in rows)
    foot = f"<tfoot><tr>{''.join(footer)}</tr></tfoot>" if footer else ""
    return (f'{STYLE}<table class="kmc"><caption>{escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>{foot}</table>")


def facts(pairs: Iterable[tuple[str, object]]) -> str:
    rows = "".join(f"<tr><th>{escape(k)}</th>{cell(v, isinstance(v, (Decimal, int)))}</tr>"
                   for k, v in pairs)
    return f'<table class="kmc">{rows}</table>'


def lines_html(caption: str, lines, total: Decimal, city: str | None = None) -> str:
    """Priced lines (pricing.rules.lines.Line or an invoice's lines) with their sources and total."""
    columns = (["city"] if city == "each" else []) + ["description", "quantity", "unit_price",
                                                      "amount", "source"]
    rows = []
    for line in lines:
        source = getattr(line, "source", None)
        rows.append(([cell(line.city)] if city == "each" else []) +
                    [cell(line.description), cell(line.quantity, True),
                     cell(line.unit_price, True), cell(line.amount, True),
                     source_cell(source) if not isinstance(source, str)
                     else cell(source.split(":")[0], tooltip=source, css="src")])
    blank = ["<td></td>"] * (len(columns) - 3)
    footer = ["<td>Total</td>"] + blank + [cell(total, True), "<td></td>"]
    return table(caption, columns, rows, ("quantity", "unit_price", "amount"), footer)


def quote_html(quote) -> str:
    head = facts([("city", quote.city), ("bill to", quote.bill_to),
                  ("annual period", f"{quote.period.start} to {quote.period.end}"),
                  ("as of", quote.as_of), ("level", quote.level.level),
                  ("why", quote.level_reason), ("total", quote.total)])
    return head + lines_html(f"Quote for {quote.city}", quote.lines, quote.total)


def level_html(choice) -> str:
    rows = [[cell(e.level), cell(e.component), cell(e.count, True), cell(e.limit, True)]
            for e in choice.decided_by]
    head = facts([("level", choice.level), ("annual price", choice.annual_price),
                  ("why", choice.reason)])
    source = f'<p class="kmc src" title="{escape(str(choice.source))}">source: ' \
             f"{escape(choice.source.table)} {choice.source.version.isoformat()}</p>"
    decided = table("Bounds of the level below that the counts break",
                    ["level", "component", "count", "limit"], rows, ("count", "limit")) \
        if rows else ""
    return STYLE + head + decided + source


def equipment_html(result) -> str:
    rows = [[cell(p.line.row, True), cell(p.discount.product), cell(p.line.kind),
             cell(p.line.quantity, True), cell(p.list_amount, True),
             cell(f"{p.discount.pct}%", True), cell(p.net_amount, True),
             cell(p.warranty.end), source_cell(p.discount.source)] for p in result.lines]
    footer = ["<td></td>", "<td>Total</td>", "<td></td>", "<td></td>",
              cell(result.total_list, True), "<td></td>", cell(result.total_net, True),
              "<td></td>", "<td></td>"]
    html = table("Equipment", ["row", "product", "kind", "quantity", "list_amount", "discount",
                               "net_amount", "warranty_end", "source"], rows,
                 ("row", "quantity", "list_amount", "discount", "net_amount"), footer)
    if result.rejects:
        html += table("Rejected lines", ["row", "reason"],
                      [[cell(r, True), cell(why)] for r, why in result.rejects], ("row",))
    return html


def packet_solution_html(check) -> str:
    head = facts([("verdict", check.verdict), ("7R/E price", check.price),
                  (check.compared_with, check.comparable_tdm),
                  ("saving", f"{check.saving_pct}%"), ("ceiling", check.ceiling),
                  ("installed on", check.installed_on)])
    rows = [[cell(w.component), cell(w.part), cell(w.installed_on),
             cell(w.months if w.months is not None else w.days, True), cell(w.end),
             cell(w.reason)] for w in check.warranties]
    return STYLE + head + table("Warranties", ["component", "part", "installed_on", "months",
                                               "warranty_end", "reason"], rows, ("months",))


def invoice_view_html(invoice) -> str:
    head = facts([("invoice", invoice.label), ("bill to", invoice.bill_to),
                  ("month", invoice.month), ("invoice date", invoice.invoice_date),
                  ("terms", invoice.terms), ("due date", invoice.due_date),
                  ("contract", invoice.contract), ("total", invoice.total)])
    return head + lines_html(f"Invoice {invoice.label}", invoice.lines, invoice.total, "each")


def table_set_html(tables, as_of: dt.date | None = None) -> str:
    as_of = as_of or dt.date.today()
    rows = []
    for name in tables.names:
        versions = tables.versions(name)
        in_force = [v for v in versions if v.effective_from <= as_of]
        current = in_force[-1] if in_force else None
        rows.append([cell(name), cell(", ".join(v.effective_from.isoformat() for v in versions)),
                     cell(current.effective_from if current else "none yet",
                          tooltip=current.source if current else None),
                     cell(len(current.rows) if current else None, True)])
    head = facts([("directory", tables.directory), ("manifest sha256", tables.manifest_sha256)])
    return STYLE + head + table(f"Tables (in force on {as_of})",
                                ["table", "versions", "in force", "rows"], rows, ("rows",))
