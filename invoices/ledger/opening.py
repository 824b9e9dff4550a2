"""Finding a ledger and knowing what it is, before anything heavy is imported to use it.

A report opens the ledger through Python's sqlite3 alone (invoices.ledger.plain), and a writing
command through SQLAlchemy (invoices.ledger.store); both first resolve the address and look at the
file here, so both refuse the same things with the same words: a file that is not a ledger, a
ledger of another schema, an address of an unknown kind. Nothing here imports SQLAlchemy but the
parsing of a server URL, which only a server address needs.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

from pricing.errors import PricingError

APPLICATION = "kmc-pricing ledger"
SCHEMA_VERSION = 8
# Every table of the current schema; invoices.ledger.schema refuses to load if its tables differ.
TABLES = ("ledger_meta", "sequences", "invoices", "lines", "city_months", "city_hours",
          "city_periods", "payments", "payment_voids", "disputes", "dispute_extensions",
          "credits", "terminations", "chain", "bank_lines", "cash_applications", "refunds",
          "bank_line_reversals", "reminders", "letter_files", "outbox")

LEDGER_ENV = "PRICING_LEDGER"
DEFAULT_LEDGER = "ledger.sqlite3"
# Schema 2 (before the billing-state tables): recognised so its owner is told how to upgrade.
OLD_LAYOUT = {"sequence", "invoices", "lines", "payments", "disputes", "credits", "terminations"}


SERVER_SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):/")


def is_server(address: object) -> bool:
    """Whether a ledger address names a database server (PostgreSQL) rather than a file."""
    return isinstance(address, str) and (address.lower().startswith(SERVER_SCHEMES)
                                         or address.lower().startswith("postgresql+"))


def resolve_ledger(path: str | os.PathLike | None) -> Path | str:
    """The ledger's address: a PostgreSQL URL as it is, `sqlite:///PATH` as PATH, else a file
    path (default: ledger.sqlite3 in the working directory). Any other URL is refused, naming
    only its scheme (it may hold a password)."""
    given = str(path or os.environ.get(LEDGER_ENV) or DEFAULT_LEDGER)
    if is_server(given):
        return given
    if given.startswith("sqlite:///"):
        return Path(given[len("sqlite:///"):])
    scheme = _SCHEME.match(given)
    if scheme:
        raise PricingError(f"a ledger address of the {scheme.group(1)}: kind cannot be used: give "
                           f"a file path or postgresql://user@host/database")
    return Path(given)


def server_url(address: str):
    """The SQLAlchemy URL of a server address; an unreadable one is an error that does not
    repeat it (it may hold a password)."""
    from sqlalchemy.engine import make_url

    try:
        url = make_url(address)
        url.port                                  # parsed lazily: read it now
    except Exception:
        raise PricingError("cannot read the ledger URL (expected postgresql://user:password@"
                           "host[:port]/database, with special characters in the password "
                           "percent-encoded)") from None
    return url


def shown_address(address: Path | str) -> str:
    """An address fit to print: a server URL without its password."""
    if not is_server(address):
        return str(Path(address).resolve())
    return server_url(address).render_as_string(hide_password=True)


def ledger_files(path: Path | str) -> dict[Path, str]:
    """The ledger and the files SQLite keeps beside it: none may be overwritten by an output
    (none for a ledger on a server)."""
    if is_server(path):
        return {}
    resolved = Path(path).resolve()
    files = {resolved: f"the ledger {path}"}
    for suffix in ("-wal", "-shm", "-journal"):
        files[resolved.with_name(resolved.name + suffix)] = f"the ledger's file {path}{suffix}"
    return files


def sqlite_uri(path: Path, mode: str = "ro") -> str:
    """The file as an SQLite URI, quoted: a path that itself looks like a URI (`file:x.db`,
    `x?mode=memory`) is only ever a file name."""
    return f"file:{quote(str(path.resolve()))}?mode={mode}"



def inspect_file(path: Path) -> tuple[str, int | None]:
    """What the file at `path` is, read without changing it: ("missing" | "empty" | "ledger" |
    "old-ledger", schema version). Raises PricingError for anything else."""
    if not path.exists():
        return "missing", None
    if not path.is_file():
        raise PricingError(f"{path}: not a ledger (it is a directory or a special file)")
    if path.stat().st_size == 0:
        return "empty", None
    try:
        db = sqlite3.connect(sqlite_uri(path, "ro"), uri=True, timeout=60)
    except sqlite3.Error as error:
        raise PricingError(f"{path}: cannot open the ledger ({error})") from None
    try:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        objects = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        stamped = (db.execute("PRAGMA user_version").fetchone()[0],
                   db.execute("PRAGMA application_id").fetchone()[0]) != (0, 0)
        if not objects and not stamped:
            return "empty", None
        if not names:
            raise PricingError(f"{path}: an SQLite database but not a pricing ledger (it has no "
                               f"tables); left untouched")
        if "ledger_meta" in names:
            meta = dict(db.execute("SELECT key, value FROM ledger_meta"))
            if meta.get("application") == APPLICATION:
                version = meta.get("schema_version", "")
                if not (version.isascii() and version.isdigit()):     # not '²'
                    raise PricingError(f"{path}: a pricing ledger with an unreadable schema "
                                       f"version {version!r}")
                return "ledger", int(version)
        if OLD_LAYOUT <= names and db.execute("PRAGMA user_version").fetchone()[0] == 2:
            return "old-ledger", 2
        listed = ", ".join(sorted(names)[:5]) + (", ..." if len(names) > 5 else "")
        raise PricingError(f"{path}: an SQLite database but not a pricing ledger (its tables: "
                           f"{listed}); left untouched")
    except sqlite3.DatabaseError as error:
        raise PricingError(f"{path}: not a pricing ledger ({error}); left untouched") from None
    finally:
        db.close()


def check_version(where: str, version: int, upgrade_with: str, upgrading: bool = False) -> None:
    """A ledger of another schema is refused, saying what to do (`upgrade_with`: how the upgrade
    command names the ledger); only an upgrade opens an older one."""
    if version > SCHEMA_VERSION:
        raise PricingError(f"{where}: a ledger of schema {version}, newer than this tool's "
                           f"{SCHEMA_VERSION}: use a newer kmc-pricing")
    if version < SCHEMA_VERSION and not upgrading:
        raise PricingError(f"{where}: a ledger of schema {version}, older than this tool's "
                           f"{SCHEMA_VERSION}: run `pricing ledger upgrade {upgrade_with}` once")
