"""The ledger's invariants, one function each: what must hold however the ledger was used.

`pricing ledger check` runs them all, and the tests run them after every scenario. Each
returns the violations it finds, as sentences naming the documents concerned; none means it
holds. They read the stored rows only, so they also catch a row changed behind the tool's back.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from invoices.ledger import schema as s
from invoices.ledger.snapshot import Snapshot
from pricing.money import round_cents, to_cents

MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def numbers_gap_free(conn) -> list[str]:
    """Invoice and credit note numbers run 1, 2, ... N, N being the sequence's last number."""
    found = []
    for name, table in (("invoice", s.invoices), ("credit", s.credits)):
        numbers = conn.execute(select(table.c.number).order_by(table.c.number)).scalars().all()
        last = conn.execute(select(s.sequences.c.last).where(s.sequences.c.name == name)).scalar() or 0
        expected = list(range(1, last + 1))
        if numbers != expected:
            missing = sorted(set(expected) - set(numbers))[:10]
            extra = sorted(set(numbers) - set(expected))[:10]
            found.append(f"{name} numbers are not 1..{last}: missing {missing or 'none'}, "
                         f"unexpected {extra or 'none'}")
    return found


def one_charge_per_city_month_kind(conn) -> list[str]:
    """A city is charged at most once per month for each kind of charge, whatever the bill-to."""
    l = s.lines.c
    rows = conn.execute(select(l.city, l.month, l.kind, func.count(), func.min(l.invoice),
                               func.max(l.invoice)).group_by(l.city, l.month, l.kind)
                        .having(func.count() > 1)).all()
    return [f"{r[0]} {r[1]}: {r[3]} {r[2]} charges (invoices {r[4]:06d} to {r[5]:06d})"
            for r in rows]


def lines_belong_to_their_month(conn) -> list[str]:
    """Every line's month is its invoice's month, and every month is written YYYY-MM."""
    l, i = s.lines.c, s.invoices.c
    found = [f"invoice {r.number:06d}: month {r.month!r} is not YYYY-MM"
             for r in conn.execute(select(i.number, i.month)).all() if not MONTH.fullmatch(r.month)]
    for r in conn.execute(select(l.invoice, l.position, l.month, i.month.label("billed"))
                          .join_from(s.lines, s.invoices, i.number == l.invoice)
                          .where(l.month != i.month)).all():
        found.append(f"invoice {r.invoice:06d} line {r.position}: month {r.month}, but the "
                     f"invoice bills {r.billed}")
    return found


def line_amounts_are_quantity_times_price(conn, snapshot=None) -> list[str]:
    """Each line's amount is its quantity times its unit price, rounded half-up to the cent.
    `snapshot` (invoices.ledger.snapshot): the lines, when `ledger check` has read them."""
    found = []
    products: dict[tuple[str, str], int | None] = {}     # most lines share their price and count
    rows = (conn.execute(select(s.lines)).all() if snapshot is None
            else [line for lines in snapshot.lines.values() for line in lines])
    for r in rows:
        pair = (r.quantity, r.unit_price)
        if pair not in products:
            try:
                products[pair] = to_cents(round_cents(Decimal(r.quantity) * Decimal(r.unit_price)))
            except (InvalidOperation, ValueError, TypeError):
                products[pair] = None
        expected = products[pair]
        if expected is None:
            found.append(f"invoice {r.invoice:06d} line {r.position}: unreadable quantity "
                         f"{r.quantity!r} or unit price {r.unit_price!r}")
            continue
        if expected != r.amount_cents:
            found.append(f"invoice {r.invoice:06d} line {r.position} ({r.city}, {r.kind}): "
                         f"amount {r.amount_cents / 100:,.2f} is not {r.quantity} x "
                         f"{r.unit_price} = {expected / 100:,.2f}")
    return found


