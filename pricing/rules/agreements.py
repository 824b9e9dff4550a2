"""Is a date within an agreement's term, and may an entity be billed under it?

Terms and customers come from the `agreements` and `customers` tables (PSA Amendments 1-2,
GA Amendments 2-4). A date outside the term or a bill-to that is not yet a customer is an error.

Who may be billed (README "Contract rules", Term and customers) is stated once, in
`customer_for`: the bill-to must be a customer under the agreement on every day billed. A quote
for an annual period bills the whole period (start to end); an invoice bills its invoice date
(start only).
"""

from __future__ import annotations

import datetime as dt

from pricing.errors import PricingError
from pricing.tables.loader import TableSet


def customer_key(name: str) -> str:
    """A bill-to as a run matches it to the customers table: case, spaces, commas and full
    stops ignored ("kmc telecom II inc" is "KMC Telecom II, Inc.")."""
    return " ".join(name.replace(",", " ").replace(".", " ").split()).casefold()


_normalise = customer_key


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


def customer_for(tables: TableSet, agreement: str, name: str, start: dt.date,
                 end: dt.date | None = None) -> str:
    """The bill-to's name as the contract writes it, if it is a customer under the agreement on
    every day from `start` to `end` (inclusive; `end` None: `start` only); otherwise an error
    saying why.

    The one rule for who may be billed: a quote for a whole annual period passes the period's
    first and last days; an invoice passes its invoice date. Each version of the customers
    table in force during the span is checked, so an entity a later version drops fails too.
    """
    end = start if end is None else end
    if end < start:
        raise PricingError(f"bill_to: the span {start.isoformat()} to {end.isoformat()} ends "
                           f"before it starts")
    days = [start] + [version.effective_from for version in tables.versions("customers")
                      if start < version.effective_from <= end]
    entity = None
    for day in days:
        try:
            found = customer_name(tables, agreement, name, day)
        except PricingError as error:
            if end == start:
                raise
            raise PricingError(f"{error}; billing {start.isoformat()} to {end.isoformat()} "
                               f"needs a {agreement} customer for the whole of it") from None
        if entity is not None and found != entity:
            raise PricingError(f"bill_to: {name!r} is {entity} on {start.isoformat()} but "
                               f"{found} on {day.isoformat()}: one customer must be billed for "
                               f"{start.isoformat()} to {end.isoformat()}")
        entity = found
    return entity
