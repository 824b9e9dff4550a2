"""The ledger's schema, declared once with SQLAlchemy Core; every query is built from it.

Billing state is keyed by what is billed, not by how a command was typed:
- `lines` carry the city, the month and the kind of each charge, with a unique key on the three:
  a city is charged at most once per month for each kind (service share, hour blocks, hourly
  hours, integration), whatever its bill-to and whichever invoice carries it.
- `city_months` records each city-month billed (its bill-to, the invoice, the integration sites),
  `city_hours` the hours of every month that priced an invoice, and `city_periods` the level a
  city is billed at for an annual period, fixed the first month it is billed in it.
- `invoices` are unique on (bill_to, month, supplement): supplement 0 is the month's invoice,
  1, 2, ... the supplementary invoices of cities added after it.
Months are stored `YYYY-MM`, dates as dates, money as integer cents; `ledger_meta` names the
file a pricing ledger and holds its schema version and identity. `terminations` is a log: a
termination and its explicit withdrawal are both kept; the last entry says which is in force.

Nothing a user records is ever deleted or edited, and each record says who recorded it and when
(`recorded_by`, `recorded_at`; an invoice's `issued_by`, `issued_at`): a mistaken payment is
reversed by a row of `payment_voids`, dated, with its reason. A dispute's discussion period
extended by agreement (PSA Section 24 as amended: "or such longer period as mutually agreed")
is a row of `dispute_extensions` (schema 5); the latest one's `until` is the period in force.
Every entry is also a row of `chain` (schema 6), the ledger's verifiable history
(`invoices.ledger.chain`), and triggers refuse UPDATE and DELETE of the history's rows. Rows
recorded before schema 4 say
"unknown" where the ledger did not know. The schema changes only through the Alembic migrations
in `invoices/migrations`, so a ledger made by `create_all` and one migrated are the same.
"""

from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, CheckConstraint, Column, Date, ForeignKey,
                        ForeignKeyConstraint, Index, Integer, MetaData, String, Table, Text,
                        UniqueConstraint)

from invoices.ledger.dates import DATED, NULLABLE, SUMMED
from invoices.ledger.opening import APPLICATION, SCHEMA_VERSION, TABLES
from pricing.values import UNKNOWN_AUTHOR

UNKNOWN = UNKNOWN_AUTHOR         # who or when, for a record made before schema 4 kept it

metadata = MetaData()