def totals_equal_their_lines(conn) -> list[str]:
    """An invoice's total is the sum of its lines (the invoices that differ found in SQL)."""
    l, i = s.lines.c, s.invoices.c
    sums = (select(l.invoice, func.sum(l.amount_cents).label("cents"))
            .group_by(l.invoice).subquery())
    summed = func.coalesce(sums.c.cents, 0)
    return [f"invoice {r.number:06d}: total {r.total_cents / 100:,.2f} but its lines sum to "
            f"{r.summed / 100:,.2f}"
            for r in conn.execute(select(i.number, i.total_cents, summed.label("summed"))
                                  .select_from(s.invoices.outerjoin(sums,
                                                                    sums.c.invoice == i.number))
                                  .where(summed != i.total_cents).order_by(i.number)).all()]


def payments_and_credits_within_totals(conn) -> list[str]:
    """On no day do the payments standing (made, and not yet voided) and the credit notes of an
    invoice exceed its total; nor do its open disputes."""
    i, p, v, c = s.invoices.c, s.payments.c, s.payment_voids.c, s.credits.c
    totals = dict(conn.execute(select(i.number, i.total_cents)).all())
    moves: dict[int, list[tuple]] = defaultdict(list)   # invoice -> (day, cents applied)
    for number, day, cents in conn.execute(select(p.invoice, p.date, p.amount_cents)).all():
        moves[number].append((day, cents))
    for number, day, cents in conn.execute(select(p.invoice, v.date, p.amount_cents)
                                           .select_from(s.VOIDED_PAYMENTS)).all():
        moves[number].append((day, -cents))
    for number, day, cents in conn.execute(select(c.invoice, c.date, c.amount_cents)).all():
        moves[number].append((day, cents))
    found = []
    for number in sorted(moves):
        applied, total = 0, totals.get(number, 0)
        by_day: dict = defaultdict(int)
        for day, cents in moves[number]:
            by_day[day] += cents
        for day in sorted(by_day):                  # the balance at the end of each day
            applied += by_day[day]
            if applied > total:
                found.append(f"invoice {number:06d}: paid and credited {applied / 100:,.2f} on "
                             f"{day}, more than its total {total / 100:,.2f}")
                break
    d = s.disputes.c
    for number, cents in conn.execute(select(d.invoice, func.sum(d.amount_cents))
                                      .where(d.resolved_date.is_(None)).group_by(d.invoice)).all():
        if cents > totals.get(number, 0):
            found.append(f"invoice {number:06d}: open disputes {cents / 100:,.2f} exceed its "
                         f"total {totals.get(number, 0) / 100:,.2f}")
    return found


def levels_constant_within_a_period(conn, snapshot=None) -> list[str]:
    """Every invoice bills a city at the level the ledger fixed for it in the annual period.
    `snapshot` (invoices.ledger.snapshot): the invoices, when `ledger check` has read them."""
    fixed = {(r.city, r.period): r.level for r in conn.execute(select(s.city_periods)).all()}
    found = []
    if snapshot is None:
        snapshot = Snapshot(conn.execute(select(s.invoices.c.number, s.invoices.c.inputs)).all(),
                            {})
    for row in snapshot.invoices:
        number, data = row.number, snapshot.inputs(row)
        for city in data.get("cities", []):
            level = fixed.get((city.get("city"), data.get("period")))
            if level != city.get("billed_level"):
                found.append(f"invoice {number:06d}: {city.get('city')} billed at "
                             f"{city.get('billed_level')}, the period's level is {level}")
    return found


