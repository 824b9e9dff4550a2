"""Schema migrations of a ledger, on SQLite and PostgreSQL alike, with Alembic.

A ledger knows its revision (Alembic's `alembic_version` table) and its schema version
(`ledger_meta`). A new ledger is made whole from `invoices.ledger.schema` and stamped with the newest
revision; an older one is moved forward by the migration scripts in `invoices/migrations`,
one write transaction for all of them, so an upgrade that fails leaves the ledger as it was.
A schema-3 ledger (made before Alembic managed the schema) is first stamped with the baseline
revision. Schema 2 is older still and has its own one-off upgrade (`invoices.ledger.upgrade`).
"""

from __future__ import annotations

from pathlib import Path

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "schema3"                     # the revision of a ledger of schema 3


def _config(conn):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def revision(conn) -> str | None:
    """The ledger's revision; None for one made before Alembic managed the schema."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def stamp_new(conn) -> None:
    """Record that a ledger just made from the schema is at the newest revision."""
    from alembic import command

    command.stamp(_config(conn), "head")


def upgrade(conn) -> list[str]:
    """Run every migration the ledger lacks, inside the caller's write transaction; return
    the revisions applied, oldest first."""
    from alembic import command
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from pricing.errors import PricingError

    try:
        if revision(conn) is None:
            command.stamp(_config(conn), BASELINE)
        start = revision(conn)
        scripts = ScriptDirectory(str(MIGRATIONS))
        applied = [s.revision for s in scripts.walk_revisions(start, "head")
                   if s.revision != start][::-1]
        command.upgrade(_config(conn), "head")
    except CommandError as error:          # a revision this code does not know, for one
        raise PricingError(f"cannot upgrade the ledger: {error}") from None
    return applied
