"""What-if exploration of one city: change its counts, its hours by month or the date, and see
the level, why, the itemized quote and the hour blocks.

The functions here are the whole logic behind notebooks/explorer.ipynb, so they are tested
like any other: `what_if` prices a scenario (a Quote), `months_of` lists the annual period's
months for the hour sliders, `hour_blocks` tells month by month how hours turn into blocks
and hourly billing, and `render` is the HTML the notebook shows. `explorer()` only wires
ipywidgets to `render` (ipywidgets is imported there, not at module import).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from pricing.rules.components import COMPONENTS, Counts
from pricing.rules.periods import period_containing
from pricing.quote import CityRequest, Quote, price_city
from pricing.tables.loader import TableSet
from pricing.values import parse_hours

ZERO = Decimal(0)


def months_of(tables: TableSet, as_of: dt.date) -> list[str]:
    """The twelve months ("YYYY-MM") of the annual period containing `as_of`, in order."""
    period = period_containing(tables, as_of)
    return [period.label(number) for number in range(1, 13)]


def period_months(tables: TableSet, as_of: dt.date) -> list[str] | None:
    """months_of, or None for a date no annual period holds (before the tables' first period):
    the explorer then keeps its hour sliders and its display says why it cannot price."""
    from pricing.errors import PricingError

    try:
        return months_of(tables, as_of)
    except PricingError:
        return None


def what_if(counts: Mapping[str, int], hours: Mapping[str, object], as_of: dt.date,
            tables: TableSet, city: str = "What-if city", integration_sites: int = 0) -> Quote:
    """The quote for a city with these counts and hours (by month of the annual period
    containing `as_of`), priced with the tables in force on `as_of`. Zero hours are left out."""
    given = {name: int(counts.get(name, 0)) for name in COMPONENTS}
    monthly = {month: parse_hours(str(value)) for month, value in hours.items()}
    request = CityRequest(city, period_containing(tables, as_of).year, Counts(**given),
                          {m: h for m, h in monthly.items() if h > 0}, integration_sites)
    return price_city(request, tables, as_of)


@dataclass(frozen=True)
class MonthOfHours:
    """Attributes: month, hours incurred, hours so far in the period, and the amounts billed
    for blocks bought and for hours billed hourly that month."""

    month: str
    hours: Decimal
    cumulative: Decimal
    blocks: Decimal
    hourly: Decimal


def hour_blocks(quote: Quote, hours: Mapping[str, object]) -> list[MonthOfHours]:
    """Month by month: hours, the running total, and what the quote bills for them (its
    hour_block and hourly lines, matched to their month by the month in their description)."""
    rows, running = [], ZERO
    for month in sorted(hours):
        value = parse_hours(str(hours[month]))
        running += value
        billed = {kind: sum((line.amount for line in quote.lines
                             if line.kind == kind and month in line.description), ZERO)
                  for kind in ("hour_block", "hourly")}
        rows.append(MonthOfHours(month, value, running, billed["hour_block"], billed["hourly"]))
    return rows


def render(counts: Mapping[str, int], hours: Mapping[str, object], as_of: dt.date,
           tables: TableSet) -> str:
    """The explorer's display for one scenario: level and why, the quote, the hour blocks; or
    the reason it cannot be priced (a date outside the agreement, say)."""
    from pricing.errors import PricingError
    from pricing.fileio.html_views import STYLE, cell, table

    try:
        quote = what_if(counts, hours, as_of, tables)
    except (PricingError, ValueError) as error:
        return f'<p style="color:#a00">Cannot price this: {escape(str(error))}</p>'
    months = hour_blocks(quote, hours)
    rows = [[cell(m.month), cell(m.hours, True), cell(m.cumulative, True),
             cell(m.blocks, True), cell(m.hourly, True)] for m in months if m.hours]
    blocks = table("Hours and what they bought", ["month", "hours", "so far", "blocks",
                                                   "hourly"], rows,
                   ("hours", "so far", "blocks", "hourly")) if rows else "<p>No hours.</p>"
    return (STYLE + f"<h3>{escape(quote.level.level)}: {quote.total:,} for the annual period "
            f"{quote.period.start} to {quote.period.end}</h3>"
            f"<p>{escape(quote.level_reason)}</p>" + quote._repr_html_() + blocks)


def explorer(tables: TableSet | None = None, as_of: dt.date = dt.date(2001, 10, 1),
             counts: Mapping[str, int] | None = None):
    """The interactive explorer: sliders for the six counts and each month's hours, a date
    picker for as-of, and the display `render` gives, updated as they change. A new date in
    the same annual period keeps the hours; one in another period shows that period's months,
    at zero hours."""
    import ipywidgets as widgets

    from pricing.tables import load_tables

    tables = tables or load_tables()
    start = dict(counts or {"gateway_elements": 20, "five_ess": 1, "slc": 10, "sm": 1,
                            "dacs_ii": 1, "dacs_iv": 1})
    count_sliders = {name: widgets.IntSlider(value=start.get(name, 0), min=0,
                                             max=60 if name in ("gateway_elements", "slc") else 5,
                                             description=name, continuous_update=False)
                     for name in COMPONENTS}
    date = widgets.DatePicker(value=as_of, description="as of")
    hour_sliders: dict[str, widgets.FloatSlider] = {}
    hours_box = widgets.VBox()
    output = widgets.HTML()

    def hour_widgets(months: list[str]) -> None:
        hour_sliders.clear()
        for month in months:
            slider = widgets.FloatSlider(value=0, min=0, max=3000, step=50, description=month,
                                         continuous_update=False)
            slider.observe(update, "value")
            hour_sliders[month] = slider
        hours_box.children = tuple(hour_sliders.values())

    def update(_=None) -> None:
        output.value = render({n: s.value for n, s in count_sliders.items()},
                              {m: s.value for m, s in hour_sliders.items()},
                              date.value or as_of, tables)

    def new_date(change) -> None:
        months = period_months(tables, date.value or as_of)
        if months is not None and months != list(hour_sliders):
            hour_widgets(months)            # another annual period: its own months, from zero
        update()

    for slider in count_sliders.values():
        slider.observe(update, "value")
    date.observe(new_date, "value")
    hour_widgets(months_of(tables, as_of))
    update()
    controls = widgets.VBox([date, *count_sliders.values(), widgets.Label("hours by month"),
                             hours_box])
    return widgets.HBox([controls, output])
