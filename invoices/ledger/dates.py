"""Are the ledger's dates, months and summed amounts well formed? The check every command
makes on opening.

SQLite keeps whatever is written into a column, so a row edited by hand can hold 'notadate'
where a date belongs, and a report comparing dates would silently leave that row out. Every
command opening a ledger therefore looks at its dates and months first (a few milliseconds on
10,000 invoices). The check is plain SQL over the columns named here, so a report that reads the
ledger through sqlite3 alone (invoices.ledger.plain) makes it without importing SQLAlchemy;
invoices.ledger.schema refuses to load if these columns and its own differ, and the full check of
every column (invoices.ledger.invariants.values_are_well_formed) uses the same conditions.
"""

from __future__ import annotations

# The tables a report reads by date: each with its key columns and its date and month columns.
# (Lines and the billing state by city are not read by date: `ledger check` looks at them.)
DATED = {
    "invoices": (("number",), ("month", "invoice_date", "due_date")),
    "payments": (("id",), ("date",)),
    "payment_voids": (("id",), ("date",)),
    "disputes": (("id",), ("date", "resolved_date")),
    "dispute_extensions": (("id",), ("until",)),
    "credits": (("number",), ("date",)),
    "terminations": (("id",), ("date",)),
    "bank_lines": (("id",), ("date",)),
    "refunds": (("id",), ("date",)),
    "bank_line_reversals": (("id",), ("date",)),
    "reminders": (("id",), ("as_of",)),
}
# The amounts reports sum: whole numbers of cents (SQL's sum() would count 'abc' as 0 and
# truncate 12.5, so a report would show a wrong balance instead of refusing).
SUMMED = {"invoices": ("total_cents",), "payments": ("amount_cents",),
          "credits": ("amount_cents",), "disputes": ("amount_cents",),
          "bank_lines": ("amount_cents",), "refunds": ("amount_cents",)}
# The only ones of these columns that may be empty (NULL): any other empty is damage.
NULLABLE = frozenset({("disputes", "resolved_date"), ("terminations", "date")})


def bad_month(column: str) -> str:
    """The SQLite condition under which `column` does not hold a month YYYY-MM."""
    name = f'"{column}"'
    return (f"typeof({name}) != 'text' OR length({name}) != 7 OR {name} NOT GLOB "
            f"'[0-9][0-9][0-9][0-9]-[01][0-9]' OR substr({name}, 6, 2) NOT BETWEEN '01' AND '12'")


def bad_date(column: str) -> str:
    """The SQLite condition under which `column` does not hold a date YYYY-MM-DD (the GLOB
    first: date() only for what passes it)."""
    name = f'"{column}"'
    return (f"typeof({name}) != 'text' OR {name} NOT GLOB "
            f"'[0-9][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]' OR substr({name}, 1, 4) = '0000' OR "
            f"ifnull(date({name}, '+0 days'), '') != {name}")       # year 0: SQLite's, not Python's


def bad_amount(column: str) -> str:
    """The SQLite condition under which `column` does not hold a whole number of cents."""
    return f"typeof(\"{column}\") != 'integer'"


def what(column: str) -> str:
    if column.endswith("_cents"):
        return "a whole number"
    return "a month YYYY-MM" if column == "month" else "a date YYYY-MM-DD"


def check_sql(checks: dict[str, tuple[tuple[str, ...], list[tuple[str, str]]]],
              limit: int) -> str | None:
    """One query finding the first bad value of each row: `checks` maps a table to its key
    columns and its (column, SQLite condition under which the value is bad). Its rows are
    (table, key, column, value as stored); None when there is nothing to check. Whether an
    empty value (NULL) is bad is the caller's condition to say."""
    parts = []
    for table, (keys, conditions) in checks.items():
        if not conditions:
            continue
        key = " || ', ' || ".join(f"'{k} ' || quote(\"{k}\")" for k in keys)
        bad = list(conditions)
        which = " ".join(f"WHEN {c} THEN '{n}'" for n, c in bad)
        value = " ".join(f"WHEN {c} THEN substr(quote(\"{n}\"), 1, 40)" for n, c in bad)
        parts.append(f"SELECT '{table}', {key}, CASE {which} END, CASE {value} END "
                     f"FROM \"{table}\" WHERE {' OR '.join(f'({c})' for _, c in bad)}")
    return " UNION ALL ".join(parts) + f" LIMIT {int(limit)}" if parts else None


def damaged_dates(db, limit: int = 4) -> list[str]:
    """The dates, months and summed amounts of `db` (an sqlite3 connection) that are not what
    their column promises (an empty one where it may not be empty included), each named by
    table, key and value: at most `limit` of them."""
    def condition(table: str, column: str) -> str:
        bad = (bad_amount(column) if column.endswith("_cents") else
               bad_month(column) if column == "month" else bad_date(column))
        if (table, column) in NULLABLE:
            return f'"{column}" IS NOT NULL AND ({bad})'
        return f'"{column}" IS NULL OR ({bad})'

    checks = {table: (keys, [(c, condition(table, c))
                             for c in (*columns, *SUMMED.get(table, ()))])
              for table, (keys, columns) in DATED.items()}
    return [f"{table} ({key}): {column} {value} is not {what(column)}"
            for table, key, column, value in db.execute(check_sql(checks, limit)).fetchall()]
