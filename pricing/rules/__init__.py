"""The contract's rules, one small module each: agreements and customers, component counts,
service levels, annual periods and re-leveling, hours and blocks, system integration, and
priced lines. (A whole quote, services and equipment, is `pricing.quote`, a floor up.)

May import: `pricing.errors`, `pricing.money`, `pricing.values`, `pricing.tables`,
`pricing.fileio` (reading what the rules need). Never `pricing.analysis`, `pricing.cli` or
`invoices`.
"""
