"""Analysis on top of the rules: comparing two quotes, the cost of new tables (impact), the
annual service level review, and the what-if explorer for notebooks.

May import: anything in `pricing` but the CLI. Never `invoices`.
"""
