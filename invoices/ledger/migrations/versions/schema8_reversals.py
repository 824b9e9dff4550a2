"""Schema 8: a bank line reversed (an import made by mistake, a transfer the bank recalled),
and the SHA-256 of each reminder letter's file as written.

`bank_line_reversals`: one row per bank line reversed, dated, with its reason. The line stays
in the ledger (history is append-only); from the reversal's date its money no longer counts as
received, and the payments made from it are voided by the same entry's transaction. History:
appended to the chain, refused UPDATE and DELETE by triggers like the other history tables.

On PostgreSQL, triggers on every history table: a row's author must be the session's role and
its time the server's (within 15 minutes), for every role but the tables' owner.

`letter_files`: each reminder letter's file and the SHA-256 of its bytes, recorded with the
letter, so the letter e-mailed later is proven to be the letter written (a PDF is not made the
same twice, so it cannot be re-derived like an invoice). Also history. Letters written before
schema 8 have none, and are sent as before.

Revision ID: schema8
Revises: schema7
"""

import sqlalchemy as sa
from alembic import op

revision = "schema8"
down_revision = "schema7"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from invoices.ledger.chain import create_triggers

    op.create_table(
        "bank_line_reversals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("bank_line", sa.Integer(), sa.ForeignKey("bank_lines.id"), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.UniqueConstraint("bank_line", name="a_bank_line_is_reversed_once"))
    op.create_table(
        "letter_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.UniqueConstraint("file", name="a_letter_file_is_recorded_once"))
    create_triggers(op.get_bind(), ("bank_line_reversals", "letter_files"))
    # On PostgreSQL, every history table's rows name the session's role and the server's time
    # (schema 6 and 7 ledgers made before this had only the GRANTs and the append-only rule).
    if op.get_bind().dialect.name == "postgresql":
        from invoices.ledger.chain import postgresql_author_triggers

        for _, statement in postgresql_author_triggers():
            op.execute(sa.text(statement))
    op.execute(sa.text("UPDATE ledger_meta SET value = '8' WHERE key = 'schema_version'"))
