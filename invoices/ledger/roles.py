"""Roles on a ledger on PostgreSQL: who may do what, enforced by the database itself.

Four roles, each a PostgreSQL role (NOLOGIN) holding GRANTs, each holding the one before it:

- `reader`: SELECT on every table (reports, statements, prints, the log, the journal).
- `clerk`: + INSERT payments, payment voids, disputes and their extensions, and the chain
  entries every one of them appends (invoices.ledger.chain); UPDATE of a dispute's resolution
  columns only (resolving one).
- `biller`: + the monthly run (INSERT invoices, lines, city periods, months and hours, sequences)
  and credit notes; UPDATE of `written` and `file` only (a document marked written), of a
  sequence's `last`, and of a city-month's `hours` and `invoice` (hours that arrived late).
- `admin`: + terminations and their withdrawals; may grant the other roles (ADMIN OPTION).

No role, not even admin, holds UPDATE or DELETE on a history table (invoices, lines, credit notes,
payments, voids, disputes, extensions, terminations, the chain), nor TRUNCATE: a rewrite of history is
refused by the server whoever asks. Upgrades change the schema and stay with the ledger's owner.

Role names are cluster-wide in PostgreSQL, grants are per database: each ledger's roles are
named after its database (`ledger_clerk` for the database `ledger`), so a clerk of one ledger
on a server is nothing on another.
"""

from __future__ import annotations

import hashlib
import re

from invoices.ledger import schema as s
from pricing.errors import PricingError

ROLES = ("reader", "clerk", "biller", "admin")           # each holds the one before it

HISTORY = ("invoices", "lines", "credits", "payments", "payment_voids", "disputes",
           "dispute_extensions", "terminations", "chain", "bank_lines", "cash_applications",
           "refunds", "bank_line_reversals", "reminders", "letter_files", "outbox")

# What each role adds: INSERT on tables, UPDATE on these columns only.
INSERTS = {
    "reader": (),
    "clerk": ("payments", "payment_voids", "disputes", "dispute_extensions", "chain",
              "bank_lines", "cash_applications", "refunds", "bank_line_reversals", "reminders",
              "letter_files", "outbox"),
    "biller": ("invoices", "lines", "city_periods", "city_months", "city_hours", "sequences",
               "credits"),
    "admin": ("terminations",),
}
UPDATES = {
    "reader": {},
    "clerk": {"disputes": ("resolved_date", "resolution", "resolved_at", "resolved_by")},
    "biller": {"invoices": ("written", "file"), "credits": ("written", "file"),
               "sequences": ("last",), "city_hours": ("hours", "invoice")},
    "admin": {},
}

# What a command does and the role it needs: the words of a refusal.
ACTIONS = {
    "read": ("reading the ledger", "reader"),
    "run": ("running a month", "biller"),
    "pay": ("recording a payment", "clerk"),
    "void": ("voiding a payment", "clerk"),
    "reverse": ("reversing a bank line", "clerk"),
    "import": ("importing a bank file", "clerk"),
    "apply": ("applying unapplied cash", "clerk"),
    "refund": ("recording a refund", "clerk"),
    "remind": ("recording reminder letters", "clerk"),
    "send": ("sending documents", "clerk"),
    "dispute": ("recording a dispute", "clerk"),
    "resolve": ("resolving a dispute", "clerk"),
    "extend": ("extending a dispute", "clerk"),
    "credit": ("issuing a credit note", "biller"),
    "terminate": ("recording a termination", "admin"),
    "grant": ("granting a role", "admin"),
    "upgrade": ("upgrading the ledger", None),          # a schema change: the tables' owner
}
# A refusal met outside a command (the library called directly): the table says what it was.
TABLE_ACTIONS = {"payments": "pay", "payment_voids": "void", "bank_line_reversals": "reverse",
                 "bank_lines": "import", "cash_applications": "apply", "refunds": "refund",
                 "reminders": "remind", "letter_files": "remind", "outbox": "send",
                 "disputes": "dispute", "dispute_extensions": "extend", "credits": "credit", "terminations": "terminate",
                 "invoices": "run", "lines": "run", "city_periods": "run", "city_months": "run",
                 "city_hours": "run", "ledger_meta": "read"}

INSUFFICIENT_PRIVILEGE = "42501"


def is_refused(error: BaseException) -> bool:
    """Whether a database error is PostgreSQL refusing a privilege (SQLSTATE 42501)."""
    return getattr(getattr(error, "orig", None), "sqlstate", None) == INSUFFICIENT_PRIVILEGE


def refusal(error: BaseException, action: str | None, author: str | None) -> PricingError:
    """The one-line error a refused action is: what was refused, the role it needs, who asked."""
    if action not in ACTIONS:
        table = re.search(r"permission denied for (?:table|relation) (\w+)",
                          str(getattr(error, "orig", error)))
        action = TABLE_ACTIONS.get(table.group(1)) if table else None
    you = f" (you are {author})" if author else ""
    if action not in ACTIONS:
        said = str(getattr(error, "orig", error)).splitlines()[0]
        return PricingError(f"{said}{you}")
    return _denied(action, author)


def _denied(action: str, author: str | None, after: str = "") -> PricingError:
    """`permission denied: recording a payment needs the clerk role (you are rita)`."""
    what, role = ACTIONS[action]
    needed = f"the {role} role" if role else "the ledger's owner (the role that made it)"
    you = f" (you are {author})" if author else ""
    return PricingError(f"permission denied: {what} needs {needed}{you}{after}")


