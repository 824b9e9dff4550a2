"""Schema 4: who recorded what, and payments voided instead of deleted.

Adds `recorded_by` (and `recorded_at` where it was missing) to payments, disputes, credit
notes and terminations, `resolved_by`/`resolved_at` to disputes, `issued_by` to invoices, and
the `payment_voids` table. Rows recorded before keep "unknown" where the old ledger did not
know who or when: the migration never invents an author. It also creates the listing indexes a
schema-3 ledger made before them lacks. Self-contained: it declares what it adds rather than
importing today's schema, which later migrations will change.

Revision ID: schema4
Revises: schema3
"""

import sqlalchemy as sa
from alembic import op

revision = "schema4"
down_revision = "schema3"
branch_labels = None
depends_on = None

UNKNOWN = "unknown"

# table -> the NOT NULL columns it gains, each filled with UNKNOWN on the rows already there
REQUIRED = {
    "invoices": ("issued_by",),
    "payments": ("recorded_by",),
    "disputes": ("recorded_at", "recorded_by"),
    "credits": ("recorded_at", "recorded_by"),
    "terminations": ("recorded_by",),
}
INDEXES = (("invoices_by_date", "invoices", "invoice_date"),
           ("invoices_by_month", "invoices", "month"),
           ("invoices_by_total", "invoices", "total_cents"),
           ("payments_by_invoice", "payments", "invoice"),
           ("credits_by_invoice", "credits", "invoice"),
           ("disputes_by_invoice", "disputes", "invoice"))


def _kind(column: str):
    return sa.String(32) if column.endswith("_at") else sa.Text()


def _terminations_as_a_log() -> None:
    """The first schema-3 tools (commits 0fbf68c to d84e27d's parent) kept one termination
    row (id 1, its date) where schema 3 keeps a log (kind, date, reason): a ledger they made
    says "schema 3" but cannot be hashed by schema 6. Rebuild the table in schema 3's shape,
    each row a termination; a ledger already in that shape is left alone."""
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("terminations")}
    if "kind" in columns:
        return
    op.create_table(
        "terminations_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("date", sa.Date()),
        sa.Column("reason", sa.Text()),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.CheckConstraint("kind IN ('terminated', 'withdrawn')", name="termination_kind"),
        sa.CheckConstraint("kind = 'withdrawn' OR date IS NOT NULL",
                           name="termination_has_a_date"))
    op.execute(sa.text("INSERT INTO terminations_log (id, kind, date, reason, recorded_at) "
                       "SELECT id, 'terminated', date, NULL, recorded_at FROM terminations"))
    op.drop_table("terminations")
    op.rename_table("terminations_log", "terminations")
    if op.get_bind().dialect.name == "postgresql":       # its id's sequence, named as made
        op.execute(sa.text("ALTER SEQUENCE terminations_log_id_seq RENAME TO "
                           "terminations_id_seq"))
        op.execute(sa.text("SELECT setval('terminations_id_seq', "
                           "(SELECT coalesce(max(id), 0) + 1 FROM terminations), false)"))


def upgrade() -> None:
    _terminations_as_a_log()
    for table, columns in REQUIRED.items():
        for column in columns:
            op.add_column(table, sa.Column(column, _kind(column), nullable=True))
        op.execute(sa.table(table, *(sa.column(c) for c in columns)).update()
                   .values({c: UNKNOWN for c in columns}))
        with op.batch_alter_table(table) as batch:        # SQLite: the table is rebuilt
            for column in columns:
                batch.alter_column(column, existing_type=_kind(column), nullable=False)
    op.add_column("disputes", sa.Column("resolved_at", sa.String(32), nullable=True))
    op.add_column("disputes", sa.Column("resolved_by", sa.Text(), nullable=True))
    op.execute(sa.text("UPDATE disputes SET resolved_at = :u, resolved_by = :u "
                       "WHERE resolved_date IS NOT NULL").bindparams(u=UNKNOWN))
    op.create_table(
        "payment_voids",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("payment", sa.Integer(), sa.ForeignKey("payments.id"), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.UniqueConstraint("payment", name="a_payment_is_voided_once"))
    for name, table, column in INDEXES:
        op.create_index(name, table, [column], if_not_exists=True)
    op.execute(sa.text("UPDATE ledger_meta SET value = '4' WHERE key = 'schema_version'"))
