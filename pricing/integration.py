"""System integration (turnover/cutover): a one-time charge per switch site
(PSA Amdt 1, Appendix A, note 5: $100,000 per 5ESS/VCDX switch site)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pricing.errors import MissingPriceError, PricingError
from pricing.lines import Line, Source
from pricing.tables.loader import TableSet

SERVICE = "System Integration (Turnover/Cutover)"


def integration_line(sites: int, tables: TableSet, as_of: dt.date) -> Line | None:
    """The integration charge for switch sites cut over; None for none."""
    if isinstance(sites, bool) or not isinstance(sites, int) or sites < 0:
        raise PricingError(f"integration_sites: expected a whole number of zero or more, got {sites!r}")
    if sites == 0:
        return None
    version = tables.version("one_time_services", as_of)
    for row in version.rows:
        if row.service == SERVICE:
            return Line.priced("integration", f"{row.service}, per {row.unit}",
                               Decimal(sites), row.price, Source.of(version))
    raise MissingPriceError(f"{version.file} has no row for {SERVICE!r}")