ledger_meta = Table(
    "ledger_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

sequences = Table(
    "sequences", metadata,
    Column("name", String(32), primary_key=True),
    Column("last", BigInteger, nullable=False),
)

invoices = Table(
    "invoices", metadata,
    Column("number", BigInteger, primary_key=True, autoincrement=False),
    Column("bill_to", Text, nullable=False),
    Column("month", String(7), nullable=False),
    Column("supplement", Integer, nullable=False, default=0),
    Column("invoice_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("terms", Text, nullable=False),
    Column("net_days", Integer, nullable=False),
    Column("contract", Text, nullable=False),
    Column("seller", Text, nullable=False),
    Column("seller_address", Text, nullable=False),
    Column("customer_address", Text, nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("tables_sha256", String(64), nullable=False),
    Column("inputs", Text, nullable=False),
    Column("citations", Text, nullable=False),
    Column("file", Text, nullable=False),
    Column("written", Boolean, nullable=False, default=False),
    Column("issued_at", String(32), nullable=False),
    Column("issued_by", Text, nullable=False),
    UniqueConstraint("bill_to", "month", "supplement", name="one_invoice_per_bill_to_month"),
    CheckConstraint("length(month) = 7", name="month_is_yyyy_mm"),
    CheckConstraint("supplement >= 0", name="supplement_not_negative"),
)

lines = Table(
    "lines", metadata,
    Column("invoice", BigInteger, ForeignKey("invoices.number"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("city", Text, nullable=False),
    Column("month", String(7), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("description", Text, nullable=False),
    Column("quantity", String(48), nullable=False),
    Column("unit_price", String(48), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("source", Text, nullable=False),
    UniqueConstraint("city", "month", "kind", name="one_charge_per_city_month_kind"),
)

city_periods = Table(
    "city_periods", metadata,
    Column("city", Text, primary_key=True),
    Column("period", Integer, primary_key=True),
    Column("level", String(32), nullable=False),
    Column("first_month", String(7), nullable=False),
    Column("invoice", BigInteger, ForeignKey("invoices.number"), nullable=False),
)

city_months = Table(
    "city_months", metadata,
    Column("city", Text, primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("period", Integer, nullable=False),
    Column("bill_to", Text, nullable=False),
    Column("invoice", BigInteger, ForeignKey("invoices.number"), nullable=False),
    Column("integration_sites", Integer, nullable=False),
    ForeignKeyConstraint(["city", "period"], ["city_periods.city", "city_periods.period"]),
)

city_hours = Table(
    "city_hours", metadata,
    Column("city", Text, primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("period", Integer, nullable=False),
    Column("hours", String(48), nullable=False),
    Column("invoice", BigInteger, ForeignKey("invoices.number"), nullable=False),
)

payments = Table(
    "payments", metadata,
    Column("id", Integer, primary_key=True),
    Column("invoice", BigInteger, ForeignKey("invoices.number"), nullable=False),
    Column("date", Date, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", Text, nullable=False),
    CheckConstraint("amount_cents > 0", name="payment_positive"),
)

disputes = Table(
    "disputes", metadata,
    Column("id", Integer, primary_key=True),
    Column("invoice", BigInteger, ForeignKey("invoices.number"), nullable=False),
    Column("date", Date, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("resolved_date", Date),
    Column("resolution", Text),
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", Text, nullable=False),
    Column("resolved_at", String(32)),
    Column("resolved_by", Text),
    CheckConstraint("amount_cents > 0", name="dispute_positive"),
)

credits = Table(
    "credits", metadata,
    Column("number", BigInteger, primary_key=True, autoincrement=False),
    Column("invoice", BigInteger, ForeignKey("invoices.number"), nullable=False),
    Column("date", Date, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("file", Text, nullable=False),
    Column("written", Boolean, nullable=False, default=False),
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", Text, nullable=False),
    CheckConstraint("amount_cents > 0", name="credit_positive"),
)

terminations = Table(
    "terminations", metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("date", Date),
    Column("reason", Text),
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", Text, nullable=False),
    CheckConstraint("kind IN ('terminated', 'withdrawn')", name="termination_kind"),
    CheckConstraint("kind = 'withdrawn' OR date IS NOT NULL", name="termination_has_a_date"),
)

payment_voids = Table(
    "payment_voids", metadata,
    Column("id", Integer, primary_key=True),
    Column("payment", Integer, ForeignKey("payments.id"), nullable=False),
    Column("date", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", Text, nullable=False),
    UniqueConstraint("payment", name="a_payment_is_voided_once"),
)

dispute_extensions = Table(
    "dispute_extensions", metadata,
    Column("id", Integer, primary_key=True),
    Column("dispute", Integer, ForeignKey("disputes.id"), nullable=False),
    Column("until", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", Text, nullable=False),
)

# Cash received and where it went (schema 7, issue 25): a bank line imported once (its
# identity unique), each payment made from cash linked to its bank line (NULL: applied later
# from the customer's unapplied balance), and refunds of unapplied cash. A customer's unapplied
# balance is what it paid in less the payments from cash still standing, less what was refunded.
bank_lines = Table(
    "bank_lines", metadata,
    Column("id", Integer, primary_key=True),
    Column("identity", String(200), nullable=False),
    Column("customer", Text, nullable=False),
    Column("date", Date, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("payer", Text, nullable=False),
    Column("reference", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", Text, nullable=False),
    UniqueConstraint("identity", name="a_bank_line_is_imported_once"),
    CheckConstraint("amount_cents > 0", name="bank_line_positive"),
)

cash_applications = Table(
    "cash_applications", metadata,
    Column("id", Integer, primary_key=True),
    Column("payment", Integer, ForeignKey("payments.id"), nullable=False),
    Column("customer", Text, nullable=False),
    Column("bank_line", Integer, ForeignKey("bank_lines.id")),
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", Text, nullable=False),
    UniqueConstraint("payment", name="a_payment_is_made_from_cash_once"),
)

refunds = Table(
    "refunds", metadata,
    Column("id", Integer, primary_key=True),
    Column("customer", Text, nullable=False),
    Column("date", Date, nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", Text, nullable=False),
    CheckConstraint("amount_cents > 0", name="refund_positive"),
)

# A bank line reversed (schema 8): an import made by mistake, or a transfer the bank recalled.
# The line stays; from the reversal's date its money is no longer received, and the payments made
# from it are voided in the same transaction.
bank_line_reversals = Table(
    "bank_line_reversals", metadata,
    Column("id", Integer, primary_key=True),
    Column("bank_line", Integer, ForeignKey("bank_lines.id"), nullable=False),
    Column("date", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", Text, nullable=False),
    UniqueConstraint("bank_line", name="a_bank_line_is_reversed_once"),
)

# Reminder letters sent (schema 7, issue 25): one row per invoice a letter listed, at its stage,
# so the same stage is never sent twice for the same invoices.
reminders = Table(
    "reminders", metadata,
    Column("id", Integer, primary_key=True),
    Column("customer", Text, nullable=False),
    Column("stage", String(32), nullable=False),
    Column("invoice", BigInteger, ForeignKey("invoices.number"), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("file", Text, nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", Text, nullable=False),
    UniqueConstraint("invoice", "stage", name="a_stage_is_sent_once_for_an_invoice"),
)

# Each reminder letter's file and the SHA-256 of its bytes as written (schema 8): the letter
# e-mailed later is checked against it (a PDF is not made the same twice, so it is not re-derived).
letter_files = Table(
    "letter_files", metadata,
    Column("id", Integer, primary_key=True),
    Column("file", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("recorded_at", String(32), nullable=False),
    Column("recorded_by", Text, nullable=False),
    UniqueConstraint("file", name="a_letter_file_is_recorded_once"),
)

# Documents e-mailed (schema 7, issue 25): each message, sent or failed, with its recipient and
# Message-ID; sending a document again is explicit (`documents send --resend`).
outbox = Table(
    "outbox", metadata,
    Column("id", Integer, primary_key=True),
    Column("document", Text, nullable=False),
    Column("recipient", Text, nullable=False),
    Column("message_id", Text, nullable=False),
    Column("sent_at", String(32), nullable=False),
    Column("result", Text, nullable=False),
    Column("recorded_by", Text, nullable=False),
)

chain = Table(
    "chain", metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(16), nullable=False),
    Column("ref", BigInteger, nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("prev_sha256", String(64), nullable=False),
    Column("entry_sha256", String(64), nullable=False),
    UniqueConstraint("kind", "ref", name="one_chain_entry_per_document"),
    UniqueConstraint("entry_sha256", name="chain_hashes_unique"),
)

# A void with the payment it reverses (the join every report of voids starts from).
VOIDED_PAYMENTS = payment_voids.join(payments, payments.c.id == payment_voids.c.payment)

# Indexes for listing, filtering and aging a ledger of many invoices (the unique constraints
# already index bill_to and a line's city). A ledger made before them gets them the next time a
# command opens it for writing (invoices.ledger.store).
INDEXES = (Index("invoices_by_date", invoices.c.invoice_date),
           Index("invoices_by_month", invoices.c.month),
           Index("invoices_by_total", invoices.c.total_cents),
           Index("payments_by_invoice", payments.c.invoice),
           Index("credits_by_invoice", credits.c.invoice),
           Index("disputes_by_invoice", disputes.c.invoice))

LEDGER_TABLES = frozenset(metadata.tables)
if LEDGER_TABLES != frozenset(TABLES):      # the reports' reader names the tables without this module
    raise ImportError(f"invoices.ledger.opening.TABLES differs from the schema: "
                      f"{sorted(LEDGER_TABLES ^ frozenset(TABLES))}")
_dated = {t.name: (tuple(k.name for k in t.primary_key.columns),
                   tuple(c.name for c in t.columns if c.name == "month" or isinstance(c.type, Date)))
          for t in metadata.sorted_tables
          if t.name not in {"lines", "city_months", "city_hours", "city_periods"}}
if {k: v for k, v in _dated.items() if v[1]} != DATED:     # the check on opening reads DATED
    raise ImportError("invoices.ledger.dates.DATED differs from the schema's date columns")
if {(t, c) for t, (_, columns) in DATED.items() for c in columns
        if metadata.tables[t].c[c].nullable} != NULLABLE or \
        any(c not in metadata.tables[t].c or metadata.tables[t].c[c].nullable
            for t, columns in SUMMED.items() for c in columns):
    raise ImportError("invoices.ledger.dates.NULLABLE or SUMMED differs from the schema")
