"""Who did what: every record of the ledger in the order it was committed, with who made it.

The ledger keeps each record's author and time beside it (schema 4); this puts them on one
line each, so a billing team can answer "who recorded this payment?" or "what did Dana do
this week?" without reading tables. Records made before schema 4 say "unknown" for who and
(where the old ledger kept no time) when, and come first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import select

from invoices.ledger import schema as s
from invoices.ledger.authors import names_of
from invoices.ledger.store import Ledger
from pricing.money import from_cents


@dataclass(frozen=True)
class Entry:
    """One record: when and by whom it was recorded, what it is, the document it concerns,
    the amount (if any) and the date it takes effect, a detail (a reason, a bill-to), and its
    entry's hash in the ledger's chain (invoices.ledger.chain)."""

    recorded_at: str
    recorded_by: str
    action: str
    document: str
    amount: Decimal | None
    date: dt.date | None
    detail: str
    entry_sha256: str = ""          # its hash in the chain ("" for none: added behind the tool)


def _order(entry: Entry) -> tuple:
    return (entry.recorded_at != s.UNKNOWN, entry.recorded_at)


def activity(ledger: Ledger, user: str | None = None) -> list[Entry]:
    """Every record in the order made, its author as recorded (a database role on PostgreSQL;
    on SQLite the login name, and whom it was made on behalf of): of one user, if given."""
    i, p, v, d, c, t = (s.invoices.c, s.payments.c, s.payment_voids.c, s.disputes.c,
                        s.credits.c, s.terminations.c)
    made: list[tuple[str, int, Entry]] = []          # (chain kind, key, entry)
    with ledger.read() as conn:
        chained = {(r.kind, r.ref): (r.seq, r.entry_sha256) for r in conn.execute(
            select(s.chain.c.kind, s.chain.c.ref, s.chain.c.seq, s.chain.c.entry_sha256))}
        for r in conn.execute(select(i.issued_at, i.issued_by, i.number, i.total_cents,
                                     i.invoice_date, i.bill_to, i.month)):
            made.append(("invoice", r[2], Entry(r[0], r[1], "invoice issued", f"invoice {r[2]:06d}",
                                                from_cents(r[3]), r[4], f"{r[5]}, {r[6]}")))
        for r in conn.execute(select(p.recorded_at, p.recorded_by, p.id, p.amount_cents, p.date,
                                     p.invoice)):
            made.append(("payment", r[2], Entry(r[0], r[1], "payment", f"payment {r[2]}",
                                                from_cents(r[3]), r[4], f"on invoice {r[5]:06d}")))
        for r in conn.execute(select(v.recorded_at, v.recorded_by, v.payment, p.amount_cents,
                                     v.date, v.reason, v.id)
                              .select_from(s.VOIDED_PAYMENTS)):
            made.append(("void", r[6], Entry(r[0], r[1], "payment voided", f"payment {r[2]}",
                                             from_cents(r[3]), r[4], r[5])))
        for r in conn.execute(select(d.recorded_at, d.recorded_by, d.id, d.amount_cents, d.date,
                                     d.invoice, d.reason, d.resolved_at, d.resolved_by,
                                     d.resolved_date, d.resolution)):
            made.append(("dispute", r[2], Entry(r[0], r[1], "dispute raised", f"dispute {r[2]}",
                                                from_cents(r[3]), r[4],
                                                f"invoice {r[5]:06d}: {r[6]}")))
            if r[9] is not None:
                made.append(("resolution", r[2], Entry(r[7], r[8], "dispute resolved",
                                                       f"dispute {r[2]}", None, r[9], r[10])))
        x = s.dispute_extensions.c
        for r in conn.execute(select(x.recorded_at, x.recorded_by, x.dispute, x.until, x.reason,
                                     x.id)):
            made.append(("extension", r[5], Entry(r[0], r[1], "dispute extended",
                                                  f"dispute {r[2]}", None, r[3], r[4])))
        for r in conn.execute(select(c.recorded_at, c.recorded_by, c.number, c.amount_cents,
                                     c.date, c.invoice, c.reason)):
            made.append(("credit", r[2], Entry(r[0], r[1], "credit note",
                                               f"credit note {r[2]:06d}", from_cents(r[3]), r[4],
                                               f"invoice {r[5]:06d}: {r[6]}")))
        for r in conn.execute(select(t.recorded_at, t.recorded_by, t.kind, t.date, t.reason,
                                     t.id)):
            terminated = r[2] == "terminated"
            made.append(("termination" if terminated else "withdrawal", r[5], Entry(
                r[0], r[1], "termination" if terminated else "termination withdrawn", "PSA",
                None, r[3], r[4] or "")))
        made += _cash_entries(conn)
    # In the chain's order, the order of commit: a recording time is what the row says, and a
    # row written by hand can say any; entries missing from the chain last, by their time.
    found = sorted(((chained.get((kind, ref), (0, ""))[0],
                     replace(entry, entry_sha256=chained.get((kind, ref), (0, ""))[1]))
                    for kind, ref, entry in made),
                   key=lambda pair: (pair[0] == 0, pair[0], *_order(pair[1])))
    found = [entry for _, entry in found]
    if user is not None:
        found = [e for e in found if user in names_of(e.recorded_by)]   # or on behalf of
    return found


def _cash_entries(conn) -> list[tuple[str, int, Entry]]:
    """Cash received and where it went, letters and messages (schemas 7 and 8): each entry
    with its chain kind and key."""
    b, a, r, x, m, o = (s.bank_lines.c, s.cash_applications.c, s.refunds.c,
                        s.bank_line_reversals.c, s.reminders.c, s.outbox.c)
    made = []
    for q in conn.execute(select(b.recorded_at, b.recorded_by, b.id, b.amount_cents, b.date,
                                 b.customer, b.payer, b.source)):
        made.append(("bank_line", q[2], Entry(q[0], q[1], "bank line imported",
                                              f"bank line {q[2]}", from_cents(q[3]), q[4],
                                              f"{q[5]} (paid by {q[6]}), {q[7]}")))
    for q in conn.execute(select(a.recorded_at, a.recorded_by, a.id, a.payment, a.customer,
                                 a.bank_line)):
        source = f"bank line {q[5]}" if q[5] is not None else "unapplied cash"
        made.append(("application", q[2], Entry(q[0], q[1], "cash applied", f"payment {q[3]}",
                                                None, None, f"{q[4]}, from {source}")))
    for q in conn.execute(select(r.recorded_at, r.recorded_by, r.id, r.amount_cents, r.date,
                                 r.customer, r.reason)):
        made.append(("refund", q[2], Entry(q[0], q[1], "refund", f"refund {q[2]}",
                                           from_cents(q[3]), q[4], f"{q[5]}: {q[6]}")))
    for q in conn.execute(select(x.recorded_at, x.recorded_by, x.id, x.bank_line, x.date,
                                 x.reason, b.amount_cents)
                          .join_from(s.bank_line_reversals, s.bank_lines, b.id == x.bank_line)):
        made.append(("reversal", q[2], Entry(q[0], q[1], "bank line reversed",
                                             f"bank line {q[3]}", from_cents(q[6]), q[4], q[5])))
    for q in conn.execute(select(m.recorded_at, m.recorded_by, m.id, m.invoice, m.as_of,
                                 m.stage, m.customer)):
        made.append(("reminder", q[2], Entry(q[0], q[1], "reminder sent", f"invoice {q[3]:06d}",
                                             None, q[4], f"{q[5]} to {q[6]}")))
    f = s.letter_files.c
    for q in conn.execute(select(f.recorded_at, f.recorded_by, f.id, f.file, f.sha256)):
        made.append(("letter", q[2], Entry(q[0], q[1], "letter written", q[3], None, None,
                                           f"SHA-256 {q[4]}")))
    for q in conn.execute(select(o.sent_at, o.recorded_by, o.id, o.document, o.recipient,
                                 o.result)):
        made.append(("message", q[2], Entry(q[0], q[1], "document e-mailed", q[3], None, None,
                                            f"to {q[4]}: {q[5]}")))
    return made
