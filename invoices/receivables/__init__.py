"""What is owed: payments and their voids, disputes and their extensions, credit notes,
terminations; payment terms and the one due date in force; balances, aging, status, adequate
assurance, statements, the invoice list, the journal for the accounting system.

May import: `invoices.ledger`, `pricing`. Never a document writer: a command (or
`invoices.workflows`) writes a credit note's document after it is recorded.
"""
