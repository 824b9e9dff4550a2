"""Documents recorded in the ledger but not yet on disk, written by the next command that can.

A document is committed to the ledger before its file is written (a number must never be
reused), so a run killed in between, or an output that failed after the commit, leaves a
document marked unwritten. Every command that writes documents first writes these: at the path
recorded, or, when that is no longer possible (the directory went away, or another ledger's file
is there now), in the directory the command is given now. A document that still cannot be
written stays pending and is reported; it never blocks the command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from invoices.ledger import schema as s
from invoices.ledger.claims import credit_document, invoice_document, marker, may_write
from invoices.ledger.store import Ledger
from invoices.documents.workbooks import write_credit_note, write_invoice


@dataclass(frozen=True)
class Pending:
    """Attributes: written ((document, path) written now), left ((document, reason) still
    pending)."""

    written: tuple[tuple[str, str], ...]
    left: tuple[tuple[str, str], ...]


def _candidates(recorded: Path, out_dir: Path | None) -> list[Path]:
    """Where a pending document may go: where it was recorded if that folder still exists
    (a deleted folder is not made again), then the folder the command is given now."""
    found = [recorded] if recorded.parent.is_dir() else []
    if out_dir is not None and out_dir / recorded.name not in found:
        found.append(out_dir / recorded.name)
    return found


def _write_somewhere(candidates: list[Path], ledger_id: str, document: str, write) -> tuple[Path | None, str]:
    reason = "no candidate path"
    for path in candidates:
        if not may_write(path, ledger_id, document):
            reason = f"{path} holds another document"
            continue
        try:
            write(path)
            return path, ""
        except OSError as error:
            reason = f"cannot write {path} ({error.strerror or error})"
    return None, reason


def _unwritten(ledger: Ledger) -> list[tuple[str, int, Path, object, Callable]]:
    """(document, number, recorded path, table, writer) of every document not yet on disk."""
    from invoices.receivables.accounts import credit_note

    found = []
    for invoice in ledger.unwritten():
        found.append((invoice_document(invoice.number), invoice.number, Path(invoice.file),
                      s.invoices, lambda p, doc, inv=invoice: write_invoice(inv, p, marker(ledger.id, doc))))
    with ledger.read() as conn:
        numbers = conn.execute(s.credits.select().with_only_columns(s.credits.c.number)
                               .where(s.credits.c.written.is_(False))
                               .order_by(s.credits.c.number)).scalars().all()
    for number in numbers:
        note = credit_note(ledger, number)
        invoice = ledger.get(note.invoice)
        found.append((credit_document(number), number, Path(note.file), s.credits,
                      lambda p, doc, n=note, inv=invoice: write_credit_note(n, inv, p, marker(ledger.id, doc))))
    return found


def complete_pending(ledger: Ledger, out_dir: Path | None = None) -> Pending:
    """Write every unwritten invoice and credit note; record where each went."""
    written: list[tuple[str, str]] = []
    left: list[tuple[str, str]] = []
    for document, number, recorded, table, write in _unwritten(ledger):
        path, reason = _write_somewhere(_candidates(recorded, out_dir), ledger.id, document,
                                        lambda p, doc=document, w=write: w(p, doc))
        if path is None:
            left.append((document, reason))
            continue
        ledger.mark_written({number: str(path)}, table)
        written.append((document, str(path)))
    return Pending(tuple(written), tuple(left))
