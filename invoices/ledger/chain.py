"""The ledger's verifiable history: one hash chain of every entry, in the order committed.

Each entry the ledger records (an invoice with its lines, a credit note, a payment, a payment's
void, a dispute raised, resolved or extended, a termination and its withdrawal) appends one row
to `chain` in the same transaction, through `append`: the SHA-256 of the entry's canonical
content, the previous entry's hash, and its own hash over both (and its place and kind). Writers
hold the ledger's write lock one at a time, so the chain's order is the commit order.

Canonical content is every stored field a document or a balance depends on (amounts, dates,
due dates, parties, bill-to, terms, inputs, lines, author, time recorded) as sorted JSON; only
what the tool changes by design is left out (where a document was written, and whether). The
last entry's hash is the ledger's head: kept outside the ledger (`pricing ledger head`), it
seals the history up to it, and `verify(..., head=HEX)` says whether the ledger still holds
that history as its prefix.

Triggers (`TRIGGERS`, SQLite and PostgreSQL) refuse UPDATE and DELETE of the history's rows at
the database, allowing only a document marked written and a dispute's resolution recorded
once. Anyone holding an SQLite file can drop them: the chain and the seal are what catch that.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select

from invoices.ledger import schema as s

GENESIS = "0" * 64

# Columns a kind of entry leaves out of its content: what the tool changes by design.
_DOCUMENT_FILE = ("file", "written")
_RESOLUTION = ("resolved_date", "resolution", "resolved_at", "resolved_by")
LINE_COLUMNS = [c.name for c in s.lines.columns]


@dataclass(frozen=True)
class Kind:
    """One kind of entry. Attributes: name (in the chain), table, key (its column), label
    (how a message names the document), omit (columns not hashed), only (columns hashed, when
    the entry is part of a row: a dispute's resolution)."""

    name: str
    table: object
    key: str
    label: str
    omit: tuple[str, ...] = ()
    only: tuple[str, ...] = ()

    def name_of(self, ref: int) -> str:
        return self.label.format(ref=ref)

    @functools.lru_cache(maxsize=64)      # noqa: B019 (a handful of kinds, alive for the run)
    def _hashed(self, fields: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
        """(column, its place in a row of `fields`) of the columns this kind hashes."""
        wanted = (self.key, *self.only) if self.only else \
            tuple(f for f in fields if f not in self.omit)
        return tuple((name, fields.index(name)) for name in wanted)

    def content(self, row, lines=None) -> dict:
        mapping = {name: row[i] for name, i in self._hashed(row._fields)}
        if lines is not None:                       # each line its values, in LINE_COLUMNS order
            mapping["lines"] = [list(line) for line in lines]
            mapping["line_columns"] = LINE_COLUMNS
        return {"kind": self.name, **mapping}


KINDS = {k.name: k for k in (
    Kind("invoice", s.invoices, "number", "invoice {ref:06d}", _DOCUMENT_FILE),
    Kind("credit", s.credits, "number", "credit note {ref:06d}", _DOCUMENT_FILE),
    Kind("payment", s.payments, "id", "payment {ref}"),
    Kind("void", s.payment_voids, "id", "payment void {ref}"),
    Kind("dispute", s.disputes, "id", "dispute {ref}", _RESOLUTION),
    Kind("resolution", s.disputes, "id", "dispute {ref}'s resolution", only=_RESOLUTION),
    Kind("extension", s.dispute_extensions, "id", "dispute extension {ref}"),
    Kind("termination", s.terminations, "id", "termination {ref}"),
    Kind("withdrawal", s.terminations, "id", "termination withdrawal {ref}"),
    Kind("bank_line", s.bank_lines, "id", "bank line {ref}"),
    Kind("application", s.cash_applications, "id", "cash application {ref}"),
    Kind("refund", s.refunds, "id", "refund {ref}"),
    Kind("reversal", s.bank_line_reversals, "id", "bank line reversal {ref}"),
    Kind("reminder", s.reminders, "id", "reminder {ref}"),
    Kind("letter", s.letter_files, "id", "letter file {ref}"),
    Kind("message", s.outbox, "id", "message {ref}"),
)}


def _json_value(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"cannot hash a {type(value).__name__}")


def content_sha256(content: dict) -> str:
    """The SHA-256 of an entry's canonical content (sorted, compact JSON, UTF-8)."""
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_json_value)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_sha256(seq: int, kind: str, ref: int, content: str, prev: str) -> str:
    """An entry's own hash: its place, kind, document, content hash and the previous hash."""
    return hashlib.sha256(f"{seq}:{kind}:{ref}:{content}:{prev}".encode("ascii")).hexdigest()


def _lines_of(conn, number: int):
    return conn.execute(s.lines.select().where(s.lines.c.invoice == number)
                        .order_by(s.lines.c.position)).all()


def _content(conn, kind: Kind, ref: int) -> dict | None:
    row = conn.execute(kind.table.select().where(kind.table.c[kind.key] == ref)).first()
    if row is None:
        return None
    return kind.content(row, _lines_of(conn, ref) if kind.name == "invoice" else None)


def head(conn) -> tuple[int, str]:
    """(entries, head): how many entries the chain holds and the last one's hash."""
    c = s.chain.c
    last = conn.execute(select(c.seq, c.entry_sha256).order_by(c.seq.desc()).limit(1)).first()
    return (0, GENESIS) if last is None else (last.seq, last.entry_sha256)


def append(conn, kind: str, ref: int) -> str:
    """Append the entry just recorded (`kind`, its document's key) to the chain, inside the
    write transaction that recorded it; return the new head. The one way entries are chained."""
    found = KINDS[kind]
    content = _content(conn, found, ref)
    if content is None:
        raise LookupError(f"{found.name_of(ref)} is not in the ledger: nothing to chain")
    seq, prev = head(conn)
    seq += 1
    digest = content_sha256(content)
    entry = entry_sha256(seq, kind, ref, digest, prev)
    conn.execute(s.chain.insert().values(seq=seq, kind=kind, ref=ref, content_sha256=digest,
                                         prev_sha256=prev, entry_sha256=entry))
    return entry


def _recorded(conn) -> list[tuple[str, str, int]]:
    """Every entry a ledger holds as (time recorded, kind, key): for hashing the entries of a
    ledger made before the chain, in the order recorded (unknown times first, then by kind as
    the tool records them and by key)."""
    i, p, v, d, x, c, t = (s.invoices.c, s.payments.c, s.payment_voids.c, s.disputes.c,
                           s.dispute_extensions.c, s.credits.c, s.terminations.c)
    found = [(r[0], "invoice", r[1]) for r in conn.execute(select(i.issued_at, i.number))]
    found += [(r[0], "payment", r[1]) for r in conn.execute(select(p.recorded_at, p.id))]
    found += [(r[0], "void", r[1]) for r in conn.execute(select(v.recorded_at, v.id))]
    for r in conn.execute(select(d.recorded_at, d.id, d.resolved_date, d.resolved_at)):
        found.append((r[0], "dispute", r[1]))
        if r[2] is not None:
            found.append((r[3] or s.UNKNOWN, "resolution", r[1]))
    found += [(r[0], "extension", r[1]) for r in conn.execute(select(x.recorded_at, x.id))]
    found += [(r[0], "credit", r[1]) for r in conn.execute(select(c.recorded_at, c.number))]
    found += [(r[0], "termination" if r[2] == "terminated" else "withdrawal", r[1])
              for r in conn.execute(select(t.recorded_at, t.id, t.kind))]
    order = list(KINDS)
    return sorted(found, key=lambda e: (e[0] != s.UNKNOWN, e[0], order.index(e[1]), e[2]))


def hash_existing(conn) -> int:
    """Chain every entry of a ledger made before the chain, in the order recorded; return how
    many. Only for a ledger whose chain is empty (a migration, the schema-2 upgrade)."""
    if head(conn)[0]:
        raise ValueError("the ledger's chain is not empty")
    entries = _recorded(conn)
    for _, kind, ref in entries:
        append(conn, kind, ref)
    return len(entries)


@dataclass(frozen=True)
class Verified:
    """What `verify` found. Attributes: entries (in the chain), head (the last hash),
    problems (sentences naming each broken entry and its document, the first broken first),
    sealed (for a head given: the entries it seals, None when the ledger does not hold it)."""

    entries: int
    head: str
    problems: tuple[str, ...]
    sealed: int | None = None

    @property
    def holds(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Stored:
    """What verifying the history reads: each kind's rows (the invoices and their lines from an
    invoices.ledger.snapshot.Snapshot), and the chain's rows in order."""

    rows: dict
    lines: dict
    chain: list


def read_history(conn, snapshot=None) -> Stored:
    """Every entry's rows and the chain, read in bulk (fetchall); the invoices and lines from
    `snapshot` when given."""
    from invoices.ledger.snapshot import read_all

    snapshot = snapshot or read_all(conn)
    tables = {kind.table for kind in KINDS.values()} - {s.invoices}
    rows = {table.name: conn.execute(table.select()).all() for table in tables}
    rows[s.invoices.name] = snapshot.invoices
    return Stored(rows, snapshot.lines,
                  conn.execute(s.chain.select().order_by(s.chain.c.seq)).all())


def _all_contents(stored: Stored) -> dict[tuple[str, int], dict]:
    """Every entry's canonical content as stored now, by (kind, key)."""
    found = {}
    for kind in KINDS.values():
        for row in stored.rows[kind.table.name]:
            ref = row._mapping[kind.key]
            if kind.name == "resolution" and row.resolved_date is None:
                continue
            if kind.table is s.terminations and (row.kind == "terminated") != (
                    kind.name == "termination"):
                continue
            found[kind.name, ref] = kind.content(
                row, stored.lines.get(ref, []) if kind.name == "invoice" else None)
    return found


def verify(conn, sealed_head: str | None = None, snapshot=None) -> Verified:
    """Verify the chain entry by entry against the rows as stored now (`verify_history` of
    what `read_history` reads)."""
    return verify_history(read_history(conn, snapshot), sealed_head)


def verify_history(stored: Stored, sealed_head: str | None = None) -> Verified:
    """Verify the chain entry by entry against the rows as read (`read_history`): each entry's
    content, its link to the one before, its own hash, and that every entry of the ledger is in
    the chain. With `sealed_head` (a head kept outside the ledger), also that the ledger's
    history still holds the sealed history as its prefix. Pure computation on rows read: it
    may run in another process (pricing.in_parallel)."""
    contents = _all_contents(stored)
    problems: list[str] = []
    prev, seq, hashes = GENESIS, 0, {}
    chained = set()
    for row in stored.chain:
        seq += 1
        kind = KINDS.get(row.kind)
        hashes[row.entry_sha256] = row.seq
        chained.add((row.kind, row.ref))
        if row.seq == seq and row.prev_sha256 == prev and kind is not None:    # the usual case
            content = contents.get((row.kind, row.ref))
            if content is not None and content_sha256(content) == row.content_sha256 and \
                    row.entry_sha256 == entry_sha256(row.seq, row.kind, row.ref,
                                                     row.content_sha256, row.prev_sha256):
                prev = row.entry_sha256
                continue
        name = kind.name_of(row.ref) if kind else f"entry {row.seq} ({row.kind} {row.ref})"
        where = f"chain entry {row.seq}"
        if row.seq != seq:
            problems.append(f"{name}: {where} is out of place (expected entry {seq}): entries "
                            f"were deleted or reordered")
            seq = row.seq
        if row.prev_sha256 != prev:
            problems.append(f"{name}: {where} does not follow the entry before it (its previous "
                            f"hash does not match): the chain was cut or rewritten")
        if row.entry_sha256 != entry_sha256(row.seq, row.kind, row.ref, row.content_sha256,
                                            row.prev_sha256):
            problems.append(f"{name}: {where}'s own hash does not match its contents")
        prev = row.entry_sha256
        content = contents.get((row.kind, row.ref)) if kind else None
        if content is None:
            problems.append(f"{name}: missing from the ledger (recorded as {where})")
        elif content_sha256(content) != row.content_sha256:
            problems.append(f"{name}: content does not match its recorded hash")
    for kind, ref in sorted(set(contents) - chained, key=lambda e: (list(KINDS).index(e[0]), e[1])):
        problems.append(f"{KINDS[kind].name_of(ref)}: not in the chain (recorded behind the "
                        f"tool's back)")
    sealed = None
    if sealed_head is not None:
        wanted = sealed_head.strip().lower()
        sealed = 0 if wanted == GENESIS else hashes.get(wanted)   # an empty history's seal
        if sealed is None:
            problems.insert(0, f"the sealed head {sealed_head.strip()} is not in this ledger's "
                               f"history of {seq} entries: an entry before the seal was changed "
                               f"or deleted (and the chain rehashed), or the history was cut back "
                               f"past it")
    return Verified(seq, prev, tuple(problems), sealed)


def verify_document(conn, kind: str, ref: int) -> str | None:
    """Whether one document still is what its chain entry recorded: None if so, else why not
    (for a re-print, which must not show a tampered document as genuine)."""
    found = KINDS[kind]
    c = s.chain.c
    row = conn.execute(s.chain.select().where(c.kind == kind, c.ref == ref)).first()
    if row is None:
        return f"{found.name_of(ref)}: not in the chain (recorded behind the tool's back)"
    if row.entry_sha256 != entry_sha256(row.seq, row.kind, row.ref, row.content_sha256,
                                        row.prev_sha256):
        return f"{found.name_of(ref)}: its chain entry's own hash does not match its contents"
    content = _content(conn, found, ref)
    if content is None or content_sha256(content) != row.content_sha256:
        return f"{found.name_of(ref)}: content does not match its recorded hash"
    return None


# --- Triggers: the history refuses UPDATE and DELETE at the database -------------------------

# table -> the columns the tool updates by design (none: its rows are never updated)
HISTORY = {
    "invoices": ("written", "file"),
    "lines": (),
    "credits": ("written", "file"),
    "payments": (),
    "payment_voids": (),
    "disputes": _RESOLUTION,
    "dispute_extensions": (),
    "terminations": (),
    "chain": (),
    "bank_lines": (),
    "cash_applications": (),
    "refunds": (),
    "bank_line_reversals": (),
    "reminders": (),
    "letter_files": (),
    "outbox": (),
}
MESSAGE = "ledger history is append-only: {table} rows cannot be {verb}"


def _columns(table: str) -> list[str]:
    return [c.name for c in s.metadata.tables[table].columns]


def sqlite_triggers(tables=None) -> list[tuple[str, str]]:
    """(name, CREATE TRIGGER statement) of SQLite's history triggers (of `tables` only, if
    given: a migration makes those of the tables it adds)."""
    made = []
    for table, allowed in HISTORY.items():
        if tables is not None and table not in tables:
            continue
        fixed = [c for c in _columns(table) if c not in allowed]
        made.append((f"{table}_no_delete",
                     f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN "
                     f"SELECT RAISE(ABORT, '{MESSAGE.format(table=table, verb='deleted')}'); END"))
        made.append((f"{table}_no_update",
                     f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OF {', '.join(fixed)} ON "
                     f"{table} BEGIN SELECT RAISE(ABORT, "
                     f"'{MESSAGE.format(table=table, verb='changed')}'); END"))
    if tables is not None and "disputes" not in tables:
        return made
    made.append(("disputes_resolved_once",
                 f"CREATE TRIGGER disputes_resolved_once BEFORE UPDATE OF "
                 f"{', '.join(_RESOLUTION)} ON disputes WHEN OLD.resolved_date IS NOT NULL "
                 f"BEGIN SELECT RAISE(ABORT, 'ledger history is append-only: a dispute is "
                 f"resolved once'); END"))
    return made


# Who recorded an entry, and when, by column: (author, time). Lines and the chain have none.
_STAMPS = (("issued_by", "issued_at"), ("recorded_by", "sent_at"), ("recorded_by", "recorded_at"))

AUTHOR_FUNCTION = (
    "CREATE OR REPLACE FUNCTION ledger_author_is_the_session() RETURNS trigger LANGUAGE plpgsql "
    "AS $$ DECLARE entry jsonb := to_jsonb(NEW); author text := entry ->> TG_ARGV[0]; "
    "stamped text := entry ->> TG_ARGV[1]; BEGIN "
    # The tables' owner may write any author (ledger copy, upgrades); it can drop triggers too.
    "IF pg_has_role(session_user, (SELECT tableowner FROM pg_tables WHERE schemaname = "
    "TG_TABLE_SCHEMA AND tablename = TG_TABLE_NAME), 'MEMBER') THEN RETURN NEW; END IF; "
    "IF author IS DISTINCT FROM session_user::text THEN RAISE EXCEPTION USING MESSAGE = "
    "'ledger entries name the role that records them: ' || TG_TABLE_NAME || '.' || TG_ARGV[0] "
    "|| ' is ' || coalesce(quote_literal(author), 'NULL') || ', the session is ' || "
    "session_user, ERRCODE = 'check_violation'; END IF; "
    "IF stamped IS NULL OR abs(extract(epoch FROM (stamped::timestamptz - clock_timestamp()))) "
    "> 900 THEN RAISE EXCEPTION USING MESSAGE = 'ledger entries are stamped when they are "
    "recorded: ' || TG_TABLE_NAME || '.' || TG_ARGV[1] || ' is ' || coalesce(stamped, 'NULL') "
    "|| ', the server''s clock says ' || clock_timestamp(), ERRCODE = 'check_violation'; "
    "END IF; RETURN NEW; END $$")


def postgresql_author_triggers(tables=None) -> list[tuple[str, str]]:
    """(name, statements) of the triggers that make a history row's author the session's role
    and its time the server's (within 15 minutes), for every role but the tables' owner: GRANTs
    say which tables a clerk may insert into, not what the rows say (a clerk could record a
    payment as the admin, dated last year). Each drops its trigger first: a migration may make
    them again."""
    made = [("ledger_author_is_the_session", AUTHOR_FUNCTION)]
    for table in HISTORY:
        if tables is not None and table not in tables:
            continue
        columns = set(_columns(table))
        stamp = next((pair for pair in _STAMPS if set(pair) <= columns), None)
        if stamp is None:
            continue
        made.append((f"{table}_author",
                     f"DROP TRIGGER IF EXISTS {table}_author ON {table}; CREATE TRIGGER "
                     f"{table}_author BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION "
                     f"ledger_author_is_the_session('{stamp[0]}', '{stamp[1]}')"))
    if tables is None or "disputes" in tables:
        made.append(("disputes_resolver",
                     "DROP TRIGGER IF EXISTS disputes_resolver ON disputes; CREATE TRIGGER "
                     "disputes_resolver BEFORE UPDATE OF resolved_by, resolved_at ON disputes "
                     "FOR EACH ROW EXECUTE FUNCTION "
                     "ledger_author_is_the_session('resolved_by', 'resolved_at')"))
    return made


def postgresql_triggers(tables=None) -> list[tuple[str, str]]:
    """(name, statement) of PostgreSQL's history triggers and the function they call (the
    triggers of `tables` only, if given)."""
    made = [("ledger_refuse_history_change",
             "CREATE OR REPLACE FUNCTION ledger_refuse_history_change() RETURNS trigger "
             "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION USING MESSAGE = "
             "'ledger history is append-only: ' || TG_TABLE_NAME || ' rows cannot be ' || "
             "CASE TG_OP WHEN 'DELETE' THEN 'deleted' WHEN 'TRUNCATE' THEN 'truncated' "
             "ELSE 'changed' END, ERRCODE = 'insufficient_privilege'; END $$")]
    for table, allowed in HISTORY.items():
        if tables is not None and table not in tables:
            continue
        fixed = [c for c in _columns(table) if c not in allowed]
        made.append((f"{table}_no_delete",
                     f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} FOR EACH ROW "
                     f"EXECUTE FUNCTION ledger_refuse_history_change()"))
        made.append((f"{table}_no_update",
                     f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OF "
                     f"{', '.join(fixed)} ON {table} FOR EACH ROW "
                     f"EXECUTE FUNCTION ledger_refuse_history_change()"))
        made.append((f"{table}_no_truncate",
                     f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                     f"FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_history_change()"))
    if tables is not None and "disputes" not in tables:
        return made + postgresql_author_triggers(tables)
    made.append(("disputes_resolved_once",
                 f"CREATE TRIGGER disputes_resolved_once BEFORE UPDATE OF "
                 f"{', '.join(_RESOLUTION)} ON disputes FOR EACH ROW WHEN "
                 f"(OLD.resolved_date IS NOT NULL) EXECUTE FUNCTION "
                 f"ledger_refuse_history_change()"))
    return made + postgresql_author_triggers(tables)


def create_triggers(conn, tables=None) -> None:
    """Make the history triggers (a new ledger; a migration, of the `tables` it adds)."""
    made = (postgresql_triggers(tables) if conn.dialect.name == "postgresql"
            else sqlite_triggers(tables))
    for _, statement in made:
        conn.exec_driver_sql(statement)


def drop_triggers(conn) -> None:
    """Drop the history triggers: what anyone holding an SQLite file, or a PostgreSQL
    database's owner, can do. For tests of tampering, and for removing a ledger whole."""
    postgres = conn.dialect.name == "postgresql"
    for name, _ in (postgresql_triggers() if postgres else sqlite_triggers()):
        if name in ("ledger_refuse_history_change", "ledger_author_is_the_session"):
            continue
        if postgres:
            table = next(t for t in HISTORY if name.startswith(t + "_")) \
                if not name.startswith("disputes_resolve") else "disputes"
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        else:
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
