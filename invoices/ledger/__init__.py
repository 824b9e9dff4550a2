"""The ledger: the billing team's system of record, on SQLite or PostgreSQL.

The schema (declared once), its Alembic migrations, the store (`store.Ledger`: open, read
snapshots, one write transaction at a time, gap-free numbers), the invariants `ledger check`
verifies, copy between backends, upgrade of old ledgers, the audit log, the records it returns
(`records.Invoice`), and the claims it holds on output paths (`claims`).

May import: `pricing` (values, money, errors, tables, city keys). Nothing else of `invoices`.
"""