def require_inserts(conn, action: str, tables: tuple[str, ...], author: str | None) -> None:
    """Refuse `action` before it starts unless the session may insert into `tables`, as the
    server would refuse it at the end: for a command that acts outside the ledger first (an
    e-mail sent cannot be taken back, and one sent but not recorded would be sent again).
    Nothing to ask on SQLite, where the file's owner may do everything."""
    from sqlalchemy import text

    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        if not conn.execute(text("SELECT has_table_privilege(:t, 'INSERT')"), {"t": table}).scalar():
            raise _denied(action, author, "; nothing was done")


def role_name(database: str, role: str) -> str:
    """The PostgreSQL role of one of a ledger's roles: `DATABASE_ROLE`, within PostgreSQL's 63
    characters (a long database name is shortened with a hash, never truncated into another)."""
    if role not in ROLES:
        raise PricingError(f"no role {role!r}: the roles are {', '.join(ROLES)}")
    name = f"{database}_{role}"
    if len(name.encode()) <= 63:
        return name
    digest = hashlib.sha256(database.encode()).hexdigest()[:12]
    return f"{database.encode()[:40].decode(errors='ignore')}_{digest}_{role}"


def _quote(conn, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _serial_sequences(conn, table: str) -> list[str]:
    """The sequences behind a table's SERIAL columns (an INSERT takes the next id from them)."""
    found = conn.exec_driver_sql(
        "SELECT pg_get_serial_sequence(%(t)s, a.attname) FROM pg_attribute a "
        "WHERE a.attrelid = %(t)s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        {"t": table}).scalars().all()
    return [name for name in found if name]


def _make_role(conn, database: str, role: str) -> str:
    """Create one of the ledger's roles if it does not exist, and give it its GRANTs (again:
    GRANT is idempotent, so a ledger upgraded since gets any table new to it)."""
    name = role_name(database, role)
    q = _quote(conn, name)
    exists = conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s",
                                  {"n": name}).first()
    if exists is None:
        conn.exec_driver_sql(f"CREATE ROLE {q} NOLOGIN")
    level = ROLES.index(role)
    if level:
        conn.exec_driver_sql(f"GRANT {_quote(conn, role_name(database, ROLES[level - 1]))} "
                             f"TO {q}")
    if role == "reader":
        names = sorted(s.metadata.tables) + ["alembic_version"]
        conn.exec_driver_sql(f"GRANT SELECT ON {', '.join(names)} TO {q}")
    for table in INSERTS[role]:
        conn.exec_driver_sql(f"GRANT INSERT ON {table} TO {q}")
        for sequence in _serial_sequences(conn, table):
            conn.exec_driver_sql(f"GRANT USAGE ON SEQUENCE {sequence} TO {q}")
    for table, columns in UPDATES[role].items():
        conn.exec_driver_sql(f"GRANT UPDATE ({', '.join(columns)}) ON {table} TO {q}")
    if role == "admin":
        for lower in ROLES[:-1]:
            conn.exec_driver_sql(f"GRANT {_quote(conn, role_name(database, lower))} TO {q} "
                                 f"WITH ADMIN OPTION")
    return name


def grant(ledger, role: str, to: str, revoke: bool = False) -> str:
    """Give a database user one of the ledger's roles (or take it back), in one transaction;
    the roles are made on first use. Returns the PostgreSQL role's name."""
    if not ledger.server:
        raise PricingError("roles are for a ledger on PostgreSQL; an SQLite ledger is one "
                           "person's file, guarded by its file permissions")
    with ledger.write() as conn:
        database = conn.exec_driver_sql("SELECT current_database()").scalar()
        if conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %(n)s",
                                {"n": to}).first() is None:
            raise PricingError(f"no database user {to!r} on the server: create it first "
                               f"(createuser {to})")
        name = role_name(database, role)
        ours = {role_name(database, r): r for r in ROLES}
        if to in ours:
            raise PricingError(f"{to} is this ledger's {ours[to]} role, not a database user: "
                               f"roles are given to the users who log in")
        if revoke:
            conn.exec_driver_sql(f"REVOKE {_quote(conn, name)} FROM {_quote(conn, to)}")
            def holds(which: str) -> bool:
                return bool(conn.exec_driver_sql(
                    "SELECT pg_has_role(%(u)s, %(r)s, 'MEMBER') FROM pg_roles WHERE rolname = "
                    "%(r)s", {"u": to, "r": role_name(database, which)}).scalar())

            if holds(role):
                held = [r for r in ROLES[ROLES.index(role) + 1:] if holds(r)]
                through = held[-1] if held else "another role"
                raise PricingError(f"{to} holds {role} through {through} (each role holds the "
                                   f"ones before it): revoke {through} instead; nothing changed")
            return name
        owner = conn.exec_driver_sql(
            "SELECT pg_has_role(session_user, tableowner, 'USAGE') FROM pg_tables "
            "WHERE schemaname = current_schema() AND tablename = 'invoices'").scalar()
        for lower in ROLES[:ROLES.index(role) + 1]:
            if owner:                     # an admin grants the roles the owner made
                _make_role(conn, database, lower)
        conn.exec_driver_sql(f"GRANT {_quote(conn, name)} TO {_quote(conn, to)}")
    return name


def roles_of(ledger, user: str) -> list[str]:
    """The ledger roles a database user holds, directly or through another role."""
    with ledger.read() as conn:
        database = conn.exec_driver_sql("SELECT current_database()").scalar()
        return [role for role in ROLES
                if conn.exec_driver_sql(
                    "SELECT pg_has_role(%(u)s, %(r)s, 'MEMBER') FROM pg_roles "
                    "WHERE rolname = %(r)s", {"u": user, "r": role_name(database, role)}).scalar()]
