"""Schema 3, the baseline: the ledger as it was before Alembic managed it (billing state by
city, month and kind). A schema-3 ledger is stamped with this revision before its first
migration; nothing is changed here.

Revision ID: schema3
Revises:
"""

revision = "schema3"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass
