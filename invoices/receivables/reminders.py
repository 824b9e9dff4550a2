"""Reminder letters for undisputed amounts past due, by stage (issue 25).

A customer with undisputed amounts past due on a date gets one letter, at the stage its most
overdue invoice has reached (`data/reminder_stages.csv`: a friendly reminder from 1 day past due,
a second from 15, a notice from 30: a billing team's practice, not a contract number, so it is a
small file the team may change). The letter lists every invoice past due with its days past due,
its undisputed amount and, apart, what is disputed: a disputed amount is not past due (PSA
Section 1(a)(i) as amended: "except ... to the extent of such disputed amount"). The notice
cites Lucent's right to cease performing from the psa_remedies table, and states the Adequate
Assurance Amount as `ar assurance` computes it, saying that assurance does not cure a default in
payment (it answers the other events of Section 1(a)). Once the agreement is terminated (a
termination in force on the letter's date), there is nothing left to cease performing: the
letter says the agreement ended and the amounts remain due, and a notice's stage is sent as a
second reminder, as before Amendment 3 gave the right.

A letter sent is recorded (one `reminders` row per invoice listed, at its stage): the same stage
is never sent twice for the same invoices; a new invoice past due brings a new letter. Letters go
forward in time (a run dated before the latest letter is refused). A customer whose unapplied
cash on account covers what is past due gets no letter (the team applies its cash); one whose
cash covers part is told how much is held.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from invoices.ledger import schema as s
from invoices.ledger.chain import append
from invoices.ledger.plain import day, rows
from invoices.ledger.store import now
from invoices.receivables.positions import Balance, balances, termination_date
from pricing.errors import PricingError, Problem, ProblemsError
from pricing.tables.loader import TableSet

ZERO = Decimal("0.00")
STAGES_FILE = Path(__file__).resolve().parent / "data" / "reminder_stages.csv"
STAGE_KEYS = ("friendly", "second", "notice")


@dataclass(frozen=True)
class Stage:
    key: str
    from_days: int
    title: str


def read_stages(path: Path | None = None) -> list[Stage]:
    """The stages, in order of days past due; every one of STAGE_KEYS named once, from more
    days than the one before."""
    from pricing.fileio.csvfile import read_records
    from pricing.values import parse_count

    path = path or STAGES_FILE
    found, problems = {}, []
    for row, values in read_records(path, ("stage", "from_days", "title"), ()):
        key = values["stage"]
        try:
            days = parse_count(values["from_days"])
        except ValueError as error:
            problems.append(Problem(str(path), row, "from_days", str(error)))
            continue
        if key not in STAGE_KEYS or key in found:
            problems.append(Problem(str(path), row, "stage", f"expected each of "
                                                             f"{', '.join(STAGE_KEYS)} once"))
        elif not values["title"]:
            problems.append(Problem(str(path), row, "title", "expected a title"))
        else:
            found[key] = Stage(key, days, values["title"])
    stages = [found[k] for k in STAGE_KEYS if k in found]
    if not problems and (len(stages) != len(STAGE_KEYS) or stages[0].from_days < 1 or any(
            a.from_days >= b.from_days for a, b in zip(stages, stages[1:]))):
        problems.append(Problem(str(path), None, None, "expected the three stages, each from "
                                                       "more days past due than the one before, "
                                                       "the first from 1 day or more"))
    if problems:
        raise ProblemsError(problems, f"{path}: the reminder stages cannot be used")
    return stages


@dataclass(frozen=True)
class Letter:
    """One reminder: the customer, its stage, the date, the invoices past due (each Balance
    with its days past due), and the parties as the customer's latest invoice states them.
    For a notice: the clause giving the right to cease, the seller, and the Adequate Assurance
    Amount (reports.Assurance), or why there is none."""

    customer: str
    stage: Stage
    as_of: dt.date
    items: tuple[tuple[Balance, int], ...]
    seller: str
    seller_address: str
    customer_address: str
    contract: str
    cease_clause: str | None = None
    terminated: dt.date | None = None
    assurance: object | None = None
    assurance_missing: str | None = None
    unapplied: Decimal = ZERO
    in_dispute: tuple[Balance, ...] = ()     # open disputes on invoices with nothing past due
    file: str = field(default="", compare=False)
    file_sha256: str = field(default="", compare=False)     # of the file's bytes as written

    @property
    def past_due(self) -> Decimal:
        return sum((b.undisputed for b, _ in self.items), ZERO)

    @property
    def oldest(self) -> int:
        """The most days any invoice listed is past due."""
        return max(days for _, days in self.items)

    @property
    def disputed(self) -> Decimal:
        """Every amount in dispute on the date, on the invoices past due and on the others."""
        return sum((b.disputed for b, _ in self.items), ZERO) + \
            sum((b.disputed for b in self.in_dispute), ZERO)

    @property
    def due_dates_changed(self) -> tuple[Balance, ...]:
        """The invoices listed whose due date in force is not the one they were issued with."""
        return tuple(b for b, _ in self.items if b.due.changed)

    @property
    def name(self) -> str:
        """A file name: the customer, the date and the stage (reminder-kmc-telecom-ii-inc-...)."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.customer.lower()).strip("-")
        return f"reminder-{slug}-{self.as_of.isoformat()}-{self.stage.key}"


