"""The monthly invoice run's record: check everything, then issue in the ledger.

Order matters. Every check that can fail runs before the ledger is written: the input files,
the output directory, and (inside the write transaction, so two runs cannot race) what the
ledger already billed and whether each new workbook's path is free (claimed for it). The
month's new invoices are committed together, marked unwritten; invoices.workflows then writes
each workbook and marks it written. A run stopped before the commit issued nothing; one
stopped after it left invoices marked unwritten, and the next run writes them first.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path

from invoices.ledger import schema as s
from invoices.ledger.chain import append
from invoices.billing.state import (billed_hours, invoices_of_month, known_cities, load_states,
                                    record_month)
from invoices.ledger.claims import claim, invoice_document, output_dir
from invoices.billing.drafts import Ledgered, MonthDraft, MonthInputs, draft_month, read_month
from invoices.ledger.faults import fault_point
from invoices.ledger.store import Ledger, ledger_files, now
from invoices.billing.levels import LevelSet, recorded_history
from invoices.ledger.records import Invoice
from pricing.errors import PricingError
from pricing.money import to_cents
from pricing.tables.loader import TableSet
from pricing.values import parse_month


def _insert(conn, invoice: Invoice, issued_by: str) -> None:
    conn.execute(s.invoices.insert().values(
        number=invoice.number, bill_to=invoice.bill_to, month=invoice.month,
        supplement=invoice.supplement, invoice_date=invoice.invoice_date,
        due_date=invoice.due_date, terms=invoice.terms, net_days=invoice.net_days,
        contract=invoice.contract, seller=invoice.seller, seller_address=invoice.seller_address,
        customer_address=invoice.customer_address, total_cents=to_cents(invoice.total),
        tables_sha256=invoice.tables_sha256, inputs=json.dumps(invoice.inputs, sort_keys=True),
        citations=json.dumps(invoice.citations), file=invoice.file, written=False,
        issued_at=now(), issued_by=issued_by))
    conn.execute(s.lines.insert(), [
        {"invoice": invoice.number, "position": i, "city": line.city, "month": invoice.month,
         "kind": line.kind, "description": line.description, "quantity": str(line.quantity),
         "unit_price": str(line.unit_price), "amount_cents": to_cents(line.amount),
         "source": line.source}
        for i, line in enumerate(invoice.lines, start=1)])
    append(conn, "invoice", invoice.number)


def prepare_month(month: str, cities: Path, out_dir: Path, tables: TableSet,
                  hours: Path | None = None, events: Path | None = None,
                  invoice_date: dt.date | None = None,
                  ledger_path: Path | None = None) -> tuple[MonthInputs, Path]:
    """Every check that needs no ledger: the input files and the output directory (which is
    neither the ledger nor an input). The CLI calls it before opening, and so perhaps creating,
    the ledger."""
    inputs = read_month(month, cities, tables, hours, events, invoice_date)
    taken = {Path(p).resolve(): "an input file" for p in inputs.files}
    if ledger_path is not None:
        taken.update(ledger_files(ledger_path))
    if out_dir.resolve() in taken:
        raise PricingError(f"--out {out_dir}: that is {taken[out_dir.resolve()]}, not a directory "
                           f"for invoices")
    return inputs, output_dir(out_dir)


def draft_from_ledger(conn, inputs: MonthInputs, tables: TableSet) -> MonthDraft:
    """The month's draft against what the ledger recorded: each city's state in the period,
    the history that sets the level of a city's first month in it, and the hours billed of
    the cities whose hours file reaches back (late hours)."""
    states = load_states(conn, inputs.period.year)
    unset = [c.city for c in inputs.cities
             if c.city not in states or states[c.city].level is None]
    history = (recorded_history(conn, unset, inputs.period.year, inputs.period.label(1))
               if unset else None)
    earlier = {year: load_states(conn, year) for year in inputs.earlier_periods()}
    reaching_back = [city for city, months in inputs.hours.items()
                     if any(label < inputs.month for label in months)] + \
                    [c.city for c in inputs.cities if c.city in states
                     and inputs.month in inputs.hours.get(c.city, {})]
    ledgered = Ledgered(states, known_cities(conn), history, earlier,
                        billed_hours(conn, reaching_back) if reaching_back else {})
    return draft_month(inputs, states, tables, ledgered.known, ledgered)


def after_termination(conn, inputs: MonthInputs, tables: TableSet
                      ) -> tuple[MonthInputs, tuple[str, ...]]:
    """The month's inputs under the termination in force, and notes (design rule 8): a month
    that starts after the termination date is not billed; the month containing it is billed in
    full (the contract gives no proration); and where the termination accelerates invoices
    (PSA Section 20(b), from the date the psa_remedies table gives), an invoice dated after
    it is due on its own date, so its first document already shows the one due date in force."""
    from invoices.receivables.accounts import termination_date
    from invoices.receivables.terms import Terms, TerminationRule, terms_after_termination

    terminated = termination_date(None, conn)
    if terminated is None:
        return inputs, ()
    first = dt.date(*parse_month(inputs.month), 1)
    if first > terminated:
        raise PricingError(f"the agreement was terminated on {terminated}: {inputs.month} "
                           f"starts after it and is not billed; nothing issued")
    notes = ()
    if (first.year, first.month) == (terminated.year, terminated.month):
        notes = (f"the agreement was terminated on {terminated}; {inputs.month} contains that "
                 f"day and is billed in full (the contract gives no proration)",)
    rule = TerminationRule.of(tables)
    if inputs.invoice_date > terminated and rule.accelerates(terminated):
        version = tables.version("psa_remedies", terminated)
        terms = Terms(0, terms_after_termination(terminated, rule.clause(terminated)),
                      inputs.invoice_date, version.citation)
        inputs = replace(inputs, terms=terms,
                         citations=inputs.citations | {version.citation})
    return inputs, notes


def dry_run(ledger: Ledger | None, inputs: MonthInputs, tables: TableSet) -> MonthDraft:
    """What a run would issue, read in one transaction, recording and writing nothing (an
    absent ledger is an empty one)."""
    if ledger is None:
        return draft_month(inputs, {}, tables)
    with ledger.read() as conn:
        inputs, notes = after_termination(conn, inputs, tables)
        draft = draft_from_ledger(conn, inputs, tables)
    return replace(draft, notes=notes + draft.notes)


@dataclass(frozen=True)
class Issued:
    """What one run recorded: the invoices issued now, the existing invoices already holding
    its cities for the month, notes for the user, and the levels set this month."""

    issued: tuple[Invoice, ...]
    existing: tuple[Invoice, ...]
    notes: tuple[str, ...]
    levels: tuple[LevelSet, ...]


def issue_month(ledger: Ledger, inputs: MonthInputs, out: Path, tables: TableSet,
                claimed: list[Path]) -> Issued:
    """One write transaction: check against the ledger's state, number, claim each workbook's
    path (so no other ledger can take it; `claimed` collects the claims made, for the caller to
    release if the transaction fails), record. Writes no document: invoices.workflows does,
    after the commit."""
    issued: list[Invoice] = []
    with ledger.write() as conn:
        inputs, notes = after_termination(conn, inputs, tables)
        draft = draft_from_ledger(conn, inputs, tables)
        states = load_states(conn, inputs.period.year)
        supplements = invoices_of_month(conn, inputs.month)
        for invoice in draft.invoices:
            number = ledger.next_number(conn)
            file = out / f"invoice-{number:06d}.xlsx"
            if claim(file, ledger.id, invoice_document(number)):
                claimed.append(file)
            supplement = supplements[invoice.bill_to] + 1 if invoice.bill_to in supplements else 0
            numbered = invoice.numbered(number, str(file), supplement)
            _insert(conn, numbered, ledger.recorder)
            record_month(conn, inputs.period.year, inputs.month, number,
                         draft.charges[invoice.bill_to], states)
            issued.append(numbered)
        existing = [ledger.get(n, conn) for n in draft.already]
        fault_point("before-commit")
    return Issued(tuple(issued), tuple(existing), notes + draft.notes, draft.levels)