def city_months_match_their_invoices(conn) -> list[str]:
    """Every city-month recorded as billed is billed on its invoice, to the same bill-to. The
    rows that break it are found in SQL (a ledger of 10,000 invoices has 20,000 city-months)."""
    m, i, l = s.city_months.c, s.invoices.c, s.lines.c
    service_line = (select(l.invoice).where(l.city == m.city, l.month == m.month,
                                            l.invoice == m.invoice, l.kind == "service_level")
                    .exists())
    found = []
    for r in conn.execute(select(m.city, m.month, m.invoice, m.bill_to,
                                 i.bill_to.label("billed"), service_line.label("charged"))
                          .join_from(s.city_months, s.invoices, i.number == m.invoice)
                          .where((m.bill_to != i.bill_to) | ~service_line)
                          .order_by(m.city, m.month)).all():
        if r.bill_to != r.billed:
            found.append(f"{r.city} {r.month}: recorded for {r.bill_to}, invoice "
                         f"{r.invoice:06d} is to {r.billed}")
        if not r.charged:
            found.append(f"{r.city} {r.month}: recorded as billed on invoice {r.invoice:06d}, "
                         f"which has no service line for it")
    return found


def _month_count(month: str) -> int:
    year, number = month.split("-")
    return int(year) * 12 + int(number)


def _plain_rows(conn, sql: str) -> list[tuple]:
    """A query's rows as the driver returns them, plain tuples: tens of thousands of rows read
    to be compared once (SQLAlchemy's Row objects cost 0.1 s on a 10,000-invoice ledger). On
    the connection's own driver connection, inside its transaction."""
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def _hours_disagree(billed: tuple[dict, dict] | None, city: str, month: str, period: int,
                    hours: str, invoice_month: str) -> str | None:
    """How an invoice's recorded inputs (`billed`: the invoice's inputs and the city's entry in
    them) disagree with a city-month's hours as the ledger keeps them; None if they agree."""
    if billed is None:
        return f"does not bill {city}"
    data, entry = billed
    if period == data["period"]:
        priced_months = entry.get("hours", {})
    else:
        late = [e for e in entry.get("late_hours", []) if e.get("period") == period]
        if not late:
            return f"prices no hours of the period {period}"
        priced_months = late[0].get("hours", {})
    # The month's number in the invoice's own period, then in the row's (12 months each).
    at = (data["month_number"] + _month_count(month) - _month_count(invoice_month)
          + 12 * (data["period"] - period))
    priced = priced_months.get(str(at), "0")
    if priced == hours or Decimal(priced) == Decimal(hours):          # text first: fast
        return None
    return f"priced {priced}"


def billing_state_matches_its_invoices(conn, snapshot=None) -> list[str]:
    """The billing state the next run prices from is what the invoices recorded: each city's
    level for a period (`city_periods`) is the level its first invoice of the period billed, in
    that month; each month's hours (`city_hours`) are the hours the invoice it names priced; and
    every line is on an invoice that exists, for a city-month recorded as billed on it. The
    state is not hashed (it is not an entry): a level or hours changed there would price later
    months wrong while every entry still verified."""
    i, l, m = s.invoices.c, s.lines.c, s.city_months.c
    if snapshot is None:
        snapshot = Snapshot(conn.execute(select(i.number, i.month, i.inputs)).all(), {})
    invoices = {row.number: row for row in snapshot.invoices}
    billed_on: dict[tuple[int, str], tuple[dict, dict]] = {}     # (invoice, city): its inputs
    for row in snapshot.invoices:
        data = snapshot.inputs(row)
        for entry in data.get("cities", []):
            billed_on[row.number, entry.get("city")] = (data, entry)
    found = []
    for city, period, level, first, number in _plain_rows(
            conn, "SELECT city, period, level, first_month, invoice FROM city_periods "
                  "ORDER BY city, period"):
        billed = billed_on.get((number, city))
        if billed is None:
            why = f"does not bill {city}"
        else:
            data, entry, month = billed[0], billed[1], invoices[number].month
            if (data.get("period"), month, entry.get("billed_level")) == (period, first, level):
                continue
            why = (f"bills {city} at {entry.get('billed_level')} for {month} (period "
                   f"{data.get('period')})")
        found.append(f"{city}: the level of the annual period {period} ({level}) is recorded "
                     f"as set in {first} by invoice {number:06d}, which {why}")
    for city, month, period, hours, number in _plain_rows(
            conn, "SELECT city, month, period, hours, invoice FROM city_hours "
                  "ORDER BY city, month"):
        why = _hours_disagree(billed_on.get((number, city)), city, month, period, hours,
                              invoices[number].month if number in invoices else "")
        if why:
            found.append(f"{city} {month}: {hours} hours recorded as priced by invoice "
                         f"{number:06d}, which {why}")
    orphans = (select(l.invoice).distinct()
               .where(~select(i.number).where(i.number == l.invoice).exists()))
    found += [f"lines of invoice {n:06d}, which is not in the ledger"
              for (n,) in conn.execute(orphans.order_by(l.invoice)).all()]
    unrecorded = (select(l.city, l.month, l.invoice).distinct()
                  .where(select(i.number).where(i.number == l.invoice).exists(),
                         ~select(m.city).where(m.city == l.city, m.month == l.month,
                                               m.invoice == l.invoice).exists()))
    found += [f"{r.city} {r.month}: billed on invoice {r.invoice:06d} but not recorded as "
              f"billed (its city-month is missing: a run would bill it again)"
              for r in conn.execute(unrecorded.order_by(l.city, l.month)).all()]
    return found


