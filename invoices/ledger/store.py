"""The ledger: the system of record of every invoice, charge, payment and credit note.

It is a file that knows itself: `ledger_meta` names it a pricing ledger and holds its schema
version and a random identity (written into every document, so two ledgers sharing an output
folder never overwrite each other's files). A file that is not a ledger is refused before
anything touches it, so is a ledger newer than this code, and reports open the ledger
read-only and never create one.

Writes are single transactions taken at once (SQLite `BEGIN IMMEDIATE`): two runs queue on the
write lock instead of racing, and a run that fails or is killed before COMMIT records nothing.
Numbers come from the `sequences` row updated inside that transaction, so they never skip.
The schema is `invoices.ledger.schema` (SQLAlchemy Core), the same on every backend.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import uuid
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from invoices.ledger import schema as s
from invoices.ledger.opening import (LEDGER_ENV, SERVER_SCHEMES, check_version,  # noqa: F401
                                     inspect_file, is_server, ledger_files, resolve_ledger,
                                     server_url, shown_address, sqlite_uri)
from invoices.ledger.records import Invoice, InvoiceLine
from pricing.errors import PricingError
from pricing.fileio.writes import WriteError, failed_write, spend
from pricing.money import from_cents

WRITE_LOCK = 0x6B6D6370                 # the advisory lock key writers take on PostgreSQL
SCHEMA_VERSION = s.SCHEMA_VERSION


def _full_disk(error: BaseException, path: Path) -> OSError | None:
    """The full disk behind a failure to make or write a ledger (SQLite's "database or disk
    is full", or an OSError saying so), as an OSError; None for any other failure."""
    import errno

    if isinstance(error, sqlite3.Error) or type(error).__module__.startswith("sqlalchemy"):
        inner = getattr(error, "orig", None) or error
        if getattr(inner, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_FULL or \
                "disk is full" in str(inner):
            return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return None
    return failed_write(error, path)


def _remove_unmade(path: Path) -> None:
    """Remove the file (and SQLite's beside it) a failed creation left, unless it holds a
    ledger after all (one made at the same moment by another run)."""
    try:
        if path.is_file() and inspect_file(path)[0] not in ("missing", "empty"):
            return
    except PricingError:
        return
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        leftover.unlink(missing_ok=True)


class Ledger:
    """An open ledger.

    mode: "create" (a writing command that may start a new ledger: the invoice run), "write"
    (an existing ledger only), "read" (read-only: reports, lists, checks) or "upgrade" (a
    ledger of an older schema, opened only to migrate it). `user` is, on SQLite, the name its
    writes are recorded as made on behalf of, beside the login name (see `recorder`); on
    PostgreSQL the author is the session's database role and a `user` is refused. `action`
    names what the command does (a key of `invoices.ledger.roles.ACTIONS`), so a refusal by the
    server names the role it needs.
    """

    def __init__(self, path: str | os.PathLike | None = None, mode: str = "create",
                 user: str | None = None, action: str | None = None) -> None:
        from sqlalchemy import create_engine, event

        from pricing.values import user_name

        self.path = resolve_ledger(path)
        self.mode = mode
        self.action = action
        self.session_user: str | None = None
        try:
            self.user = None if user is None else user_name(user)
        except ValueError as error:
            raise PricingError(f"user: {error}") from None
        self.version = SCHEMA_VERSION
        self.server = is_server(self.path)
        self.where = shown_address(self.path)
        if self.server:
            if self.user is not None:
                from invoices.ledger.authors import refuse_typed_name

                raise PricingError(refuse_typed_name(self.user))
            self._open_server(mode)
            return
        kind, version = inspect_file(self.path)
        if kind == "missing" and mode != "create":
            raise PricingError(f"no ledger at {self.path}")
        if kind == "empty" and mode != "create":
            raise PricingError(f"{self.path}: an empty file, not a ledger yet")
        if kind == "old-ledger":
            raise PricingError(f"{self.path}: a ledger of schema {version}, older than this "
                               f"tool's {SCHEMA_VERSION}: run `pricing ledger upgrade --ledger "
                               f"{self.path}` once")
        if kind == "ledger":
            self._check_version(version)
        if kind == "missing" and not self.path.parent.is_dir():
            raise PricingError(f"cannot create a ledger at {self.path}: no directory "
                               f"{self.path.parent}")
        readonly = mode == "read"

        def connect() -> sqlite3.Connection:
            target = sqlite_uri(self.path, "ro" if readonly else "rwc")
            db = sqlite3.connect(target, uri=True, timeout=60, isolation_level=None,
                                 check_same_thread=False)
            # A migration rebuilds tables others refer to: SQLite's procedure turns the checks
            # off for it and runs `foreign_key_check` before committing (upgrade_schema).
            db.execute(f"PRAGMA foreign_keys = {'OFF' if mode == 'upgrade' else 'ON'}")
            return db

        self._begin = "BEGIN"
        self.created = False               # this open made the file a new ledger
        self.engine = create_engine("sqlite://", creator=connect)

        @event.listens_for(self.engine, "begin")
        def _begin(conn) -> None:             # our own BEGIN: IMMEDIATE for writes
            conn.exec_driver_sql(self._begin)

        try:
            self.conn = self.engine.connect()
            if not readonly:
                self._use_wal()
                if kind in ("missing", "empty"):
                    self._create()
            if mode != "upgrade":
                self._check_tables()
            self.id = self._meta()["ledger_id"]
        except Exception as error:
            self.close()
            if kind == "missing":
                _remove_unmade(self.path)      # a ledger that could not be made leaves no file
            full = _full_disk(error, self.path)
            if full is not None:
                raise WriteError(self.path, full) from None
            if isinstance(error, PricingError):
                raise
            raise PricingError(f"{self.path}: not a usable ledger ({error})") from None

    def _open_server(self, mode: str) -> None:
        """A ledger in a PostgreSQL database (psycopg 3). The same schema and the same rules;
        writers take a transaction-scoped advisory lock, so they queue as SQLite's BEGIN
        IMMEDIATE makes them queue, and every check inside a write sees the others committed."""
        from sqlalchemy import create_engine, inspect

        url = server_url(self.path).set(drivername="postgresql+psycopg")
        self.created = False
        self.engine = create_engine(url, pool_pre_ping=True)
        try:
            self.conn = self.engine.connect()
            names = set(inspect(self.conn).get_table_names())
            from invoices.ledger.authors import session_author

            self.session_user = session_author(self.conn)
            self.conn.rollback()
            if "ledger_meta" not in names:
                if names:
                    raise PricingError(f"{self.where}: a database but not a pricing ledger (its "
                                       f"tables: {', '.join(sorted(names)[:5])}); left untouched")
                if mode != "create":
                    raise PricingError(f"no ledger at {self.where}")
                self._create()
            meta = self._meta()
            if meta.get("application") != s.APPLICATION:
                raise PricingError(f"{self.where}: a database but not a pricing ledger")
            version = meta.get("schema_version", "")
            if not (version.isascii() and version.isdigit()):     # not '²'
                raise PricingError(f"{self.where}: a pricing ledger with an unreadable schema "
                                   f"version {version!r}")
            self._check_version(int(version))
            if mode != "upgrade":
                self._check_tables()
            self.id = meta["ledger_id"]
        except PricingError:
            self.close()
            raise
        except Exception as error:          # the driver: unreachable, refused, no database
            self.close()
            from invoices.ledger.roles import is_refused, refusal

            if is_refused(error):           # no role on this ledger: not even reading
                raise refusal(error, "read" if mode == "read" else self.action,
                              self.session_user) from None
            raise PricingError(f"{self.where}: cannot use the ledger "
                               f"({str(error).splitlines()[0][:300]})") from None

    def _check_version(self, version: int) -> None:
        """A ledger of another schema is refused, saying what to do; only an upgrade opens an
        older one."""
        how = "with the same --ledger URL" if self.server else f"--ledger {self.path}"
        check_version(self.where, version, how, upgrading=self.mode == "upgrade")
        self.version = version

    def _create(self) -> None:
        """Make a new ledger; a run that created it at the same moment wins, and this one
        finds it made when the write lock comes."""
        from sqlalchemy import inspect

        from invoices.ledger.chain import create_triggers
        from invoices.ledger.migrate import stamp_new

        with self.write() as conn:
            if "ledger_meta" in inspect(conn).get_table_names():
                return
            self.created = True
            s.metadata.create_all(conn)
            create_triggers(conn)
            stamp_new(conn)
            conn.execute(s.ledger_meta.insert(), [
                {"key": "application", "value": s.APPLICATION},
                {"key": "schema_version", "value": str(SCHEMA_VERSION)},
                {"key": "ledger_id", "value": uuid.uuid4().hex},
                {"key": "created_at", "value": now()}])
            if not self.server:             # the injected full disk of the tests (pricing.fileio.writes)
                pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
                spend(self.path, pages * conn.exec_driver_sql("PRAGMA page_size").scalar())

    def upgrade_schema(self) -> list[str]:
        """Migrate this ledger (opened with mode "upgrade") to the current schema in one write
        transaction; return the revisions applied (none when it was current). `hashed` is then
        how many entries the schema-6 migration put in the chain (None: it did not run)."""
        from invoices.ledger.faults import fault_point
        from invoices.ledger.migrate import upgrade

        with self.write() as conn:
            conn.info.pop("chain_hashed", None)
            applied = upgrade(conn)
            self.hashed = conn.info.pop("chain_hashed", None)
            fault_point("migration-before-commit")
            if not self.server:
                dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                if dangling:
                    raise PricingError(f"{self.where}: cannot upgrade; {len(dangling)} rows "
                                       f"refer to rows that do not exist (first in table "
                                       f"{dangling[0][0]}); the ledger is left as it was")
        self.version = SCHEMA_VERSION
        self._check_tables()
        return applied

    @property
    def recorder(self) -> str:
        """Who this ledger's writes are recorded as made by: on PostgreSQL the session's
        database role; on SQLite the login name, with the name given as "on behalf of"."""
        if self.server:
            return self.session_user
        if getattr(self, "_recorder", None) is None:
            from invoices.ledger.authors import recorded_author

            self._recorder = recorded_author(login_name(), self.user)
        return self._recorder

    def _check_tables(self) -> None:
        """A ledger missing one of its tables is damaged: say so, never fail mid-command."""
        from sqlalchemy import inspect

        with self.read() as conn:
            missing = sorted(s.LEDGER_TABLES - set(inspect(conn).get_table_names()))
        if missing:
            raise PricingError(f"{self.path}: a damaged ledger (missing tables: "
                               f"{', '.join(missing)})")

    def _meta(self) -> dict[str, str]:
        with self.read() as conn:
            return dict(conn.execute(s.ledger_meta.select()).all())

    def _use_wal(self, wait_seconds: float = 60) -> None:
        """Switch the file to WAL once (readers never wait on a writer). The switch does not
        wait on the busy timeout, so a run opening the ledger at the same moment retries."""
        import time

        raw = self.conn.connection.dbapi_connection
        deadline = time.monotonic() + wait_seconds
        while raw.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            if time.monotonic() > deadline:
                raise PricingError(f"{self.path}: cannot switch the ledger to WAL mode")
            try:
                raw.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError as error:
                if getattr(error, "sqlite_errorcode", sqlite3.SQLITE_BUSY) & 0xFF not in (
                        sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    raise                   # a full disk does not clear by waiting
                time.sleep(0.05)

    def close(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()
        self.engine.dispose()

    def discard_if_new(self) -> None:
        """A command that created this ledger and then recorded nothing leaves no file: a
        refused first run must not leave an empty ledger behind."""
        if not self.created:
            return
        with self.read() as conn:
            if conn.execute(s.invoices.select().limit(1)).first() is not None:
                return
        if self.server:
            with self.write() as conn:
                s.metadata.drop_all(conn)
                conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            self.close()
            return
        self.close()
        for path in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            path.unlink(missing_ok=True)

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def read(self):
        """A consistent snapshot for reading (a deferred transaction, rolled back)."""
        self._begin = "BEGIN"
        transaction = self.conn.begin()
        try:
            if self.server:
                self.conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield self.conn
        except (ValueError, TypeError, ArithmeticError) as error:
            self._damaged(error)
            raise
        except Exception as error:         # a writing command's own role is the one it needs
            self._refused(error, "read" if self.mode == "read" else self.action)
            raise
        finally:
            transaction.rollback()

    def _damaged(self, error: Exception) -> None:
        """A value that cannot be read while reading the ledger: when a stored value is not
        what its column promises (a row edited by hand), say which, and how to find them all;
        any other error is a bug and goes on as it is."""
        from invoices.ledger.invariants import values_are_well_formed

        try:
            damaged = values_are_well_formed(self.conn)
        except Exception:                   # the check itself cannot read: report the first
            return
        if damaged:
            more = f" (and {len(damaged) - 1} more)" if len(damaged) > 1 else ""
            raise PricingError(f"{self.where} holds a damaged value: {damaged[0]}{more}; "
                               f"`pricing ledger check` lists them") from None

    @contextmanager
    def write(self):
        """One write transaction, taken at once (no upgrade deadlock), committed or rolled back."""
        if self.mode == "read":
            raise PricingError(f"{self.where} is open read-only")
        self._begin = "BEGIN IMMEDIATE"
        try:
            with self.conn.begin():
                if self.server:                  # one writer at a time, as on SQLite
                    self.conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
                try:
                    yield self.conn
                except (ValueError, TypeError, ArithmeticError) as error:
                    self._damaged(error)
                    raise
        except PricingError:
            raise
        except Exception as error:          # rolled back: nothing of it is recorded
            self._refused(error, self.action)
            raise
        finally:
            self._begin = "BEGIN"

    def _refused(self, error: Exception, action: str | None) -> None:
        """The server refusing a privilege (SQLSTATE 42501): a one-line error naming the role
        the action needs and who asked; any other error goes on as it is."""
        from invoices.ledger.roles import is_refused, refusal

        if self.server and is_refused(error):
            raise refusal(error, action, self.session_user) from None

    @staticmethod
    def next_number(conn, name: str = "invoice") -> int:
        """Take the next number of a sequence; call only inside write()."""
        last = conn.execute(s.sequences.select().with_only_columns(s.sequences.c.last)
                            .where(s.sequences.c.name == name)).scalar()
        number = (last or 0) + 1
        if last is None:
            conn.execute(s.sequences.insert().values(name=name, last=number))
        else:
            conn.execute(s.sequences.update().where(s.sequences.c.name == name)
                         .values(last=number))
        return number

    def get(self, number: int, conn=None) -> Invoice:
        if conn is None:
            with self.read() as conn:
                return self.get(number, conn)
        row = conn.execute(s.invoices.select().where(s.invoices.c.number == number)).first()
        if row is None:
            raise PricingError(f"no invoice number {number} in {self.where}")
        found = conn.execute(s.lines.select().where(s.lines.c.invoice == number)
                             .order_by(s.lines.c.position)).all()
        return invoice_of(row, found)

    def unwritten(self) -> list[Invoice]:
        """Issued invoices whose workbook was not confirmed written (a run was stopped, or the
        output could not be written)."""
        with self.read() as conn:
            numbers = conn.execute(s.invoices.select().with_only_columns(s.invoices.c.number)
                                   .where(s.invoices.c.written.is_(False))
                                   .order_by(s.invoices.c.number)).scalars().all()
            return [self.get(n, conn) for n in numbers]

    def mark_written(self, files: dict[int, str], table=s.invoices) -> None:
        """Record that these documents are on disk, at these paths (one transaction)."""
        key = table.c.number
        with self.write() as conn:
            for number, file in files.items():
                conn.execute(table.update().where(key == number).values(written=True, file=file))

    def numbers(self, month: str | None = None, bill_to: str | None = None) -> list[int]:
        query = s.invoices.select().with_only_columns(s.invoices.c.number)
        if month:
            query = query.where(s.invoices.c.month == month)
        if bill_to:
            query = query.where(s.invoices.c.bill_to == bill_to)
        with self.read() as conn:
            return list(conn.execute(query.order_by(s.invoices.c.number)).scalars())


def invoice_of(row, line_rows) -> Invoice:
    """An invoice from its ledger row and its line rows."""
    found = tuple(InvoiceLine(r.city, r.kind, r.description, Decimal(r.quantity),
                              Decimal(r.unit_price), from_cents(r.amount_cents), r.source)
                  for r in line_rows)
    try:
        inputs, citations = json.loads(row.inputs), tuple(json.loads(row.citations))
        if not isinstance(inputs, dict):
            raise ValueError("not an object")
    except ValueError:
        raise PricingError(f"a damaged ledger: invoice {row.number:06d}'s recorded inputs are "
                           f"unreadable") from None
    return Invoice(row.number, row.bill_to, row.month, row.invoice_date, row.due_date, row.terms,
                   row.net_days, row.contract, row.seller, row.seller_address,
                   row.customer_address, found, from_cents(row.total_cents), row.tables_sha256,
                   inputs, citations, row.file, row.supplement)


def login_name() -> str:
    """The login name of whoever runs the tool; an error when the system cannot say (a
    container without a user entry), so no record is ever made by nobody."""
    import getpass

    from pricing.values import user_name

    try:
        name = getpass.getuser()
    except (OSError, KeyError, ImportError):
        name = ""
    if not name.strip():
        raise PricingError("cannot tell who is recording this: give --user NAME (or set "
                           "PRICING_USER)")
    try:
        return user_name(name)
    except ValueError as error:
        raise PricingError(f"the login name cannot be recorded as who made this ({error}): "
                           f"give --user NAME (or set PRICING_USER)") from None


def now() -> str:
    """A recording time: UTC, to the microsecond, so the records a command makes in one
    second keep their order in the log (writes take the write lock one at a time)."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
