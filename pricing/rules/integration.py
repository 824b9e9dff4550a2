"""System integration (turnover/cutover): a one-time charge per switch site
(PSA Amdt 1, Appendix A, note 5: $100,000 per 5ESS/VCDX switch site)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pricing.errors import MissingPriceError, PricingError
from pricing.rules.lines import Line, Source
from pricing.tables.loader import TableSet, TableVersion
from pricing.fileio.jsonfile import shown_value

CHARGE = "integration"           # the one_time_services row whose `charge` this is
# Switch sites cut over in one period: far more than any city has, small enough that the
# charge (sites x the table's price, $100,000 in this contract) stays below
# pricing.values.AMOUNT_LIMIT.
SITES_LIMIT = 10**6


def sites_problem(sites: object) -> str | None:
    """What is wrong with a number of integration sites, or None: 0 to SITES_LIMIT."""
    if isinstance(sites, bool) or not isinstance(sites, int) or not 0 <= sites <= SITES_LIMIT:
        return f"expected a whole number from 0 to {SITES_LIMIT:,}, got {shown_value(sites)}"
    return None


def integration_line(sites: int, tables: TableSet, as_of: dt.date) -> Line | None:
    """The integration charge for switch sites cut over; None for none."""
    problem = sites_problem(sites)
    if problem:
        raise PricingError(f"integration_sites: {problem}")
    if sites == 0:
        return None
    version = tables.version("one_time_services", as_of)
    row = integration_row(version)
    return Line.priced("integration", f"{row.service}, per {row.unit}",
                       Decimal(sites), row.price, Source.of(version))


def integration_row(version: TableVersion):
    """The one_time_services row of a version that prices integration (its `charge` column)."""
    for row in version.rows:
        if row.charge == CHARGE:
            return row
    raise MissingPriceError(f"{version.file} has no row whose charge is {CHARGE!r}")