def voids_follow_their_payments(conn) -> list[str]:
    """A payment is voided on or after the day it was made."""
    p, v = s.payments.c, s.payment_voids.c
    return [f"payment {r.id}: voided on {r.voided}, before it was made ({r.date})"
            for r in conn.execute(select(p.id, p.date, v.date.label("voided"))
                                  .select_from(s.VOIDED_PAYMENTS)
                                  .where(v.date < p.date)).all()]


def one_key_per_city(conn) -> list[str]:
    """One city is billed under one spelling: no two names the ledger billed share a city key
    (NFKC, case, spaces, punctuation and look-alike letters aside; pricing.city_key)."""
    from pricing.city_key import city_key

    spellings: dict[str, list[str]] = defaultdict(list)
    for (name,) in conn.execute(select(s.city_months.c.city).distinct()).all():
        spellings[city_key(name)].append(name)
    return [f"{' and '.join(repr(n) for n in sorted(names))} are one city billed under "
            f"{len(names)} spellings" for names in spellings.values() if len(names) > 1]


def _bad_value(column) -> str | None:
    """The SQLite condition under which a column's stored value is not what its type promises
    (SQLite keeps whatever is written into a column), or None for free text."""
    from sqlalchemy import BigInteger, Boolean, Date, Integer

    from invoices.ledger.dates import bad_date, bad_month

    name = f'"{column.name}"'
    if column.name == "month":
        return bad_month(column.name)
    if isinstance(column.type, Date):
        return bad_date(column.name)
    if isinstance(column.type, Boolean):
        return f"{name} NOT IN (0, 1)"
    if isinstance(column.type, (Integer, BigInteger)):
        return f"typeof({name}) != 'integer'"
    return None


def values_are_well_formed(conn, limit: int = 100, dates_only: bool = False) -> list[str]:
    """Every stored value is what its column's type promises: a date is a date, a month is
    YYYY-MM, a count or an amount in cents is a whole number. SQLite keeps whatever is written
    into a column, so a row edited by hand can hold 'notadate' where a date belongs, and a report
    would stumble on it or, comparing dates, silently leave the row out; PostgreSQL refuses such
    a value when it is written, so there is nothing to look for there. One query, in SQLite.

    `dates_only`: only the dates and months reports compare (invoices.ledger.dates, the check
    every command makes on opening); a bad number fails where it is read, and the ledger names
    it then."""
    from sqlalchemy import inspect

    from invoices.ledger.dates import DATED, check_sql, damaged_dates

    if conn.dialect.name != "sqlite":
        return []
    if dates_only:
        return damaged_dates(conn.connection.dbapi_connection, limit)
    present = set(inspect(conn).get_table_names())
    checks = {table.name: (tuple(k.name for k in table.primary_key.columns),
                           [(c.name, f'"{c.name}" IS NOT NULL AND ({_bad_value(c)})')
                            for c in table.columns if _bad_value(c)])
              for table in s.metadata.sorted_tables if table.name in present}
    sql = check_sql(checks, limit)
    rows = conn.exec_driver_sql(sql).all() if sql else []
    return [f"{table} ({key}): {column} {value} is not "
            f"{_what(s.metadata.tables[table].c[column])}" for table, key, column, value in rows]


