"""Schema 7: cash received and where it went (issue 25).

`bank_lines`: each line of a bank statement imported, once (its identity is unique, so
importing a file again records nothing). `cash_applications`: each payment made from cash,
linked to its bank line (NULL: applied later from the customer's unapplied balance).
`refunds`: unapplied cash paid back. `reminders`: each invoice a reminder letter listed, at
its stage (sent once per invoice and stage). `outbox`: each document e-mailed, sent or
failed. All five are history: appended to the chain, refused
UPDATE and DELETE by triggers like the other history tables.

Revision ID: schema7
Revises: schema6
"""

import sqlalchemy as sa
from alembic import op

revision = "schema7"
down_revision = "schema6"
branch_labels = None
depends_on = None

SCHEMA7_HISTORY = ("bank_lines", "cash_applications", "refunds", "reminders", "outbox")


def upgrade() -> None:
    from invoices.ledger.chain import create_triggers

    op.create_table(
        "bank_lines",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("identity", sa.String(200), nullable=False),
        sa.Column("customer", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("payer", sa.Text(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.UniqueConstraint("identity", name="a_bank_line_is_imported_once"),
        sa.CheckConstraint("amount_cents > 0", name="bank_line_positive"))
    op.create_table(
        "cash_applications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("payment", sa.Integer(), sa.ForeignKey("payments.id"), nullable=False),
        sa.Column("customer", sa.Text(), nullable=False),
        sa.Column("bank_line", sa.Integer(), sa.ForeignKey("bank_lines.id")),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.UniqueConstraint("payment", name="a_payment_is_made_from_cash_once"))
    op.create_table(
        "refunds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer", sa.Text(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.CheckConstraint("amount_cents > 0", name="refund_positive"))
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("customer", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("invoice", sa.BigInteger(), sa.ForeignKey("invoices.number"), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("file", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.UniqueConstraint("invoice", "stage", name="a_stage_is_sent_once_for_an_invoice"))
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("message_id", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.String(32), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False))
    create_triggers(op.get_bind(), SCHEMA7_HISTORY)
    op.execute(sa.text("UPDATE ledger_meta SET value = '7' WHERE key = 'schema_version'"))
