"""The monthly run: its input files, the level each city is billed at (the two-component rule
from what the ledger recorded), the hours it bills (late hours too), the invoices it drafts and
issues in one transaction, and `explain`, which re-prices an invoice from what it recorded.

May import: `invoices.ledger`, `invoices.receivables` (payment terms, terminations), `pricing`.
Never a document writer: `invoices.workflows` writes the workbooks after the run is recorded.
"""
