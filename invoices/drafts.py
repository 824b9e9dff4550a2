"""A month's invoices, drafted and checked before anything is issued.

One invoice per bill-to entity, its lines city by city. Every problem in the inputs (unknown
city, a bill-to that is not a PSA customer on the invoice date, a month outside the PSA's term,
a malformed row) is collected first; with any, nothing is drafted.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from invoices.inputs import read_cities, read_events, read_hours
from invoices.monthly import CityMonth, city_month
from invoices.records import Invoice, InvoiceLine
from invoices.terms import terms_on
from pricing.agreements import check_in_term, customer_name
from pricing.errors import PricingError, Problem, ProblemsError
from pricing.lines import total_of
from pricing.periods import parse_month, period_containing
from pricing.tables.loader import TableSet


def month_option(text: str) -> tuple[int, int]:
    """The --month option as (year, month)."""
    try:
        return parse_month(text)
    except ValueError as error:
        raise PricingError(f"--month: {error}") from None


def last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def draft_month(month: str, cities_path: Path, tables: TableSet, hours_path: Path | None = None,
                events_path: Path | None = None, invoice_date: dt.date | None = None,
                billed_levels: dict[str, str] | None = None) -> list[Invoice]:
    """The month's invoices (unnumbered), sorted by bill-to; ProblemsError lists every problem.

    billed_levels: {city: level} already billed earlier in the same annual period (from the
    ledger). A level holds for the whole period, so a city without a `level` in the cities file
    keeps the one it was billed at, whatever its counts do in between."""
    year, number = month_option(month)
    first = dt.date(year, number, 1)
    invoice_date = invoice_date or last_day(year, number)
    problems: list[Problem] = []
    try:
        period = period_containing(tables, first)
        check_in_term(tables, "PSA", first)
        check_in_term(tables, "PSA", invoice_date)
    except PricingError as error:
        raise ProblemsError([Problem("--month", None, None, str(error))],
                            f"cannot invoice {month}") from None
    if invoice_date < first:
        problems.append(Problem("--invoice-date", None, None,
                                f"{invoice_date} is before the month billed ({month})"))
    month_number = period.month_number(year, number)
    cities = read_cities(cities_path, problems)
    names = {c.city for c in cities}
    hours = read_hours(hours_path, names, problems) if hours_path else []
    events = read_events(events_path, names, problems) if events_path else []
    hours_by_city: dict[str, dict[int, Decimal]] = defaultdict(dict)
    for row in hours:
        y, m = parse_month(row.month)
        if period.start <= dt.date(y, m, 1) <= first:
            hours_by_city[row.city][period.month_number(y, m)] = row.hours
    sites: dict[str, int] = defaultdict(int)
    for event in events:
        if (event.date.year, event.date.month) == (year, number) and event.kind == "integration":
            sites[event.city] += event.quantity
    terms = terms_on(invoice_date, tables)
    agreement = next(r for r in tables.rows("agreements", invoice_date) if r.agreement == "PSA")
    parties = {r.role: r for r in tables.rows("parties", invoice_date) if r.agreement == "PSA"}
    by_bill_to: dict[str, list[InvoiceLine]] = defaultdict(list)
    inputs: dict[str, list[dict]] = defaultdict(list)
    citations: dict[str, set[str]] = defaultdict(set)
    customers: dict[str, str] = {}
    for city in cities:
        try:
            if city.bill_to not in customers:
                customers[city.bill_to] = customer_name(tables, "PSA", city.bill_to, invoice_date)
            bill_to = customers[city.bill_to]
        except PricingError as error:
            problems.append(Problem(str(cities_path), city.row, "bill_to", str(error).partition(": ")[2]))
            continue
        level = city.level or (billed_levels or {}).get(city.city)
        month_of_city = CityMonth(city.city, bill_to, city.counts, level,
                                  hours_by_city.get(city.city, {}), sites.get(city.city, 0))
        try:
            billed, lines = city_month(month_of_city, period, month_number, tables)
        except PricingError as error:
            column, _, message = str(error).partition(": ")
            known = column in ("five_ess", "level") or column in city.counts.as_dict()
            problems.append(Problem(str(cities_path), city.row, column if known else None,
                                    message if known else str(error)))
            continue
        for line in lines:
            by_bill_to[bill_to].append(InvoiceLine.of(city.city, line))
            citations[bill_to].add(str(line.source))
        inputs[bill_to].append({
            "city": city.city, "counts": city.counts.as_dict(), "level": level,
            "billed_level": billed,
            "hours": {str(m): str(h) for m, h in sorted(month_of_city.hours.items())},
            "integration_sites": month_of_city.integration_sites})
    if problems:
        raise ProblemsError(problems, f"nothing issued for {month}: {len(problems)} problem(s)")
    citations_common = {terms.citation, tables.version("agreements", invoice_date).citation,
                        tables.version("parties", invoice_date).citation}
    invoices = []
    for bill_to in sorted(by_bill_to):
        lines = tuple(by_bill_to[bill_to])
        invoices.append(Invoice(
            None, bill_to, month, invoice_date, terms.due, terms.text, terms.net_days,
            f"{agreement.agreement} {agreement.contract_number}", parties["seller"].name,
            parties["seller"].address, parties["customer"].address, lines,
            total_of(lines), tables.manifest_sha256,
            {"period": period.year, "month_number": month_number, "cities": inputs[bill_to]},
            tuple(sorted(citations[bill_to] | citations_common))))
    return invoices
