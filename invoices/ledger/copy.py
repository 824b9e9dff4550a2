"""Copy a whole ledger to another backend (SQLite to PostgreSQL or back).

The copy holds every row of every table, in foreign-key order, numbers included. It gets an
identity of its own (recorded with the source's as `copied_from`): the source stays usable, and
two ledgers carrying one identity would each take the other's documents for their own and
overwrite them. So the copy refuses to overwrite a document the source wrote, as any other
ledger does. The destination must be new or empty; it is filled in one write transaction, so
a copy that fails leaves it as it was.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, text

from invoices.ledger import schema as s
from invoices.ledger.invariants import check
from invoices.ledger.store import Ledger, is_server, ledger_files
from pricing.errors import PricingError

BATCH = 5_000


def copy_ledger(source, destination) -> dict[str, int]:
    """Copy ledger `source` into `destination` (addresses: a path or a PostgreSQL URL); return
    the rows copied per table. The source is read, never changed; its invariants must hold."""
    if not is_server(destination) and not is_server(source):
        theirs = ledger_files(source).get(Path(destination).resolve())
        if theirs:
            raise PricingError(f"{destination}: that is {theirs}; copy into a new file or "
                               f"database")
    with Ledger(source, "read") as src:
        broken = {k: v for k, v in check(src).items() if v}
        if broken:
            raise PricingError(f"{src.where}: the ledger does not pass `ledger check` "
                               f"({', '.join(broken)}); fix it before copying")
        with Ledger(destination, "create") as dst:
            if src.where == dst.where:
                raise PricingError(f"{dst.where}: that is the source ledger")
            try:
                copied = _copy(src, dst)
            except BaseException:
                dst.discard_if_new()
                raise
    return copied


def _copy(src: Ledger, dst: Ledger) -> dict[str, int]:
    copied: dict[str, int] = {}
    with src.read() as reading, dst.write() as writing:
        for table in sorted(s.metadata.sorted_tables, key=lambda t: t is not s.invoices):
            if table is not s.ledger_meta and writing.execute(
                    select(func.count()).select_from(table)).scalar():
                raise PricingError(f"{dst.where}: not empty ({table.name} has rows); a ledger "
                                   f"is copied only into a new one")
        own = dict(writing.execute(select(s.ledger_meta.c.key, s.ledger_meta.c.value)).all())
        writing.execute(s.ledger_meta.delete())
        for table in s.metadata.sorted_tables:
            rows = reading.execute(table.select()).mappings()
            count = 0
            while batch := rows.fetchmany(BATCH):
                writing.execute(table.insert(), [dict(r) for r in batch])
                count += len(batch)
            copied[table.name] = count
        meta = s.ledger_meta.c
        source_id = reading.execute(select(meta.value).where(meta.key == "ledger_id")).scalar()
        writing.execute(s.ledger_meta.update().where(meta.key == "ledger_id")
                        .values(value=own["ledger_id"]))
        writing.execute(s.ledger_meta.delete().where(meta.key == "copied_from"))
        writing.execute(s.ledger_meta.insert().values(key="copied_from", value=source_id))
        if dst.server:                      # ids inserted as they were: move the counters on
            for table in (s.payments, s.disputes, s.terminations, s.payment_voids):
                writing.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table.name}), 0) + 1, false)"))
    return copied
