"""Which customer a bank line is from, and which invoices its money pays (issue 25).

A bank line is matched to a customer by its payer's name as the customers table spells it,
ignoring case, punctuation and a trailing "Inc."; a name that matches no customer, or more than
one, is not guessed. Its money then goes, in this order:
1. to the invoices its reference names, in the order named (each up to what is open on it and
   not disputed);
2. to the customer's other open undisputed invoices, oldest first (by date, then number);
3. what is left is unapplied cash on the customer's account.
Disputed amounts are never paid down by cash the customer did not direct at them (PSA Section
24 as amended: a disputed amount is withheld in good faith, not owed until settled).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from pricing.rules.agreements import customer_key

ZERO = Decimal("0.00")
_SUFFIX = re.compile(r"(?: incorporated| inc)$")
# "invoice 000123", "inv. 123", "INV-123", "#000123", or six digits standing alone; ASCII digits
# only, as every number the tool reads (an Arabic-Indic "INV ٤" named invoice 4).
_NAMED = re.compile(r"(?:\binv(?:oice)?\.?\s*[-#:]?\s*|#)(\d{1,9})\b|\b(\d{6})\b",
                    re.IGNORECASE | re.ASCII)


def payer_key(name: str) -> str:
    """A name as payers and customers are matched: customer_key (case, spaces, commas and full
    stops aside) without a trailing "Inc."/"Incorporated"."""
    return _SUFFIX.sub("", customer_key(name))


def match_customer(payer: str, customers: Iterable[str]) -> str | None:
    """The one customer `payer` names, as the customers table spells it; None for none or more
    than one (two customers that differ only by "Inc." are not told apart by guessing)."""
    wanted = payer_key(payer)
    found = {name for name in customers if payer_key(name) == wanted}
    return found.pop() if len(found) == 1 else None


def named_invoices(reference: str) -> list[int]:
    """The invoice numbers a remittance reference names, in the order named, each once."""
    found: list[int] = []
    for match in _NAMED.finditer(reference):
        number = int(match.group(1) or match.group(2))
        if number and number not in found:          # invoice numbers start at 1
            found.append(number)
    return found


@dataclass(frozen=True)
class Payable:
    """An invoice of the customer as cash may pay it: number, invoice_date, and `room`, what is
    open on it and not disputed."""

    number: int
    invoice_date: dt.date
    room: Decimal


@dataclass(frozen=True)
class Allocation:
    """Where a bank line's money goes: `applied` (invoice number, amount) in order, then
    `unapplied` (left on the customer's account)."""

    applied: tuple[tuple[int, Decimal], ...]
    unapplied: Decimal

    @property
    def total(self) -> Decimal:
        return sum((amount for _, amount in self.applied), ZERO) + self.unapplied


def allocate(amount: Decimal, named: Sequence[int], payable: Sequence[Payable]) -> Allocation:
    """Allocate `amount` (more than zero, whole cents): the invoices named first, in the order
    named, then the oldest; an invoice named that is not the customer's, or has no room, gets
    nothing. Every cent is applied or unapplied, none twice."""
    room = {p.number: p.room for p in payable}
    order = list(dict.fromkeys(n for n in named if n in room))     # an invoice named twice: once
    order += [p.number for p in sorted(payable, key=lambda p: (p.invoice_date, p.number))
              if p.number not in order]
    left, applied = amount, []
    for number in order:
        take = min(left, room[number])
        if take > 0:
            applied.append((number, take))
            left -= take
        if left == 0:
            break
    return Allocation(tuple(applied), left)
