"""Payment terms in force on an invoice date (PSA Section 3; Amendment 3 Section 1(b)):
net 30 before 2001-04-16, net 20 from then, as the payment_terms table says."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pricing.tables.loader import TableSet


@dataclass(frozen=True)
class Terms:
    """Attributes: net_days, text ("Net 20"), due (invoice date + net days), citation."""

    net_days: int
    text: str
    due: dt.date
    citation: str


def terms_on(invoice_date: dt.date, tables: TableSet, agreement: str = "PSA") -> Terms:
    version = tables.version("payment_terms", invoice_date)
    row = next(r for r in version.rows if r.agreement == agreement)
    return Terms(row.net_days, row.terms_text, invoice_date + dt.timedelta(days=row.net_days),
                 version.citation)
