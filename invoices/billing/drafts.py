"""A month's invoices: the input files read and checked first, then priced against what the
ledger already billed.

`read_month` reads every input file and collects every problem (unknown city, a bill-to that
is not a PSA customer on the invoice date, a month outside the PSA's term, a malformed row)
before anything touches the ledger. `draft_month` then takes the ledger's billing state and
decides, city by city, what is new: a city-month already billed is not billed again, one that
contradicts the ledger (another bill-to, another level in the period, other hours) is refused,
and an earlier month after a later one is refused. What it drafts is one invoice per bill-to
for the cities not billed yet.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from invoices.billing.state import CityState
from invoices.billing.late_hours import BilledHours, LateMonth, late_entry, with_late
from invoices.billing.levels import History, LevelSet, decide_level
from invoices.billing.inputs import CityRow, city_key, read_cities, read_events, read_hours
from invoices.billing.monthly import CityMonth, city_month
from invoices.ledger.records import Invoice, InvoiceLine
from invoices.receivables.terms import Terms, terms_on
from pricing.rules.agreements import check_in_term, customer_for
from pricing.errors import PricingError, Problem, ProblemsError
from pricing.rules.lines import total_of
from pricing.rules.periods import AnnualPeriod, period_containing
from pricing.reports.load import Reports
from pricing.rules.service_level import level_by_name
from pricing.tables.loader import TableSet
from pricing.values import month_label, parse_month


def month_option(text: str) -> tuple[int, int]:
    """The --month option as (year, month)."""
    try:
        return parse_month(text)
    except ValueError as error:
        raise PricingError(f"--month: {error}") from None


def last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class MonthInputs:
    """A month's inputs, read and checked: nothing here depends on the ledger.

    Attributes:
      month: "YYYY-MM"; period, month_number: its annual period and number in it (October = 1).
      invoice_date, terms: the date the invoices carry and the payment terms in force on it.
      cities: the cities file's rows; bill_tos: {city: the customer's name as the tables give it}.
      hours: {city: {month label: hours}} from the hours file, for every month up to this one
        (months of earlier periods too: hours that arrive late are billed, never dropped).
      hours_rows: {(city, month label): the hours file's row}, so a problem names its row.
      hours_file: the hours file's name ("--no-hours" when the run says the month had none).
      sites: {city: switch sites cut over this month}.
      files: the input files, so no output may overwrite one.
      priced: {city: (CityMonth, (level, lines))} of the dry run without the ledger; reused
        when the ledger changes nothing for the city (its first month in a period).
      has_events: whether an events file was given (without one, a billed month's integration
        sites are the ledger's, as its hours are).
    """

    month: str
    period: AnnualPeriod
    month_number: int
    invoice_date: dt.date
    terms: Terms
    cities: tuple[CityRow, ...]
    bill_tos: dict[str, str]
    hours: dict[str, dict[str, Decimal]]
    sites: dict[str, int]
    contract: str
    seller: str
    seller_address: str
    customer_address: str
    citations: frozenset[str]
    files: tuple[Path, ...] = field(default=())
    priced: dict = field(default_factory=dict, compare=False)
    has_events: bool = False
    hours_rows: dict = field(default_factory=dict, compare=False)
    hours_file: str = "--hours"
    label_periods: dict = field(default_factory=dict, compare=False)

    def hours_of_period(self, city: str, period: AnnualPeriod) -> dict[str, Decimal]:
        """The hours file's months of `period` for the city: {label: hours}."""
        first, last = period.label(1), period.label(12)
        return {label: h for label, h in self.hours.get(city, {}).items() if first <= label <= last}

    def earlier_periods(self) -> dict[int, AnnualPeriod]:
        """The annual periods before this one that the hours file gives hours for."""
        return {p.year: p for p in self.label_periods.values() if p.year < self.period.year}


def read_month(month: str, cities_path: Path, tables: TableSet, hours_path: Path | None = None,
               events_path: Path | None = None,
               invoice_date: dt.date | None = None) -> MonthInputs:
    """Read and check the month's input files; ProblemsError lists every problem."""
    year, number = month_option(month)
    month = month_label(year, number)
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
    cities = read_cities(cities_path, problems)
    names = {c.city for c in cities}
    hours_rows_read = read_hours(hours_path, names, problems) if hours_path else []
    events = read_events(events_path, names, problems) if events_path else []
    unknown_level: set[str] = set()
    for index, city in enumerate(cities):      # level names as the tables spell them
        if city.level:
            try:
                cities[index] = replace(city, level=level_by_name(city.level, tables, first).level)
            except PricingError as error:
                problems.append(Problem(str(cities_path), city.row, "level",
                                        str(error).partition(": ")[2]))
                unknown_level.add(city.city)
    month_number = period.month_number(year, number)
    labels = {period.label(m): m for m in range(1, month_number + 1)}
    hours: dict[str, dict[str, Decimal]] = defaultdict(dict)
    hours_rows: dict[tuple[str, str], int] = {}
    label_periods: dict[str, AnnualPeriod] = {}
    for row in hours_rows_read:             # every month up to this one; later ones wait
        if row.month > month:
            continue
        if row.month not in label_periods:
            try:
                label_periods[row.month] = period_containing(
                    tables, dt.date(*parse_month(row.month), 1))
            except PricingError as error:
                problems.append(Problem(str(hours_path), row.row, "month", str(error)))
                continue
        hours[row.city][row.month] = row.hours
        hours_rows[(row.city, row.month)] = row.row
    sites: dict[str, int] = defaultdict(int)
    for event in events:
        if (event.date.year, event.date.month) == (year, number) and event.kind == "integration":
            sites[event.city] += event.quantity
    bill_tos: dict[str, str] = {}
    known: dict[str, str] = {}
    for city in cities:
        try:
            if city.bill_to not in known:
                known[city.bill_to] = customer_for(tables, "PSA", city.bill_to, invoice_date)
            bill_tos[city.city] = known[city.bill_to]
        except PricingError as error:
            problems.append(Problem(str(cities_path), city.row, "bill_to",
                                    str(error).partition(": ")[2]))
    priced: dict[str, tuple[CityMonth, tuple[str, list]]] = {}
    for city in cities:                 # a dry run finds what pricing refuses (two switches)
        if city.city in unknown_level:      # already reported: one problem, said once
            continue
        hours_of_city = {labels[k]: v for k, v in hours.get(city.city, {}).items()
                         if v and k in labels}
        trial = CityMonth(city.city, city.bill_to, city.counts, city.level, hours_of_city,
                          sites.get(city.city, 0))
        try:
            priced[city.city] = (trial, city_month(trial, period, month_number, tables))
        except PricingError as error:
            problems.append(_pricing_problem(str(cities_path), city, error))
    if problems:
        raise ProblemsError(problems, f"nothing issued for {month}: {len(problems)} problem(s)")
    terms = terms_on(invoice_date, tables)
    agreement = next(r for r in tables.rows("agreements", invoice_date) if r.agreement == "PSA")
    parties = {r.role: r for r in tables.rows("parties", invoice_date) if r.agreement == "PSA"}
    citations = frozenset({terms.citation, tables.version("agreements", invoice_date).citation,
                           tables.version("parties", invoice_date).citation})
    files = tuple(p for p in (cities_path, hours_path, events_path) if p is not None)
    return MonthInputs(month, period, month_number, invoice_date, terms,
                       tuple(cities), bill_tos, dict(hours), dict(sites),
                       f"{agreement.agreement} {agreement.contract_number}",
                       parties["seller"].name, parties["seller"].address,
                       parties["customer"].address, citations, files, priced,
                       events_path is not None, hours_rows,
                       str(hours_path) if hours_path else "--no-hours", label_periods)


def _pricing_problem(path: str, city: CityRow, error: PricingError) -> Problem:
    """A pricing error of one city, placed in its column when the message names one."""
    column, _, message = str(error).partition(": ")
    known = column in ("five_ess", "level") or column in city.counts.as_dict()
    return Problem(path, city.row, column if known else None, message if known else str(error))


@dataclass(frozen=True)
class CityCharge:
    """One city's new month, ready to record: the level it is billed at for the period, the
    hours of every month of the period up to this one that priced it, the sites cut over, and
    the months whose hours arrived late ({(period, label): hours now}) that it bills."""

    city: str
    bill_to: str
    level: str
    hours: dict[str, Decimal]
    sites: int
    late: dict[tuple[int, str], Decimal] = field(default_factory=dict)


@dataclass(frozen=True)
class MonthDraft:
    """What a run would issue: invoices (unnumbered, by bill-to), the cities each bills, the
    invoices already holding cities of this run, notes for the user (skipped months, late
    hours waiting), and the levels set this month with the rule that set each."""

    invoices: tuple[Invoice, ...]
    charges: dict[str, tuple[CityCharge, ...]]
    already: tuple[int, ...]
    notes: tuple[str, ...]
    levels: tuple[LevelSet, ...] = ()


def _state_problems(inputs: MonthInputs, city: CityRow, state: CityState, path: str,
                    problems: list[Problem]) -> bool:
    """Check a city against what the ledger billed; True when its month is already billed
    (consistently: nothing to do)."""
    month, bill_to = inputs.month, inputs.bill_tos[city.city]
    before = len(problems)
    billed = state.months.get(month)
    if billed is not None and billed.bill_to != bill_to:
        problems.append(Problem(path, city.row, "bill_to", f"{city.city} {month} was billed to "
                                f"{billed.bill_to} on invoice {billed.invoice:06d}; it cannot be "
                                f"billed to {bill_to} too"))
    if billed is not None and inputs.has_events and \
            billed.integration_sites != inputs.sites.get(city.city, 0):
        problems.append(Problem(path, city.row, None, f"{city.city} {month}: the events give "
                                f"{inputs.sites.get(city.city, 0)} integration site(s), invoice "
                                f"{billed.invoice:06d} billed {billed.integration_sites}"))
    later = sorted(m for m in state.months if m > month)
    if billed is None and later:
        first = state.months[later[0]]
        problems.append(Problem(path, city.row, None, f"{city.city}: {later[0]} is already billed "
                                f"(invoice {first.invoice:06d}); {month} cannot be billed after "
                                f"it (a city's months are billed forward)"))
    if city.level and state.level and city.level != state.level:
        problems.append(Problem(path, city.row, "level", f"{city.city} is billed at "
                                f"{state.level} for the annual period starting "
                                f"{inputs.period.start} (months billed: "
                                f"{', '.join(sorted(state.months))}); it cannot change to "
                                f"{city.level} within the period"))
    return billed is not None and len(problems) == before


def hours_changes(inputs: MonthInputs, city: str, period: AnnualPeriod, state: CityState,
                  problems: list[Problem], until: str = "9999-12") -> dict[str, LateMonth]:
    """The months of `period` up to `until` (included) for which the hours file gives the city
    more hours than the ledger recorded ({label: LateMonth}); fewer hours is a problem naming
    the hours file's row and the credit note to issue instead."""
    changes: dict[str, LateMonth] = {}
    for label, given in sorted(inputs.hours_of_period(city, period).items()):
        if label > until:
            continue
        recorded = state.hours.get(label)
        had = recorded.hours if recorded else Decimal(0)
        row = inputs.hours_rows.get((city, label))
        if given > had:
            changes[label] = LateMonth(label, had, given, row, label in state.months)
        elif given < had:
            problems.append(Problem(inputs.hours_file, row, "hours", f"{city} {label}: "
                f"{given} hours, fewer than the {had} hours invoice {recorded.invoice:06d} "
                f"billed; a run never takes hours back: credit the difference with `pricing ar "
                f"credit {recorded.invoice} AMOUNT --reason ...` and give {had} hours for "
                f"{label} (or no row: the ledger's hours stand)"))
    return changes


@dataclass(frozen=True)
class Ledgered:
    """What the ledger knows that a month's draft needs, read in the run's transaction.

    Attributes:
      states: each city's state in the month's annual period.
      known: every city the ledger has billed, as spelled there ({city: (latest month, invoice)}).
      history: the counts and levels of the cities whose level is set this month.
      earlier: {period: {city: state}} for the earlier periods the hours file gives hours for.
      billed_hours: {city: what the ledger billed for its hours, by month and kind}.
    """

    states: dict[str, CityState]
    known: dict[str, tuple[str, int]] = field(default_factory=dict)
    history: History | None = None
    earlier: dict[int, dict[str, CityState]] = field(default_factory=dict)
    billed_hours: dict[str, BilledHours] = field(default_factory=dict)


def draft_month(inputs: MonthInputs, states: dict[str, CityState], tables: TableSet,
                known: dict[str, tuple[str, int]] | None = None,
                ledgered: Ledgered | None = None) -> MonthDraft:
    """The invoices for the cities of `inputs` not billed yet for the month, priced with the
    ledger's level and hours; ProblemsError when an input contradicts the ledger.

    known: every city the ledger has billed; a city spelled otherwise (case, spaces) is
    refused, so one city cannot be billed twice under two spellings. ledgered: the ledger's
    history (levels, earlier periods, hours billed); without it the ledger is taken as empty
    before this period."""
    ledgered = ledgered or Ledgered(states, known or {})
    known = known or ledgered.known
    period, number = inputs.period, inputs.month_number
    path = str(inputs.files[0]) if inputs.files else "--cities"
    problems: list[Problem] = []
    spelled = {city_key(name): name for name in known}
    labels = [period.label(m) for m in range(1, number + 1)]     # the period's months so far
    for city in inputs.cities:
        ledger_name = spelled.get(city_key(city.city), city.city)
        if ledger_name != city.city:
            problems.append(Problem(path, city.row, "city", f"{city.city!r} is billed in the "
                                    f"ledger as {ledger_name!r}: spell it the same way"))
        latest, invoice = known.get(city.city, ("", 0))
        if latest > inputs.month and inputs.month not in states.get(city.city, CityState()).months:
            problems.append(Problem(path, city.row, None, f"{city.city}: {latest} is already "
                                    f"billed (invoice {invoice:06d}); {inputs.month} cannot be "
                                    f"billed after it (a city's months are billed forward)"))
    if problems:
        raise ProblemsError(problems, f"nothing issued for {inputs.month}: {len(problems)} "
                            f"problem(s)")
    notes: list[str] = []
    levels: list[LevelSet] = []
    already: set[int] = set()
    by_bill_to: dict[str, list[InvoiceLine]] = defaultdict(list)
    cities_of: dict[str, list[dict]] = defaultdict(list)
    charges: dict[str, list[CityCharge]] = defaultdict(list)
    citations: dict[str, set[str]] = defaultdict(set)
    for city in inputs.cities:
        state = states.get(city.city, CityState())
        before = len(problems)
        done = _state_problems(inputs, city, state, path, problems)
        billed_now = state.months.get(inputs.month)     # this month's hours: late only if billed
        changes = hours_changes(inputs, city.city, period, state, problems,
                                inputs.month if billed_now else labels[-2] if number > 1 else "")
        earlier = {year: (p, ledgered.earlier.get(year, {}).get(city.city, CityState()))
                   for year, p in sorted(inputs.earlier_periods().items())}
        earlier_changes = {year: _earlier_changes(inputs, city.city, p, s, problems)
                           for year, (p, s) in earlier.items()}
        if done:
            waiting = sorted(changes) + sorted(l for c in earlier_changes.values() for l in c)
            if waiting:
                notes.append(f"{city.city}: more hours for {', '.join(waiting)} than the ledger "
                             f"billed; {inputs.month} is already invoiced, so they are billed "
                             f"on the next month's run (keep them in its hours file)")
            already.add(state.months[inputs.month].invoice)
            continue
        if len(problems) > before:
            continue
        bill_to = inputs.bill_tos[city.city]
        file_hours = inputs.hours_of_period(city.city, period)
        hours = {label: file_hours.get(label, state.hours[label].hours if label in state.hours
                                       else Decimal(0)) for label in labels}
        if state.level is None:
            history = ledgered.history or History(Reports({}), {})
            decided = decide_level(city.city, city.counts, city.level, period.year, history,
                                   tables)
            levels.append(decided)
            level = decided.level
        else:
            level = city.level or state.level
        month_of_city = CityMonth(city.city, bill_to, city.counts, level,
                                  {m: hours[label] for m, label in enumerate(labels, start=1)
                                   if hours[label]},
                                  inputs.sites.get(city.city, 0))
        trial = inputs.priced.get(city.city)       # the dry run knew the bill-to as typed
        late: dict[tuple[int, str], Decimal] = {}
        late_inputs: list[dict] = []
        try:
            billed, lines = (trial[1] if trial and trial[0] == replace(month_of_city, bill_to=city.bill_to)
                             else city_month(month_of_city, period, number, tables))
            billed_hours = ledgered.billed_hours.get(city.city, {})
            for year, (p, s) in earlier.items():
                if earlier_changes[year]:
                    late_inputs.append(late_entry(p, _corrected(inputs, city.city, p, s), 13,
                                                  billed_hours, earlier_changes[year]))
                    late.update({(year, l): c.given for l, c in earlier_changes[year].items()})
            if changes:
                corrected = {m: hours[label] for m, label in enumerate(labels, start=1)}
                late_inputs.append(late_entry(period, corrected, number, billed_hours, changes))
                late.update({(period.year, l): c.given for l, c in changes.items()})
            lines = with_late(lines, late_inputs, period.year, tables)
            if late:
                months = ", ".join(label for _, label in sorted(late))
                late_lines = [l for l in lines if l.kind.startswith("late_")]
                if late_lines:
                    notes.append(f"{city.city}: hours that arrived late for {months} are billed "
                                 f"now, as their months would have priced them: "
                                 f"{sum(l.amount for l in late_lines):,}")
                else:           # e.g. 0.5 hours becoming 1: the one-hour minimum billed it
                    notes.append(f"{city.city}: hours that arrived late for {months} change "
                                 f"no charge (what was billed covers them); the ledger keeps "
                                 f"them as the hours of their months")
        except PricingError as error:
            problems.append(_pricing_problem(path, city, error))
            continue
        earlier_months = [m for m in state.months if m < inputs.month]
        if earlier_months:
            last = period.month_number(*parse_month(max(earlier_months)))
            skipped = [period.label(m) for m in range(last + 1, number)]
            if skipped:
                notes.append(f"{city.city}: {', '.join(skipped)} not billed (skipped); "
                             f"billing {inputs.month}")
        for line in lines:
            by_bill_to[bill_to].append(InvoiceLine.of(city.city, line))
            citations[bill_to].add(str(line.source))
        charges[bill_to].append(CityCharge(city.city, bill_to, billed, hours,
                                           month_of_city.integration_sites, late))
        entry = {"city": city.city, "counts": city.counts.as_dict(), "level": level,
                 "billed_level": billed,
                 "hours": {str(m): str(h) for m, h in sorted(month_of_city.hours.items())},
                 "integration_sites": month_of_city.integration_sites}
        if late_inputs:
            entry["late_hours"] = late_inputs
        cities_of[bill_to].append(entry)
    if problems:
        raise ProblemsError(problems, f"nothing issued for {inputs.month}: {len(problems)} "
                            f"problem(s)")
    invoices = []
    for bill_to in sorted(by_bill_to):
        lines = tuple(by_bill_to[bill_to])
        invoices.append(Invoice(
            None, bill_to, inputs.month, inputs.invoice_date, inputs.terms.due, inputs.terms.text,
            inputs.terms.net_days, inputs.contract, inputs.seller, inputs.seller_address,
            inputs.customer_address, lines, total_of(lines), tables.manifest_sha256,
            {"period": period.year, "month_number": number, "cities": cities_of[bill_to]},
            tuple(sorted(citations[bill_to] | inputs.citations))))
    return MonthDraft(tuple(invoices), {k: tuple(v) for k, v in charges.items()},
                      tuple(sorted(already)), tuple(notes), tuple(levels))


def _earlier_changes(inputs: MonthInputs, city: str, period: AnnualPeriod, state: CityState,
                     problems: list[Problem]) -> dict[str, LateMonth]:
    """Late hours for a month of an earlier annual period: only a period the city was billed
    in has hours to correct."""
    given = {label: h for label, h in inputs.hours_of_period(city, period).items() if h}
    if not state.months and given:
        label = min(given)
        problems.append(Problem(inputs.hours_file, inputs.hours_rows.get((city, label)), "month",
                                f"{city} was not billed in the annual period {period.start} to "
                                f"{period.end}; its hours for {label} cannot be billed"))
        return {}
    return hours_changes(inputs, city, period, state, problems)


def _corrected(inputs: MonthInputs, city: str, period: AnnualPeriod,
               state: CityState) -> dict[int, Decimal]:
    """The period's hours by month number: the hours file's, else the ledger's."""
    given = inputs.hours_of_period(city, period)
    hours = {}
    for number in range(1, 13):
        label = period.label(number)
        value = given.get(label, state.hours[label].hours if label in state.hours else None)
        if value:
            hours[number] = value
    return hours
