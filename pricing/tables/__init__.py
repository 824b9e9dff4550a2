"""The contract's numbers: versioned CSV tables, verified against their manifest."""

from pricing.tables.loader import (TableSet, TableVersion, check_tables, load_tables,
                                   resolve_tables_dir)

__all__ = ["TableSet", "TableVersion", "check_tables", "load_tables", "resolve_tables_dir"]