def plan(ledger, as_of: dt.date, tables: TableSet, stages: list[Stage] | None = None
         ) -> list[Letter]:
    """The letters due on `as_of`: for each customer with undisputed amounts past due, one
    letter at its stage, unless every invoice it would list was already sent that stage."""
    from invoices.receivables.reports import assurance, cease_clause_on

    stages = stages or read_stages()
    past_due: dict[str, list[tuple[Balance, int]]] = {}
    disputed: dict[str, list[Balance]] = {}
    for b in balances(ledger, as_of, tables):
        days = b.days_past_due(as_of)
        if b.undisputed > 0 and days >= stages[0].from_days:
            past_due.setdefault(b.bill_to, []).append((b, days))
        elif b.disputed > 0:            # said apart, so a letter never hides a dispute open
            disputed.setdefault(b.bill_to, []).append(b)
    from invoices.receivables.unapplied import cash_of, short_of_cash

    with ledger.read() as conn:
        latest = rows(conn, "SELECT max(as_of) FROM reminders")[0][0]
        if latest is not None and day(latest) > as_of:
            raise PricingError(f"reminders were sent as of {day(latest)}; a run as of {as_of} "
                               f"would send letters dated before them")
        sent = {(int(n), stage) for n, stage in rows(conn, "SELECT invoice, stage FROM reminders")}
        held = {c: cash.unapplied for c, cash in cash_of(conn, as_of).items()}
        ended = termination_date(conn)
        ended = ended if ended is not None and ended <= as_of else None
        parties = {}
        for customer in past_due:
            found = rows(conn, "SELECT seller, seller_address, customer_address, contract FROM "
                               "invoices WHERE bill_to = :c ORDER BY number DESC LIMIT 1",
                         c=customer)
            parties[customer] = found[0]
    short = short_of_cash({c: sum((b.undisputed for b, _ in items), ZERO)
                           for c, items in past_due.items()}, held)
    letters = []
    for customer, items in sorted(past_due.items()):
        if not short[customer]:                 # its own cash on account covers it: apply it
            continue
        worst = max(days for _, days in items)
        stage = [s for s in stages if s.from_days <= worst][-1]
        if all((b.number, stage.key) in sent for b, _ in items):
            continue
        extra = {"terminated": ended}
        if stage.key == "notice":
            clause = cease_clause_on(tables, as_of, ended)
            if clause is None:                  # no right to cease before Amendment 3, nor once
                stage = stages[1]               # the Services have ended: a second reminder
            else:                               # says what can be said
                extra["cease_clause"] = clause
                try:
                    extra["assurance"] = assurance(ledger, as_of, tables)
                except PricingError as error:
                    extra["assurance_missing"] = str(error)
        if all((b.number, stage.key) in sent for b, _ in items):
            continue
        listed = tuple(sorted(items, key=lambda item: item[0].number))
        apart = tuple(sorted(disputed.get(customer, ()), key=lambda b: b.number))
        letters.append(Letter(customer, stage, as_of, listed, *parties[customer], **extra,
                              unapplied=held.get(customer, ZERO), in_dispute=apart))
    return letters


def record(ledger, letters: list[Letter]) -> int:
    """Record the letters sent (their files written): a row per invoice listed not yet sent at
    that stage, and the SHA-256 of each letter's file. Returns how many rows; all or none."""
    made = 0
    with ledger.write() as conn:
        sent = {(int(n), stage) for n, stage in rows(conn, "SELECT invoice, stage FROM reminders")}
        for letter in letters:
            if letter.file_sha256:
                row = conn.execute(s.letter_files.insert().values(
                    file=letter.file, sha256=letter.file_sha256, recorded_at=now(),
                    recorded_by=ledger.recorder))
                append(conn, "letter", row.inserted_primary_key[0])
            for b, _ in letter.items:
                if (b.number, letter.stage.key) in sent:
                    continue
                row = conn.execute(s.reminders.insert().values(
                    customer=letter.customer, stage=letter.stage.key, invoice=b.number,
                    as_of=letter.as_of, file=letter.file, recorded_at=now(),
                    recorded_by=ledger.recorder))
                append(conn, "reminder", row.inserted_primary_key[0])
                made += 1
    return made
