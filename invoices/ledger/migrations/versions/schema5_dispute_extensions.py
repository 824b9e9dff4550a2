"""Schema 5: a dispute's discussion period extended by agreement.

PSA Section 24 as amended by Amendment 3 gives a disputed amount "twenty (20) days, or such
longer period as mutually agreed" of good-faith discussion. Each agreed extension is a row of
`dispute_extensions`, never updated: the latest row's `until` is the period in force, and who
recorded it and when are kept as for every other record. Self-contained, like schema4.

Revision ID: schema5
Revises: schema4
"""

import sqlalchemy as sa
from alembic import op

revision = "schema5"
down_revision = "schema4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dispute_extensions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dispute", sa.Integer(), sa.ForeignKey("disputes.id"), nullable=False),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False))
    op.execute(sa.text("UPDATE ledger_meta SET value = '5' WHERE key = 'schema_version'"))
