"""File handling: reading CSV and JSON inputs safely, writing any output through one seam (a
temporary file renamed into place), Arrow array helpers, workbook styles, and HTML views for
notebooks.

May import: `pricing.errors`, `pricing.values`, `pricing.money`. Nothing about the contract.
"""
