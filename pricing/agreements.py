"""Is a date within an agreement's term, and is an entity its customer on that date?

Terms and customers come from the `agreements` and `customers` tables (PSA Amendments 1-2,
GA Amendments 2-4). A date outside the term or a bill-to that is not yet a customer is an error.
"""

from __future__ import annotations

import datetime as dt

from pricing.errors import PricingError
from pricing.tables.loader import TableSet


def _normalise(name: str) -> str:
    return " ".join(name.replace(",", " ").replace(".", " ").split()).casefold()


def check_in_term(tables: TableSet, agreement: str, day: dt.date) -> None:
    """Raise unless `day` is within the agreement's term as in force on that day."""
    rows = {row.agreement: row for row in tables.rows("agreements", day)}
    row = rows.get(agreement)
    if row is None:
        raise PricingError(f"the {agreement} is not in force on {day.isoformat()}")
    if day < row.effective:
        raise PricingError(f"{day.isoformat()} is before the {agreement} took effect "
                           f"({row.effective.isoformat()})")
    if row.expires is None:
        # The texts in force that day state no expiry (the GA's original term, Section 1.2,
        # is not filed); a later amendment extends the term, so it had not expired.
        return
    if day > row.expires:
        raise PricingError(f"{day.isoformat()} is after the {agreement} expires "
                           f"({row.expires.isoformat()}, {row.expiry_section})")


def customer_name(tables: TableSet, agreement: str, entity: str, day: dt.date) -> str:
    """The entity's name as the contract writes it, if it is a customer under the agreement
    on `day`; otherwise an error saying since when it is one, or that it never is."""
    wanted = _normalise(entity)
    for row in tables.rows("customers", day):
        if row.agreement == agreement and _normalise(row.entity) == wanted:
            if row.customer_from > day:
                raise PricingError(f"bill_to: {row.entity} is a {agreement} customer only from "
                                   f"{row.customer_from.isoformat()} ({row.section}), "
                                   f"not on {day.isoformat()}")
            return row.entity
    known = sorted(row.entity for row in tables.rows("customers", day) if row.agreement == agreement)
    raise PricingError(f"bill_to: {entity!r} is not a customer under the {agreement} "
                       f"(customers: {'; '.join(known)})")