def _what(column) -> str:
    from sqlalchemy import Boolean, Date

    from invoices.ledger.dates import what

    if column.name == "month" or isinstance(column.type, Date):
        return what(column.name)
    return "true or false" if isinstance(column.type, Boolean) else "a whole number"


def cash_never_below_zero(conn) -> list[str]:
    """On no day does a customer's unapplied cash fall below zero: its bank lines (less those
    reversed) never pay out more, in payments made from cash still standing and in refunds,
    than came in by that day (cash received = applied + unapplied + refunded, unapplied >= 0)."""
    b, x, a, p, v, r = (s.bank_lines.c, s.bank_line_reversals.c, s.cash_applications.c,
                        s.payments.c, s.payment_voids.c, s.refunds.c)
    moves: dict[str, dict] = defaultdict(lambda: defaultdict(int))   # customer -> day -> cents
    for query, sign in (
            (select(b.customer, b.date, b.amount_cents), 1),
            (select(b.customer, x.date, b.amount_cents)
             .join_from(s.bank_line_reversals, s.bank_lines, b.id == x.bank_line), -1),
            (select(a.customer, p.date, p.amount_cents)
             .join_from(s.cash_applications, s.payments, p.id == a.payment), -1),
            (select(a.customer, v.date, p.amount_cents)
             .join_from(s.cash_applications, s.payments, p.id == a.payment)
             .join(s.payment_voids, v.payment == p.id), 1),
            (select(r.customer, r.date, r.amount_cents), -1)):
        for customer, when, cents in conn.execute(query).all():
            moves[customer][when] += sign * cents
    found = []
    for customer in sorted(moves):
        held = 0
        for when in sorted(moves[customer]):       # the balance at the end of each day
            held += moves[customer][when]
            if held < 0:
                found.append(f"{customer}: unapplied cash {held / 100:,.2f} on {when}: more paid "
                             f"out of its cash than it had received")
                break
    return found


INVARIANTS: tuple[Callable, ...] = (
    values_are_well_formed, numbers_gap_free, one_charge_per_city_month_kind, lines_belong_to_their_month,
    line_amounts_are_quantity_times_price, totals_equal_their_lines,
    payments_and_credits_within_totals, levels_constant_within_a_period,
    city_months_match_their_invoices, billing_state_matches_its_invoices,
    voids_follow_their_payments, one_key_per_city, cash_never_below_zero)


TAKE_SNAPSHOT = (line_amounts_are_quantity_times_price, levels_constant_within_a_period,
                 billing_state_matches_its_invoices)


def check(ledger, snapshot=None) -> dict[str, list[str]]:
    """{invariant name: its violations} for every invariant, in one read snapshot; the rules
    that read every line or every invoice's inputs take them from `snapshot` when given."""
    found = {}
    with ledger.read() as conn:
        for rule in INVARIANTS:
            try:
                found[rule.__name__] = (rule(conn, snapshot) if snapshot is not None and
                                        rule in TAKE_SNAPSHOT else rule(conn))
            except Exception as error:      # a damaged row: say so, never a traceback
                found[rule.__name__] = [f"cannot be checked: the ledger holds an unreadable value "
                                        f"({type(error).__name__}: {str(error)[:200]})"]
    return found
