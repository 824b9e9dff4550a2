"""The monthly invoice run: check everything, issue in the ledger, write the workbooks.

Order matters. Every check that can fail runs before the ledger is written: the input files,
the output directory, and (inside the write transaction, so two runs cannot race) what the
ledger already billed and whether each new workbook's path is free. The month's new invoices are
committed together; then each workbook is written (temporary name, rename) and marked written.
A run stopped before the commit issued nothing; one stopped after it left invoices marked
unwritten, and the next run writes them first, from the ledger alone.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path

from invoices import schema as s
from invoices.billing_state import (billed_hours, invoices_of_month, known_cities, load_states,
                                    record_month)
from invoices.documents import claim, marker, output_dir, release
from invoices.drafts import Ledgered, MonthDraft, MonthInputs, draft_month, read_month
from invoices.faults import fault_point
from invoices.html_documents import invoice_html
from invoices.ledger import Ledger, ledger_files, now
from invoices.pending import Pending, complete_pending, invoice_document
from invoices.period_levels import LevelSet, recorded_history
from invoices.printing import pdf_beside
from invoices.records import Invoice
from invoices.workbook import write_invoice
from pricing.errors import PricingError
from pricing.money import to_cents
from pricing.tables.loader import TableSet
from pricing.values import parse_month


@dataclass(frozen=True)
class RunResult:
    """Attributes: issued (new this run; supplement > 0 for cities added after the month was
    invoiced), existing (invoices already holding this run's cities for the month), pending
    (earlier documents written now, and any still not written), notes (skipped months),
    unwritten (issued now but the workbook could not be written: the next run writes it),
    restored (workbooks of existing invoices deleted since, written again), pdfs (PDFs
    written beside the workbooks when asked for) and pdfs_left ((document, why not))."""

    issued: tuple[Invoice, ...]
    existing: tuple[Invoice, ...]
    pending: Pending
    notes: tuple[str, ...]
    unwritten: tuple[tuple[Invoice, str], ...] = ()
    restored: tuple[str, ...] = ()
    pdfs: tuple[str, ...] = ()
    pdfs_left: tuple[tuple[str, str], ...] = ()
    levels: tuple[LevelSet, ...] = ()


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
    from invoices.receivables import termination_date
    from invoices.terms import Terms, TerminationRule

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
        terms = Terms(0, f"Due on its date: the agreement was terminated on {terminated} "
                         f"({rule.clause(terminated)})", inputs.invoice_date, version.citation)
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


def _issue(ledger: Ledger, inputs: MonthInputs, out: Path, tables: TableSet,
           claimed: list[Path]) -> tuple[list[Invoice], list[Invoice], tuple[str, ...],
                                         tuple[LevelSet, ...]]:
    """One write transaction: check against the ledger's state, number, claim each workbook's
    path (so no other ledger can take it), record."""
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
    return issued, existing, notes + draft.notes, draft.levels


def run_month(month: str, cities: Path, out_dir: Path, tables: TableSet, ledger: Ledger,
              hours: Path | None = None, events: Path | None = None,
              invoice_date: dt.date | None = None,
              prepared: tuple[MonthInputs, Path] | None = None, pdf: bool = False) -> RunResult:
    """Issue the month's invoices and write their workbooks; then write any documents earlier
    commands left unwritten. With `pdf`, each invoice of the run also gets its PDF beside its
    workbook (an existing invoice's only when missing). A refused run changes nothing, on disk
    or in the ledger."""
    inputs, out = prepared or prepare_month(month, cities, out_dir, tables, hours, events,
                                            invoice_date)
    claimed: list[Path] = []
    try:
        issued, existing, notes, levels = _issue(ledger, inputs, out, tables, claimed)
    except BaseException:
        release(claimed)
        raise
    fault_point("after-commit")
    written, unwritten = {}, []
    for invoice in issued:
        try:
            write_invoice(invoice, None, marker(ledger.id, invoice_document(invoice.number)))
            written[invoice.number] = invoice.file
        except OSError as error:
            unwritten.append((invoice, f"cannot write {invoice.file} ({error.strerror or error})"))
        fault_point("after-write")
    if written:
        ledger.mark_written(written)
    pending = complete_pending(ledger, out)
    restored = []
    for invoice in existing:                 # a workbook deleted since: write it again
        path = Path(invoice.file)
        if not path.exists() and path.parent.is_dir():
            try:
                write_invoice(invoice, None, marker(ledger.id, invoice_document(invoice.number)))
                restored.append(invoice_document(invoice.number))
            except OSError:
                pass
    pdfs, pdfs_left = (_pdfs(ledger, [i for i in issued if i.number in written], existing)
                       if pdf else ((), ()))
    return RunResult(tuple(issued), tuple(existing), pending, notes, tuple(unwritten),
                     tuple(restored), pdfs, pdfs_left, levels)


def _pdfs(ledger: Ledger, issued: list[Invoice], existing: list[Invoice]
          ) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The PDF beside each workbook: for every invoice issued now, and for an existing one
    whose PDF is missing. The ledger records the workbook; a PDF can always be printed again
    from the ledger (`invoice print`), so a PDF that cannot be written is reported, not
    pending."""
    written, left = [], []
    missing = [i for i in existing if Path(i.file).parent.is_dir()
               and not Path(i.file).with_suffix(".pdf").exists()]
    for invoice in issued + missing:
        document = invoice_document(invoice.number)
        mark = marker(ledger.id, document)
        reason = pdf_beside(Path(invoice.file), invoice_html(invoice, mark), ledger.id, document)
        if reason is None:
            written.append(str(Path(invoice.file).with_suffix(".pdf")))
        else:
            left.append((document, reason))
    return tuple(written), tuple(left)
