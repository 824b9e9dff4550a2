"""Documents: given records, lays them out. Templates and one stylesheet, HTML, PDF (WeasyPrint),
workbooks (XlsxWriter), re-prints, and writing the documents earlier commands left pending.

May import: `invoices.ledger`, `invoices.receivables`, `invoices.billing` (to read their
records), `pricing`. Nothing below imports this package.
"""
