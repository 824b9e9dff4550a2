"""From priced work to invoices and what is owed on them, by part (lowest floor first):

- `invoices.ledger`: the store: schema, migrations, the Ledger, its invariants, copy, upgrade,
  audit log, and the records and output-path claims it keeps. Knows no document and no rule of
  billing or receivables.
- `invoices.receivables`: payments, disputes, credit notes, terminations, payment terms and the
  due date in force, balances, aging, status, statements, the journal. May import the ledger.
- `invoices.billing`: the monthly run: its inputs, the levels and hours it bills, the invoices it
  drafts and issues, explain. May import the ledger and receivables (terms, terminations).
- `invoices.documents`: given records, lays them out: templates, HTML, PDF, workbooks, printing,
  and writing the documents commands left pending. May import everything above.
- `invoices.workflows`: records an entry, then writes its documents (the monthly run, a credit
  note): the one place where billing or receivables meet a document writer.

Everything here may import `pricing`; nothing in `pricing` but its CLI imports `invoices`.
`tests/test_layers.py` keeps these directions true.
"""
