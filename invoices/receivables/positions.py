"""Where each invoice stands on a date: one query for every invoice a report asks about.

An invoice's open balance on a day is its total less the payments standing on that day (not
voided by a reversal dated on or before it) and the credit notes dated on or before it; its
disputed amount is what open disputes hold, at most the open balance; its due date in force is
invoices.receivables.terms.due_in_force (a termination may accelerate it, PSA Section 20(b)).
The sums are made in SQL, one query for all invoices, so a ledger of 10,000 invoices ages at once.

The query is SQL text run by invoices.ledger.plain.rows, so a report reads it through sqlite3
without importing SQLAlchemy, and a writing command runs the very same query inside its
transaction (invoices.receivables.accounts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from invoices.ledger.plain import day, rows
from invoices.receivables.terms import DueDate, TerminationRule, due_in_force
from pricing.money import from_cents


@dataclass(frozen=True)
class Balance:
    """An invoice's position on a date.

    Attributes: number, bill_to, invoice_date, due (its DueDate on the date: the one in force,
    the one it was issued with, and why they differ), total, paid, credited, open (total - paid
    - credited), disputed (open disputes, at most the open balance).
    """

    number: int
    bill_to: str
    invoice_date: dt.date
    due: DueDate
    total: Decimal
    paid: Decimal
    credited: Decimal
    open: Decimal
    disputed: Decimal

    @property
    def due_date(self) -> dt.date:
        """The due date in force (invoices.receivables.terms.due_in_force)."""
        return self.due.in_force

    @property
    def undisputed(self) -> Decimal:
        return self.open - self.disputed

    def days_past_due(self, as_of: dt.date) -> int:
        return (as_of - self.due_date).days


@dataclass(frozen=True)
class Where:
    """A condition on the invoices (alias `i`) in SQL text with its `:name` parameters."""

    sql: str
    params: tuple[tuple[str, object], ...] = ()

    @staticmethod
    def of(sql: str, **params) -> Where:
        return Where(sql, tuple(params.items()))


def termination_date(conn) -> dt.date | None:
    """The termination in force: the last entry of the log, unless it is a withdrawal."""
    last = rows(conn, "SELECT kind, date FROM terminations ORDER BY id DESC LIMIT 1")
    return day(last[0][1]) if last and last[0][0] == "terminated" else None


def _sums(table: str, at: str, extra: str = "") -> str:
    """Each invoice's sum of `table`'s amounts dated on or before the parameter `at`."""
    return (f"SELECT t.invoice AS invoice, sum(t.amount_cents) AS cents FROM {table} t "
            f"WHERE t.date <= :{at}{extra} GROUP BY t.invoice")


def _standing(at: str) -> str:
    """A payment stands on `at` unless a reversal dated on or before it voids it (a payment
    voided later still stood until then)."""
    return (f" AND NOT EXISTS (SELECT 1 FROM payment_voids v WHERE v.payment = t.id "
            f"AND v.date <= :{at})")


def positions_query(columns: tuple[str, ...], where: tuple[Where, ...], open_only: bool,
                    terminated: bool) -> str:
    """The query of `positions`: balances summed per invoice, and, given a termination date
    (parameter `terminated`), each invoice's open balance that day (was it outstanding then?)."""
    ctes = [f"paid AS ({_sums('payments', 'as_of', _standing('as_of'))})",
            f"credited AS ({_sums('credits', 'as_of')})",
            f"disputed AS ({_sums('disputes', 'as_of', ' AND (t.resolved_date IS NULL OR t.resolved_date > :as_of)')})"]
    joins = ("LEFT JOIN paid ON paid.invoice = i.number "
             "LEFT JOIN credited ON credited.invoice = i.number "
             "LEFT JOIN disputed ON disputed.invoice = i.number")
    open_then = "0"
    if terminated:
        ctes += [f"paid_then AS ({_sums('payments', 'terminated', _standing('terminated'))})",
                 f"credited_then AS ({_sums('credits', 'terminated')})"]
        joins += (" LEFT JOIN paid_then ON paid_then.invoice = i.number"
                  " LEFT JOIN credited_then ON credited_then.invoice = i.number")
        open_then = ("i.total_cents - coalesce(paid_then.cents, 0) "
                     "- coalesce(credited_then.cents, 0)")
    conditions = [w.sql for w in where]
    if open_only:
        conditions.append("i.total_cents - coalesce(paid.cents, 0) - coalesce(credited.cents, 0) > 0")
    more = "".join(f", i.{c}" for c in columns)
    return (f"WITH {', '.join(ctes)} SELECT i.number, i.bill_to, i.invoice_date, i.due_date, "
            f"i.total_cents, coalesce(paid.cents, 0), coalesce(credited.cents, 0), "
            f"coalesce(disputed.cents, 0), {open_then}{more} FROM invoices i {joins}"
            + (f" WHERE {' AND '.join(conditions)}" if conditions else ""))


