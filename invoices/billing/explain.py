"""Re-price an issued invoice from the inputs it records and say whether every line matches.

The invoice records the manifest hash of the tables that priced it; explaining with other
tables says so and shows the lines that would differ.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from invoices.billing.late_hours import with_late
from invoices.ledger.records import HOUR_KINDS, charge_of
from invoices.billing.monthly import MONTHS_IN_PERIOD, CityMonth, city_month
from invoices.ledger.records import Invoice, InvoiceLine
from pricing.rules.components import Counts
from pricing.rules.hours import price_hours
from pricing.rules.lines import Line
from pricing.money import to_cents
from pricing.rules.periods import annual_period
from pricing.tables.loader import TableSet

ZERO = Decimal(0)


@dataclass(frozen=True)
class CityHours:
    """One city's hours as the invoice's month priced them.

    Attributes:
      city, level: the city and the level billed.
      month_hours: hours incurred in the billed month; period_hours: in the annual period up
        to and including it.
      blocks_bought: prepaid blocks bought in the period up to the billed month, of
        blocks_before_hourly (the service_hours table's blocks before hourly billing).
      prepaid_left: prepaid block hours left after the billed month.
      hourly_hours: hours billed at the hourly rate in the month (a minimum charge included).
    """

    city: str
    level: str
    month_hours: Decimal
    period_hours: Decimal
    blocks_bought: int
    blocks_before_hourly: int
    prepaid_left: Decimal
    hourly_hours: Decimal

    def as_dict(self) -> dict:
        return {"city": self.city, "level": self.level, "month_hours": str(self.month_hours),
                "period_hours": str(self.period_hours), "blocks_bought": self.blocks_bought,
                "blocks_before_hourly": self.blocks_before_hourly,
                "prepaid_left": str(self.prepaid_left), "hourly_hours": str(self.hourly_hours)}


@dataclass(frozen=True)
class Explanation:
    """Attributes: same_tables (the manifest hash matches), differences (position, recorded
    line or None, re-priced line or None: a line whose city, kind, quantity, price, amount or
    source differs), lines (the re-priced lines), rules (which rule priced each of them, in
    words), cities (each city's hours, blocks and prepaid hours), reworded (positions whose
    priced facts match but whose description is worded otherwise now, e.g. an invoice issued
    before the descriptions changed)."""

    same_tables: bool
    differences: tuple[tuple[int, InvoiceLine | None, InvoiceLine | None], ...]
    lines: tuple[InvoiceLine, ...]
    rules: tuple[str, ...] = ()
    cities: tuple[CityHours, ...] = ()
    reworded: tuple[int, ...] = ()

    @property
    def matches(self) -> bool:
        return not self.differences


def _key(line: InvoiceLine) -> tuple:
    return (line.city, line.kind, line.quantity, line.unit_price, line.amount, line.source)


def explain(invoice: Invoice, tables: TableSet) -> Explanation:
    period = annual_period(tables, invoice.inputs["period"])
    month_number = invoice.inputs["month_number"]
    as_of = dt.date(*period.month(month_number), 1)
    hour_rule = tables.version("service_hours", as_of).rows[0]
    repriced: list[InvoiceLine] = []
    rules: list[str] = []
    cities: list[CityHours] = []
    for city in invoice.inputs["cities"]:
        hours = {int(month): Decimal(value) for month, value in city["hours"].items()}
        month = CityMonth(city["city"], invoice.bill_to, Counts(**city["counts"]), city["level"],
                          hours, city["integration_sites"])
        level, own = city_month(month, period, month_number, tables)
        lines = with_late(own, city.get("late_hours", []), period.year, tables)
        so_far = price_hours({m: h for m, h in hours.items() if m <= month_number}, tables,
                             as_of, period)
        hour_rules = iter(so_far.rules_of_month(month_number))
        for line in lines:
            repriced.append(InvoiceLine.of(city["city"], line))
            rules.append(_rule(line, level, month_number, hour_rules))
        cities.append(CityHours(
            city["city"], level, hours.get(month_number, ZERO),
            sum((h for m, h in hours.items() if m <= month_number), ZERO),
            so_far.blocks_bought, hour_rule.hourly_after_blocks, so_far.prepaid_left,
            sum((l.quantity for l in so_far.lines_of_month(month_number) if l.kind == "hourly"),
                ZERO)))
    differences, reworded = [], []
    for position in range(max(len(repriced), len(invoice.lines))):
        old = invoice.lines[position] if position < len(invoice.lines) else None
        new = repriced[position] if position < len(repriced) else None
        if old is None or new is None or _key(old) != _key(new):
            differences.append((position + 1, old, new))
        elif old.description != new.description:
            reworded.append(position + 1)
    return Explanation(tables.manifest_sha256 == invoice.tables_sha256, tuple(differences),
                       tuple(repriced), tuple(rules), tuple(cities), tuple(reworded))


def _rule(line: Line, level: str, month_number: int, hour_rules: Iterator[str]) -> str:
    """Which rule priced a line of the billed month, in words."""
    if line.kind == "service_level":
        share = ("the rest of the annual price" if month_number == MONTHS_IN_PERIOD
                 else "a twelfth of the annual price")
        return (f"level {level}: {share} (month {month_number} of {MONTHS_IN_PERIOD} of the "
                f"annual period)")
    if line.kind in HOUR_KINDS:
        return next(hour_rules, "")
    base, month = charge_of(line.kind, "")
    if month:
        return (f"hours of {month} reported after it was invoiced: priced as {month} would have "
                f"priced them, less what was billed for it")
    return f"one-time charge for each switch site cut over in the month ({line.quantity})"


def rederive_all(ledger, tables: TableSet, snapshot=None) -> tuple[list[str], list[str]]:
    """Re-derive every invoice of the ledger from its recorded inputs (what `explain` does, for
    all): (problems naming each invoice whose recorded lines differ from their re-derivation,
    notes on the invoices priced with other tables than `tables`: re-derived under them too,
    and named in a note, not as a problem, where they differ, since the tables may have
    changed a price since).

    The recorded lines are compared as stored (a line's quantity and price are the text the run
    wrote, `str` of the same Decimals), and only lines that differ are read as Decimals: on
    10,000 invoices that is most of the time `ledger check` spends here. `snapshot` (an
    invoices.ledger.snapshot.Snapshot): the rows to re-derive, when already read."""
    from invoices.ledger.snapshot import read_all

    problems, other_tables, differ = [], [], []
    memo: dict = {}
    if snapshot is None:
        with ledger.read() as conn:
            snapshot = read_all(conn)
    for row in snapshot.invoices:
        found = _rederived(row, snapshot, tables, memo)
        if row.tables_sha256 == tables.manifest_sha256:
            problems += found
            continue
        other_tables.append(row.number)
        if found:
            differ.append(row.number)
    notes = []
    if other_tables:        # tables are versioned: a new version of one (a customer's billing
        # address) leaves past prices as they were, so most re-derive the same under them
        same = len(other_tables) - len(differ)
        said = (f"{len(other_tables):,} invoice(s) priced with other tables than "
                f"{tables.directory}: {same:,} re-derive the same under them")
        if differ:
            shown = ", ".join(f"{n:06d}" for n in differ[:5])
            more = f" and {len(differ) - 5:,} more" if len(differ) > 5 else ""
            said += (f"; {len(differ):,} differ ({shown}{more}): check them with --tables "
                     f"pointing at the tables they were priced with")
        notes.append(said)
    return problems, notes


def _rederived(row, snapshot, tables: TableSet, memo: dict) -> list[str]:
    """What differs between one invoice's recorded lines and their re-derivation under
    `tables`, in sentences naming the invoice and line; none when they agree."""
    from invoices.ledger.store import invoice_of
    from pricing.errors import PricingError

    recorded = snapshot.lines.get(row.number, [])
    try:
        repriced = _repriced(_inputs_of(row, snapshot), row.bill_to, tables, memo)
    except (PricingError, KeyError, ValueError, TypeError, ArithmeticError) as error:
        return [f"invoice {row.number:06d}: cannot be re-derived from its recorded inputs "
                f"({error})"]
    if len(recorded) == len(repriced) and all(map(_as_recorded, recorded, repriced)):
        return []
    try:
        invoice = invoice_of(row, recorded)
    except (PricingError, ValueError, ArithmeticError) as error:
        return [f"invoice {row.number:06d}: its recorded lines cannot be read ({error})"]
    lines_again = [InvoiceLine.of(city, entry[0]) for city, entry in repriced]
    found = []
    for position in range(max(len(lines_again), len(invoice.lines))):
        old = invoice.lines[position] if position < len(invoice.lines) else None
        new = lines_again[position] if position < len(lines_again) else None
        if old is None or new is None or _key(old) != _key(new):
            found.append(f"invoice {row.number:06d} line {position + 1}: recorded "
                         f"{_shown(old)}, re-derived {_shown(new)}")
    return found


def _inputs_of(row, snapshot) -> dict:
    """An invoice row's recorded inputs, refused as invoices.ledger.store.invoice_of refuses
    them."""
    from pricing.errors import PricingError

    try:
        inputs = snapshot.inputs(row)
    except (ValueError, TypeError):
        inputs = None
    if not isinstance(inputs, dict):
        raise PricingError(f"a damaged ledger: invoice {row.number:06d}'s recorded inputs are "
                           f"unreadable")
    return inputs


def _as_recorded(row, priced: tuple) -> bool:
    """Whether a line row as stored is exactly a re-derived line (`_repriced`'s pair of city and
    entry), compared as text; a difference found here is then compared as Decimals (`_key`)."""
    city, (line, stored) = priced
    return row.city == city and (row.kind, row.quantity, row.unit_price, row.amount_cents,
                                 row.source) == stored


def _repriced(inputs: dict, bill_to: str, tables: TableSet, memo: dict) -> list[tuple]:
    """An invoice's lines priced again from its recorded inputs (the lines of `explain`, without
    its account of the hours), each as (city, (line, (kind, quantity, unit price, amount in
    cents, source) as the run stores them)). A city's lines are a function of its recorded
    inputs bar its
    name, the period and the month: priced once per distinct such inputs (`memo`, keyed by
    their repr: inputs that differ only in their order are priced twice, never confused)."""
    period_year, month_number = inputs["period"], inputs["month_number"]
    found = []
    for city in inputs["cities"]:
        key = (period_year, month_number, bill_to, repr({**city, "city": None}))
        if key not in memo:
            period = annual_period(tables, period_year)
            hours = {int(month): Decimal(value) for month, value in city["hours"].items()}
            month = CityMonth(city["city"], bill_to, Counts(**city["counts"]),
                              city["level"], hours, city["integration_sites"])
            level, own = city_month(month, period, month_number, tables)
            memo[key] = [(line, (line.kind, str(line.quantity), str(line.unit_price),
                                 to_cents(line.amount), str(line.source)))
                         for line in with_late(own, city.get("late_hours", []), period.year,
                                               tables)]
        found.extend((city["city"], entry) for entry in memo[key])
    return found


def _shown(line: InvoiceLine | None) -> str:
    if line is None:
        return "(no line)"
    return f"{line.city} {line.kind} {line.quantity} x {line.unit_price} = {line.amount:,}"
