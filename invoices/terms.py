"""Payment terms, and the one due date of an invoice every view shows.

Terms in force on an invoice date (PSA Section 3; Amendment 3 Section 1(b)): net 30 before
2001-04-16, net 20 from then, as the payment_terms table says.

The due date in force (design rules 6 and 8): an invoice is due on the date it was issued with
(its date + net days) unless the agreement was terminated while a termination accelerates
invoices (PSA Section 20(b), which the psa_remedies table dates: a version saying
`termination_accelerates` yes). Then an invoice dated on or before the termination and still
outstanding on it falls due on the termination date (if that is earlier), and an invoice dated
after it is due on its own date. A termination before Section 20(b) takes effect stops billing
and accelerates nothing. `due_in_force` is that rule, and every view (list, show, statement,
aging, status, documents) takes its due dates from it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pricing.tables.loader import TableSet

# The clause names the rules cite (the dates and numbers come from the tables).
ACCELERATION_CLAUSE = "PSA Section 20(b)"
DISPUTE_CLAUSE = "PSA Section 24"
# PSA Section 20 before Amendment 3, as Amendment 3 Section 1(c)(b) quotes it (000 L151-157):
# a disputed amount is "referred to arbitration pursuant to Section 24, Arbitration, until such
# dispute has been finally settled".
SETTLEMENT_WORDS = "until finally settled"


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


@dataclass(frozen=True)
class DueDate:
    """An invoice's due date as users see it.

    Attributes: in_force (the one due date: when payment is due now), as_issued (the date the
    invoice was issued with: its date + net days), reason (why they differ; None when they do
    not)."""

    in_force: dt.date
    as_issued: dt.date
    reason: str | None = None

    @property
    def changed(self) -> bool:
        return self.in_force != self.as_issued

    def note(self) -> str:
        """"was 2001-06-20: <reason>" where the date changed, else ""."""
        return f"was {self.as_issued}: {self.reason}" if self.changed else ""

    def as_dict(self) -> dict:
        """due_date (in force), due_date_as_issued and due_reason (null when unchanged)."""
        return {"due_date": self.in_force.isoformat(),
                "due_date_as_issued": self.as_issued.isoformat(), "due_reason": self.reason}


@dataclass(frozen=True)
class TerminationRule:
    """When a termination accelerates invoices, from the psa_remedies table.

    Attributes: versions ((effective_from, accelerates) of every psa_remedies version, in date
    order). Before the first version no termination accelerates anything."""

    versions: tuple[tuple[dt.date, bool], ...]

    @classmethod
    def of(cls, tables: TableSet) -> TerminationRule:
        return cls(tuple((v.effective_from, v.rows[0].termination_accelerates == "yes")
                         for v in tables.versions("psa_remedies")))

    def accelerates(self, terminated: dt.date) -> bool:
        found = [yes for start, yes in self.versions if start <= terminated]
        return bool(found) and found[-1]

    @property
    def first(self) -> dt.date | None:
        """The first day a termination accelerates invoices (None: never)."""
        return next((start for start, yes in self.versions if yes), None)


def due_in_force(invoice_date: dt.date, as_issued: dt.date, terminated: dt.date | None,
                 outstanding_then: bool, rule: TerminationRule | None) -> DueDate:
    """The due date in force of one invoice, given the termination in force on the day asked
    about (None: none, or not yet), whether the invoice was outstanding on the termination date,
    and the table's rule. `rule` None: due dates as issued (callers that need only amounts)."""
    if terminated is None or rule is None or not rule.accelerates(terminated):
        return DueDate(as_issued, as_issued)
    if invoice_date > terminated:
        if as_issued == invoice_date:
            return DueDate(as_issued, as_issued)
        return DueDate(invoice_date, as_issued,
                       f"issued after the termination of {terminated}, so due on its date "
                       f"({ACCELERATION_CLAUSE})")
    if outstanding_then and terminated < as_issued:
        return DueDate(terminated, as_issued,
                       f"accelerated by the termination of {terminated} "
                       f"({ACCELERATION_CLAUSE})")
    return DueDate(as_issued, as_issued)


@dataclass(frozen=True)
class DisputePeriod:
    """How long a dispute raised on a date withholds the amount disputed.

    Attributes: until (the last day of the good-faith discussion; None: no set period, the
    amount is withheld until the dispute is finally settled), text (the rule, for users)."""

    until: dt.date | None
    text: str


def dispute_period(raised: dt.date, tables: TableSet) -> DisputePeriod:
    """The psa_remedies version in force on the day a dispute is raised gives its discussion
    days (PSA Section 24 as amended: "within twenty (20) days, or such longer period as mutually
    agreed"); before the first version, Section 24 as originally worded: referred to
    arbitration, the amount withheld until the dispute is finally settled."""
    versions = tables.versions("psa_remedies")
    in_force = [v for v in versions if v.effective_from <= raised]
    if not in_force:
        return DisputePeriod(None, f"{DISPUTE_CLAUSE}, Arbitration, as worded before "
                                   f"{versions[0].effective_from}: withheld {SETTLEMENT_WORDS}")
    days = in_force[-1].rows[0].dispute_discussion_days
    return DisputePeriod(raised + dt.timedelta(days=days),
                         f"{DISPUTE_CLAUSE} as amended from {in_force[-1].effective_from}: "
                         f"{days} days of good-faith discussion, or longer if agreed")