def _parameters(as_of: dt.date, where: tuple[Where, ...], terminated: dt.date | None) -> dict:
    found = {"as_of": as_of}
    if terminated is not None:
        found["terminated"] = terminated
    for w in where:
        found.update(w.params)
    return found


def positions_with(conn, as_of: dt.date, rule: TerminationRule | None, columns=(),
                   where: tuple[Where, ...] = (), open_only: bool = False,
                   limit: int | None = None) -> list[tuple[Balance, tuple]]:
    """Balances of the invoices `where` selects on `as_of`, in number order, each with the
    values of further invoice `columns`, the first `limit` if given. Due dates follow `rule`
    (None: as issued, for checks of amounts only)."""
    terminated = termination_date(conn)
    terminated = terminated if terminated is not None and terminated <= as_of else None
    if rule is None:
        terminated = None
    sql = positions_query(tuple(columns), where, open_only, terminated is not None)
    sql += " ORDER BY i.number" + (f" LIMIT {int(limit)}" if limit is not None else "")
    found = []
    for number, bill_to, issued, due, total, paid, credited, disputed, open_then, *more in rows(
            conn, sql, **_parameters(as_of, where, terminated)):
        total, paid, credited, disputed = int(total), int(paid), int(credited), int(disputed)
        issued, open_cents = day(issued), total - paid - credited
        found.append((Balance(number, bill_to, issued,
                              due_in_force(issued, day(due), terminated, int(open_then) > 0, rule),
                              from_cents(total), from_cents(paid), from_cents(credited),
                              from_cents(open_cents),
                              from_cents(min(disputed, max(open_cents, 0)))), tuple(more)))
    return found


def count_positions(conn, where: tuple[Where, ...], open_only: bool) -> int:
    """How many invoices `positions_with` would give without a limit."""
    sql = positions_query((), where, open_only, False)
    return int(rows(conn, f"SELECT count(*) FROM ({sql}) AS q",
                    **_parameters(dt.date.max, where, None))[0][0])


def positions(conn, as_of: dt.date, rule: TerminationRule | None, *where: Where) -> list[Balance]:
    """`positions_with` without further columns."""
    return [balance for balance, _ in positions_with(conn, as_of, rule, (), where)]


def balances(ledger, as_of: dt.date, tables, bill_to: str | None = None) -> list[Balance]:
    """Every invoice dated on or before `as_of` (of one bill-to, if given), with its balance
    and its due date in force; `ledger` opened either way (invoices.ledger.plain)."""
    where = [Where.of("i.invoice_date <= :dated_by", dated_by=as_of)]
    if bill_to is not None:
        where.append(Where.of("i.bill_to = :bill_to", bill_to=bill_to))
    with ledger.read() as conn:
        return positions(conn, as_of, TerminationRule.of(tables), *where)


def ledger_termination(ledger) -> dt.date | None:
    """The termination in force in `ledger` (opened either way)."""
    with ledger.read() as conn:
        return termination_date(conn)
