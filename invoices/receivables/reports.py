"""Receivables reports: aging, the right to cease performing and the Adequate Assurance Amount
(PSA Amendment 3, file 000). The statement of account is invoices.receivables.statement."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from invoices.ledger.plain import rows
from invoices.receivables.positions import Balance, balances, ledger_termination
from invoices.receivables.terms import DueDate, TerminationRule
from pricing.errors import MissingPriceError
from pricing.money import round_cents
from pricing.tables.loader import TableSet

# Aging buckets by days past due (a reporting convention, not a contract number).
BUCKETS = (("current", None, 0), ("1-30", 1, 30), ("31-60", 31, 60), ("61-90", 61, 90),
           ("over 90", 91, None))
ZERO = Decimal("0.00")


def bucket_of(days_past_due: int) -> str:
    for name, low, high in BUCKETS:
        if (low is None or days_past_due >= low) and (high is None or days_past_due <= high):
            return name
    raise AssertionError(days_past_due)


@dataclass
class AgingRow:
    """One bill-to's open balances by bucket; `changed` holds its open invoices whose due date
    in force differs from the one they were issued with (number, DueDate)."""

    bill_to: str
    buckets: dict[str, Decimal] = field(default_factory=lambda: {b[0]: ZERO for b in BUCKETS})
    disputed: Decimal = ZERO
    changed: list[tuple[int, DueDate]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO) + self.disputed

    def as_dict(self) -> dict:
        return {"bill_to": self.bill_to, **{k: str(v) for k, v in self.buckets.items()},
                "disputed": str(self.disputed), "total": str(self.total),
                "due_dates_changed": [{"number": number, **due.as_dict()}
                                      for number, due in self.changed]}


def aging(ledger, as_of: dt.date, tables: TableSet) -> list[AgingRow]:
    """Open balances per bill-to: undisputed amounts by days past their due date in force,
    disputed apart."""
    rows: dict[str, AgingRow] = {}
    for b in balances(ledger, as_of, tables):
        if b.open <= 0:
            continue
        row = rows.setdefault(b.bill_to, AgingRow(b.bill_to))
        row.buckets[bucket_of(b.days_past_due(as_of))] += b.undisputed
        row.disputed += b.disputed
        if b.due.changed:
            row.changed.append((b.number, b.due))
    return [rows[k] for k in sorted(rows)]


TOTAL = "Total"


def aging_totals(rows: list[AgingRow]) -> AgingRow:
    """The aging's totals row: each bucket, the disputed amounts and the total summed over
    every bill-to, named "Total" (its `changed` is empty: the rows hold the invoices)."""
    total = AgingRow(TOTAL)
    for row in rows:
        for bucket, amount in row.buckets.items():
            total.buckets[bucket] += amount
        total.disputed += row.disputed
    return total


@dataclass(frozen=True)
class Status:
    """Attributes: as_of, terminated (date or None), may_cease, reason, past_due (balances
    with undisputed amounts past due), undisputed_past_due (their sum)."""

    as_of: dt.date
    terminated: dt.date | None
    may_cease: bool
    reason: str
    past_due: tuple[Balance, ...]
    undisputed_past_due: Decimal
    unapplied: dict[str, Decimal] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(),
                "unapplied": {c: str(v) for c, v in self.unapplied.items()},
                "terminated": self.terminated.isoformat() if self.terminated else None,
                "may_cease": self.may_cease, "reason": self.reason,
                "undisputed_past_due": str(self.undisputed_past_due),
                "invoices": [{"number": b.number, "bill_to": b.bill_to, **b.due.as_dict(),
                              "days_past_due": b.days_past_due(self.as_of),
                              "open": str(b.open), "disputed": str(b.disputed),
                              "undisputed": str(b.undisputed)} for b in self.past_due]}


def status(ledger, as_of: dt.date, tables: TableSet) -> Status:
    """PSA Section 1(a)(i) as amended: Lucent may cease performing while Customer is in default
    of its payment obligations, except to the extent an amount is disputed in good faith."""
    past_due = tuple(b for b in balances(ledger, as_of, tables)
                     if b.undisputed > 0 and b.days_past_due(as_of) > 0)
    amount = sum((b.undisputed for b in past_due), ZERO)
    from invoices.receivables.unapplied import cash_of, short_of_cash

    terminated = ledger_termination(ledger)
    with ledger.read() as conn:
        unapplied = {c: cash.unapplied for c, cash in cash_of(conn, as_of).items()
                     if cash.unapplied}
    terminated = terminated if terminated and terminated <= as_of else None
    first = tables.versions("psa_remedies")[0]
    if as_of < first.effective_from:
        return Status(as_of, terminated, False, f"the right to cease performing comes with "
                      f"{first.rows[0].instrument}, effective {first.effective_from}", past_due,
                      amount, unapplied)
    clause = cease_clause_on(tables, as_of, terminated)
    # Cash a customer paid in and Lucent holds unapplied pays its past due as soon as it is
    # applied: what it covers is no default (ar remind sends no letter for it either).
    owed: dict[str, Decimal] = {}
    for b in past_due:
        owed[b.bill_to] = owed.get(b.bill_to, ZERO) + b.undisputed
    covered = amount - sum(short_of_cash(owed, unapplied).values(), ZERO)
    said = f"{amount:,} undisputed is past due on {len(past_due)} invoice(s)"
    held = (f" ({covered:,} of it covered by cash on account not yet applied: `pricing ar "
            f"apply`)" if covered else "")
    may_cease = False
    if not past_due:
        reason = "no undisputed amount is past due"
    elif clause is None:        # terminated: the Services have ended, nothing is left to cease
        reason = said + held
    elif covered == amount:
        reason = (f"{said}, all of it covered by cash on account not yet applied: apply it "
                  f"(`pricing ar apply`)")
    else:
        reason = f"{said}{held}: {seller_on(tables, as_of)} may cease performing ({clause})"
        may_cease = True
    if terminated:
        reason += f"; {termination_words(terminated, TerminationRule.of(tables))}"
    return Status(as_of, terminated, may_cease, reason, past_due, amount, unapplied)


def cease_clause_on(tables: TableSet, as_of: dt.date, terminated: dt.date | None) -> str | None:
    """The clause giving Lucent the right to cease performing on `as_of` (the psa_remedies
    table's, from Amendment 3), or None: before it, or once the agreement is terminated, when
    no Services are left to cease. `ar status` and `ar remind` ask it alike."""
    if as_of < tables.versions("psa_remedies")[0].effective_from or (
            terminated is not None and terminated <= as_of):
        return None
    return tables.rows("psa_remedies", as_of)[0].cease_clause


def seller_on(tables: TableSet, day: dt.date) -> str:
    """The seller's name as the parties table gives it on `day`."""
    return next(r.name for r in tables.rows("parties", day)
                if r.agreement == "PSA" and r.role == "seller")


def termination_words(terminated: dt.date, rule: TerminationRule) -> str:
    """What a termination on `terminated` did to due dates, for users."""
    if rule.accelerates(terminated):
        return (f"the agreement was terminated on {terminated}: every invoice outstanding then "
                f"fell due that day, and one dated later is due on its date "
                f"({rule.clause(terminated)})")
    since = (f"{rule.clause()} accelerates invoices only from {rule.first}"
             if rule.first else "the tables give no acceleration on termination")
    return (f"the agreement was terminated on {terminated}: billing stopped, no due date was "
            f"accelerated: {since}")


@dataclass(frozen=True)
class Assurance:
    as_of: dt.date
    window_start: dt.date
    months: int
    multiple: int
    payments_total: Decimal
    average_monthly: Decimal
    amount: Decimal
    payments: tuple[tuple[int, int, dt.date, Decimal], ...]
    source: str

    def as_dict(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "window_start": self.window_start.isoformat(),
                "payments_total": str(self.payments_total),
                "average_monthly": str(self.average_monthly), "amount": str(self.amount),
                "payments": [{"id": p[0], "invoice": p[1], "date": p[2].isoformat(),
                              "amount": str(p[3])} for p in self.payments],
                "source": self.source}


def assurance(ledger, as_of: dt.date, tables: TableSet) -> Assurance:
    """Twice the average monthly payment for Services over the six months immediately before
    the request: payments dated from six months before as_of up to the day before it."""
    from invoices.receivables.accounts import payments        # SQLAlchemy: only here
    from pricing.equipment.warranty import add_months

    versions = tables.versions("psa_remedies")
    if as_of < versions[0].effective_from:
        raise MissingPriceError(f"the Adequate Assurance Amount comes with "
                                f"{versions[0].rows[0].instrument}, effective "
                                f"{versions[0].effective_from}; there is none on {as_of}")
    version = tables.version("psa_remedies", as_of)
    rule = version.rows[0]
    start = add_months(as_of, -rule.assurance_months)
    found = tuple(payments(ledger, start, as_of))
    total = sum((p[3] for p in found), ZERO)
    return Assurance(as_of, start, rule.assurance_months, rule.assurance_multiple, total,
                     round_cents(total / rule.assurance_months),
                     round_cents(total * rule.assurance_multiple / rule.assurance_months),
                     found, version.citation)


def bill_tos(ledger) -> list[str]:
    with ledger.read() as conn:
        return [n for (n,) in rows(conn, "SELECT DISTINCT bill_to FROM invoices ORDER BY bill_to")]


__all__ = ["BUCKETS", "aging", "assurance", "bill_tos", "bucket_of", "status",
           "termination_words"]
