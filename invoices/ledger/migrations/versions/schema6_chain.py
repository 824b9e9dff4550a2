"""Schema 6: a verifiable history, and history that refuses rewrites at the database.

Adds `chain`: one row per entry the ledger records (an invoice with its lines, a credit note,
a payment, a void, a dispute raised, resolved or extended, a termination, a withdrawal), each
with the SHA-256 of its canonical content, the previous entry's hash and its own, so a head
kept outside the ledger seals the history up to it. The entries already there are hashed now,
in the order they were recorded (those whose time was not kept first); the upgrade says how
many. Then triggers refuse UPDATE and DELETE of the history's rows, allowing only what the tool
changes by design (a document marked written, a dispute resolved once).

Unlike schema4 and schema5 it uses `invoices.ledger.chain` rather than declaring its own: the
canonical content and the triggers must be exactly those `ledger check` verifies and a new
ledger gets, and the hashing of an entry never changes (a change would break every seal).

Revision ID: schema6
Revises: schema5
"""

import sqlalchemy as sa
from alembic import op

revision = "schema6"
down_revision = "schema5"
branch_labels = None
depends_on = None


# The history tables of schema 6 (a later schema's migration makes its own tables' triggers).
SCHEMA6_HISTORY = ("invoices", "lines", "credits", "payments", "payment_voids", "disputes",
                   "dispute_extensions", "terminations", "chain")


def upgrade() -> None:
    from invoices.ledger.chain import create_triggers, hash_existing

    op.create_table(
        "chain",
        sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("ref", sa.BigInteger(), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("prev_sha256", sa.String(64), nullable=False),
        sa.Column("entry_sha256", sa.String(64), nullable=False),
        sa.UniqueConstraint("kind", "ref", name="one_chain_entry_per_document"),
        sa.UniqueConstraint("entry_sha256", name="chain_hashes_unique"))
    conn = op.get_bind()
    conn.info["chain_hashed"] = hash_existing(conn)
    create_triggers(conn, SCHEMA6_HISTORY)
    op.execute(sa.text("UPDATE ledger_meta SET value = '6' WHERE key = 'schema_version'"))
