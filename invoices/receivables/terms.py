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

# The clauses the rules cite, like their days and dates, come from the psa_remedies table
# (acceleration_clause, dispute_clause, before_dispute_rule): another contract cites its own.


@dataclass(frozen=True)
class Terms:
    """Attributes: net_days, text ("Net 20"), due (invoice date + net days), citation."""

    net_days: int
    text: str
    due: dt.date
    citation: str


DUE_ON_ITS_DATE = "Due on its date"


def terms_after_termination(terminated: dt.date, clause: str) -> str:
    """The terms of an invoice dated after a Section 20(b) termination: the brief terms, then
    after ': ' the reason, which documents print apart from the brief (terms_in_brief)."""
    return f"{DUE_ON_ITS_DATE}: the agreement was terminated on {terminated} ({clause})"


def terms_in_brief(text: str) -> tuple[str, str | None]:
    """Terms as recorded, split into what an invoice's facts show ("Net 20", "Due on its
    date") and the reason given after ': ', if any; a reason set on one line in the facts box
    ran over the total due and off the page."""
    brief, colon, reason = text.partition(": ")
    return (brief, reason) if colon else (text, None)


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
    """When a termination accelerates invoices, and the clause that says so, from the
    psa_remedies table.

    Attributes: versions ((effective_from, accelerates, clause) of every psa_remedies version,
    in date order). Before the first version no termination accelerates anything."""

    versions: tuple[tuple[dt.date, bool, str], ...]

    @classmethod
    def of(cls, tables: TableSet) -> TerminationRule:
        return cls(tuple((v.effective_from, v.rows[0].termination_accelerates == "yes",
                          v.rows[0].acceleration_clause)
                         for v in tables.versions("psa_remedies")))

    def accelerates(self, terminated: dt.date) -> bool:
        found = [yes for start, yes, _ in self.versions if start <= terminated]
        return bool(found) and found[-1]

    def clause(self, day: dt.date | None = None) -> str:
        """The clause cited for the acceleration: the version's in force on `day`, else the
        first version that accelerates."""
        found = [c for start, _, c in self.versions if day is not None and start <= day]
        first = next((c for _, yes, c in self.versions if yes), None)
        return found[-1] if found else first or "the termination clause"

    @property
    def first(self) -> dt.date | None:
        """The first day a termination accelerates invoices (None: never)."""
        return next((start for start, yes, _ in self.versions if yes), None)


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
                       f"({rule.clause(terminated)})")
    if outstanding_then and terminated < as_issued:
        return DueDate(terminated, as_issued,
                       f"accelerated by the termination of {terminated} "
                       f"({rule.clause(terminated)})")
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
        return DisputePeriod(None, f"{versions[0].rows[0].before_dispute_rule} (before "
                                   f"{versions[0].effective_from})")
    row = in_force[-1].rows[0]
    days = row.dispute_discussion_days
    return DisputePeriod(raised + dt.timedelta(days=days),
                         f"{row.dispute_clause} as amended from {in_force[-1].effective_from}: "
                         f"{days} days of good-faith discussion, or longer if agreed")
