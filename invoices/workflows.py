"""Record an entry, then write its documents: the one place where billing or receivables meet
a document writer (a design rule: billing and receivables never import invoices.documents).

The monthly run: `invoices.billing.run.issue_month` records the month's invoices in one
transaction (claiming each workbook's path); after the commit each workbook is written
(temporary name, rename) and marked written, documents earlier commands left pending are
written, a workbook deleted since is written again, and with `pdf` each invoice's PDF goes
beside its workbook. A run stopped after the commit left invoices marked unwritten; the next
run writes them first, from the ledger alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from invoices.billing.drafts import MonthInputs
from invoices.billing.levels import LevelSet
from invoices.billing.run import issue_month, prepare_month
from invoices.documents.html import invoice_html
from invoices.documents.pending import Pending, complete_pending
from invoices.documents.printing import pdf_beside
from invoices.documents.workbooks import write_invoice
from invoices.ledger.claims import invoice_document, marker, release
from invoices.ledger.faults import fault_point
from invoices.ledger.records import Invoice
from invoices.ledger.store import Ledger
from pricing.tables.loader import TableSet


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
        recorded = issue_month(ledger, inputs, out, tables, claimed)
    except BaseException:
        release(claimed)
        raise
    issued, existing = list(recorded.issued), list(recorded.existing)
    notes, levels = recorded.notes, recorded.levels
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


def remind(ledger, as_of: dt.date, out_dir: Path, tables) -> list:
    """Write the reminder letters due on `as_of` (PDF, one per customer, in `out_dir`) and
    record them as sent: all of them or none (a letter written is removed if recording fails;
    a letter's file that already exists is refused, never overwritten)."""
    import hashlib
    from dataclasses import replace

    from invoices.documents.html import reminder_html
    from invoices.documents.pdf import write_pdf
    from invoices.ledger.claims import output_dir
    from invoices.ledger.plain import rows
    from invoices.receivables.reminders import plan, record
    from pricing.errors import PricingError

    if out_dir.exists() and not out_dir.is_dir():
        raise PricingError(f"--out {out_dir}: not a directory")
    letters = plan(ledger, as_of, tables)
    if not letters:                         # nothing due: no folder made for nothing
        return []
    out = output_dir(out_dir).resolve()
    with ledger.read() as conn:
        recorded = {file for (file,) in rows(conn, "SELECT file FROM letter_files")}
    written: list[tuple] = []
    try:
        for letter in letters:
            path = out / f"{letter.name}.pdf"
            if path.exists():
                raise PricingError(f"{path} already exists: a letter is never overwritten")
            if str(path) in recorded:       # written, recorded, then moved away
                raise PricingError(f"{path}: a letter was written there before and is recorded "
                                   f"under that name; write these letters into another folder "
                                   f"(-o); nothing was written")
            letter = replace(letter, file=str(path))
            write_pdf(reminder_html(letter), path)
            letter = replace(letter, file_sha256=hashlib.sha256(path.read_bytes()).hexdigest())
            written.append((letter, path))
        record(ledger, [letter for letter, _ in written])
    except BaseException:
        for _, path in written:
            path.unlink(missing_ok=True)
        raise
    return [letter for letter, _ in written]


@dataclass(frozen=True)
class Sent:
    """One document e-mailed (or not): document, recipient, message_id, result ("sent",
    "failed: ...", or "skipped: ...")."""

    document: str
    recipient: str
    message_id: str
    result: str


def send_documents(ledger, tables, targets: list[tuple[str, int]] | None, smtp: tuple[str, int],
                   sender: str, resend: bool = False) -> list[Sent]:
    """E-mail invoices, credit notes, statements and reminder letters (`targets`: (kind,
    number), or ("statement", (customer, start, end)); None: every invoice, credit note and
    letter not yet sent) to each customer's billing address, as PDF attachments, recording every message in
    the outbox. Every address is checked before anything is sent; a document that fails
    verification against the ledger's history is refused; one already sent is skipped unless
    `resend`; a letter whose file is gone is skipped and stays pending (a file that differs
    from the letter written refuses everything: that is tampering, not loss)."""
    from invoices.documents.html import credit_note_html, invoice_html
    from invoices.documents.mail import Mail, address, send
    from invoices.documents.pdf import pdf_bytes
    from invoices.ledger import schema as s
    from invoices.ledger.chain import append, verify, verify_document
    from invoices.ledger.plain import day, rows
    from invoices.ledger.roles import require_inserts
    from invoices.ledger.store import now
    from invoices.receivables.accounts import credit_note
    from pricing.errors import PricingError

    with ledger.read() as conn:
        require_inserts(conn, "send", ("outbox", "chain"), ledger.session_user)
        sent = {d for (d,) in rows(conn, "SELECT document FROM outbox WHERE result = 'sent'")}
        if targets is None:
            targets = [("invoice", n) for (n,) in rows(conn, "SELECT number FROM invoices "
                                                             "ORDER BY number")]
            targets += [("credit", n) for (n,) in rows(conn, "SELECT number FROM credits "
                                                            "ORDER BY number")]
            targets = [t for t in targets if _document(*t) not in sent]
            letters = rows(conn, "SELECT r.file, r.customer, min(r.as_of), f.sha256 FROM "
                                 "reminders r LEFT JOIN letter_files f ON f.file = r.file "
                                 "GROUP BY r.file, r.customer, f.sha256 ORDER BY min(r.id)")
            targets += [("reminder", (file, customer, day(as_of), sha256))
                        for file, customer, as_of, sha256 in letters
                        if f"reminder {file}" not in sent]
    planned, lost = [], []
    for kind, number in targets:
        if kind == "reminder":
            if not Path(number[0]).is_file():   # deleted or moved: the rest still go out
                lost.append(Sent(f"reminder {number[0]}", "", "", "skipped: the letter file "
                                 "is not there any more; put it back to send it (nothing is "
                                 "recorded)"))
                continue
            planned.append(_reminder_mail(tables, *number))
            continue
        if kind == "statement":
            planned.append(_statement_mail(ledger, tables, *number))
            continue
        if kind == "credit":
            note = credit_note(ledger, number)
            invoice = ledger.get(note.invoice)
            html = lambda note=note, invoice=invoice: credit_note_html(note, invoice)  # noqa: E731
            checks = [("credit", number), ("invoice", note.invoice)]
            subject = (f"{invoice.seller}: credit note {number:06d} on invoice {invoice.label} "
                       f"({note.amount:,} USD)")
        else:
            invoice = ledger.get(number)
            html = lambda invoice=invoice: invoice_html(invoice)                    # noqa: E731
            checks = [("invoice", number)]
            subject = (f"{invoice.seller}: invoice {invoice.label} for {invoice.month} "
                       f"({invoice.total:,} USD, due {invoice.due_date})")
        customers = {r.entity: r for r in tables.rows("customers", invoice.invoice_date)}
        row = customers.get(invoice.bill_to)
        if row is None or not row.billing_email:
            raise PricingError(f"no billing address for {invoice.bill_to} in the customers "
                               f"table ({row.billing_email_source if row else 'not a customer'})"
                               f": add its billing_email (`pricing tables new-version "
                               f"customers`); nothing was sent")
        to = address(row.billing_email, f"{invoice.bill_to}'s billing_email")
        document = _document(kind, number)
        planned.append((document, to, html, checks, subject, f"{document.replace(' ', '-')}.pdf"))
    with ledger.read() as conn:
        history = None
        for document, _, _, checks, _, _ in planned:
            for kind, ref in checks:
                if kind == "history":           # a statement draws on every kind of entry
                    history = history or verify(conn)
                    broken = history.problems[0] if history.problems else None
                else:
                    broken = verify_document(conn, kind, ref)
                if broken:
                    raise PricingError(f"{broken}: {document} fails verification and is not "
                                       f"sent; nothing was sent")
    results = lost
    for document, to, html, _, subject, filename in planned:
        if document in sent and not resend:
            results.append(Sent(document, to, "", "skipped: already sent (--resend sends it "
                                                   "again)"))
            continue
        attachment = html()
        mail = Mail(to, sender, subject, f"Please find attached {document}.\n\n{sender}\n",
                    filename, attachment if isinstance(attachment, bytes) else pdf_bytes(attachment))
        try:
            message_id, result = send(mail, smtp), "sent"
        except (OSError, PricingError, Exception) as error:      # the server's answer, recorded
            message_id, result = "", f"failed: {type(error).__name__}: {str(error)[:200]}"
        with ledger.write() as conn:
            made = conn.execute(s.outbox.insert().values(
                document=document, recipient=to, message_id=message_id, sent_at=now(),
                result=result, recorded_by=ledger.recorder))
            append(conn, "message", made.inserted_primary_key[0])
        results.append(Sent(document, to, message_id, result))
    return results


def _reminder_mail(tables, file: str, customer: str, as_of: dt.date, sha256: str | None):
    """A reminder letter already written and recorded, as a document to mail: its PDF is read
    back from where `ar remind` wrote it, and sent only if its bytes are the ones recorded
    (`sha256`; None for a letter written before the ledger kept it)."""
    import hashlib

    from invoices.documents.mail import address
    from pricing.errors import PricingError

    rows = {r.entity: r for r in tables.rows("customers", as_of)}
    row = rows.get(customer)
    if row is None or not row.billing_email:
        raise PricingError(f"no billing address for {customer} in the customers table "
                           f"({row.billing_email_source if row else 'not a customer'}): add its "
                           f"billing_email; nothing was sent")
    path = Path(file)
    if not path.is_file():
        raise PricingError(f"the reminder letter {path} is not there any more: nothing was sent")
    data = path.read_bytes()
    if sha256 is not None and hashlib.sha256(data).hexdigest() != sha256:
        raise PricingError(f"the reminder letter {path} is not the letter written (its SHA-256 "
                           f"differs from the one the ledger recorded): nothing was sent")
    return (f"reminder {file}", address(row.billing_email, f"{customer}'s billing_email"),
            lambda: data, [], f"Payment reminder: {customer}", path.name)


def _statement_mail(ledger, tables, customer: str, start: dt.date, end: dt.date):
    """A statement of account from `start` to `end`, as a document to mail. Its figures come
    from invoices, credit notes, payments, voids, disputes, cash and a termination alike, so it
    is sent only when the whole history verifies."""
    import re

    from invoices.documents.html import statement_html
    from invoices.documents.mail import address
    from invoices.receivables.statement import build_statement
    from pricing.errors import PricingError

    found = build_statement(ledger, customer, start, end, tables)
    rows = {r.entity: r for r in tables.rows("customers", end)}
    row = rows.get(customer)
    if row is None or not row.billing_email:
        raise PricingError(f"no billing address for {customer} in the customers table "
                           f"({row.billing_email_source if row else 'not a customer'}): add its "
                           f"billing_email; nothing was sent")
    document = f"statement {customer} {start} to {end}"
    slug = re.sub(r"[^a-z0-9]+", "-", customer.lower()).strip("-")
    return (document, address(row.billing_email, f"{customer}'s billing_email"),
            lambda: statement_html(found), [("history", 0)],
            f"{found.seller}: statement of account {start} to {end} (amount due "
            f"{found.closing:,} USD)", f"statement-{slug}-{start}-{end}.pdf")


def _document(kind: str, number: int) -> str:
    return f"{'credit note' if kind == 'credit' else 'invoice'} {number:06d}"
