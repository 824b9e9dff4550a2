"""One strict parser per kind of value a user types: date, month, amount, decimal, count,
hours and document number.

Every edge (the CLI's options, the input CSV and JSON readers, the ledger) calls these, so a
value has exactly one spelling once it is past the edge: `2001-04`, never ` 2001-04`, `2001-4`
or the same digits in another script. A ledger keyed by what the user typed could otherwise bill
one month twice.

The rules, and why:
- ASCII digits only. Python's `int()` and `date.fromisoformat()` accept full-width and
  Arabic-Indic digits and ISO week dates (`2001-W20-1`, `20010515`); a billing record must not.
- Surrounding ASCII white space is removed (a cell or option typed with a stray space means
  the same value); anything else that is not the canonical form is refused.
- Dates and months lie within the agreements' years (see DATE_RANGE), so a typo such as
  9999-12-31 is caught at once, not carried into date arithmetic or the ledger.
- Amounts are below 10^12 dollars with whole cents; counts and numbers have bounds too. A
  value past a bound is refused with the bound in the message.

Each parser raises ValueError with an "expected X, got Y" message (the offending text shown
shortened, so a 50 MB cell does not become a 50 MB message); callers attach file, row and column.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

# The agreements run from the General Agreement's effective date (1997-03-06) to the PSA's last
# stated expiry (2005-09-30); payments, disputes and reports on them come a few years later.
# Dates outside these years are taken for typos.
DATE_RANGE = (dt.date(1997, 1, 1), dt.date(2010, 12, 31))
# Money: every amount the contract prices is far below a trillion dollars.
AMOUNT_LIMIT = Decimal(10) ** 12
# Component counts, quantities and document numbers.
COUNT_LIMIT = 10 ** 9
# Hours in a month: bounded so hours x the hourly rate stays a sane amount.
HOURS_LIMIT = Decimal(10) ** 8

_WHITE = " \t\r\n"
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
_DECIMAL = re.compile(r"(-?)(\$?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?")
_DIGITS = re.compile(r"[0-9]+")
_SHOWN = 40


def shown(value: object) -> str:
    """The offending value for a message: repr, shortened to a readable length (a 50 MB cell
    or a 5,000-digit integer does not become the message)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an integer of about {int(value.bit_length() * 0.30103):,} digits"
    if isinstance(value, str) and len(value) > _SHOWN:
        return repr(value[:_SHOWN - 5]) + f"... ({len(value):,} characters)"
    text = repr(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


def _clean(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected {what} written as text, got {shown(value)}")
    return value.strip(_WHITE)


def _in_range(day: dt.date, value: object) -> dt.date:
    low, high = DATE_RANGE
    if not low <= day <= high:
        raise ValueError(f"expected a date from {low} to {high} (the agreements' years), "
                         f"got {shown(value)}")
    return day


def parse_date(value: object) -> dt.date:
    """A date written YYYY-MM-DD, within DATE_RANGE."""
    text = _clean(value, "a date YYYY-MM-DD")
    match = _DATE.fullmatch(text)
    if not match:
        raise ValueError(f"expected a date YYYY-MM-DD, got {shown(value)}")
    try:
        day = dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        raise ValueError(f"expected a date YYYY-MM-DD that exists in the calendar, got "
                         f"{shown(value)}") from None
    return _in_range(day, value)


def parse_month(value: object) -> tuple[int, int]:
    """(year, month) of a month written YYYY-MM, within DATE_RANGE's years."""
    text = _clean(value, "a month YYYY-MM")
    match = _MONTH.fullmatch(text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"expected a month YYYY-MM, got {shown(value)}")
    year, month = int(match.group(1)), int(match.group(2))
    low, high = DATE_RANGE
    if not low.year <= year <= high.year:
        raise ValueError(f"expected a month from {low:%Y-%m} to {high:%Y-%m} (the agreements' "
                         f"years), got {shown(value)}")
    return year, month


def month_label(year: int, month: int) -> str:
    """The canonical spelling of a month, as the ledger stores it."""
    return f"{year:04d}-{month:02d}"


def ordinal(n: int) -> str:
    """A table's count as a text says it in order: 1st, 2nd, 3rd, 8th, 10th, 11th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def canonical_month(value: object) -> str:
    """A month as the ledger stores it: parsed strictly, then written YYYY-MM."""
    return month_label(*parse_month(value))


def parse_decimal(value: object) -> Decimal:
    """A decimal number as people write it: `1250`, `1,250.50`, `$1,250.50`, `-3.5`.

    No exponent, no NaN or infinity, thousands separators only in groups of three."""
    text = _clean(value, "a number")
    match = _DECIMAL.fullmatch(text)
    if not match:
        raise ValueError(f"expected a number, got {shown(value)}")
    sign, _, whole, fraction = match.groups()
    if len(whole) + len(fraction or "") > 40:
        raise ValueError(f"expected a number of at most 40 digits, got {shown(value)}")
    try:
        number = Decimal(sign + whole.replace(",", "") + ("." + fraction if fraction else ""))
    except InvalidOperation:                              # pragma: no cover - the pattern allows none
        raise ValueError(f"expected a number, got {shown(value)}") from None
    return number


def parse_amount(value: object, *, positive: bool = True) -> Decimal:
    """Money: whole cents, below AMOUNT_LIMIT; more than zero unless positive=False (then zero
    or more). Returned with two places."""
    amount = parse_decimal(value)
    if positive and amount <= 0:
        raise ValueError(f"expected an amount more than zero, got {shown(value)}")
    if amount < 0:
        raise ValueError(f"expected an amount of zero or more, got {shown(value)}")
    if amount >= AMOUNT_LIMIT:
        raise ValueError(f"expected an amount below {AMOUNT_LIMIT:,}, got {shown(value)}")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"expected an amount in whole cents, got {shown(value)}")
    return amount.quantize(Decimal("0.01"))


def parse_hours(value: object) -> Decimal:
    """Hours in a month: zero or more, below HOURS_LIMIT, at most four decimal places."""
    hours = parse_decimal(value)
    if hours < 0:
        raise ValueError(f"expected hours of zero or more, got {shown(value)}")
    if hours >= HOURS_LIMIT:
        raise ValueError(f"expected hours below {HOURS_LIMIT:,}, got {shown(value)}")
    if hours != hours.quantize(Decimal("0.0001")):
        raise ValueError(f"expected hours with at most four decimal places, got {shown(value)}")
    return hours


def parse_count(value: object) -> int:
    """A whole number of zero or more, ASCII digits only, below COUNT_LIMIT."""
    text = _clean(value, "a whole number")
    if not _DIGITS.fullmatch(text):
        raise ValueError(f"expected a whole number of zero or more, got {shown(value)}")
    digits = text.lstrip("0") or "0"
    if len(digits) > 12 or int(digits) >= COUNT_LIMIT:
        raise ValueError(f"expected a whole number below {COUNT_LIMIT:,}, got {shown(value)}")
    return int(digits)


def parse_number(value: object) -> int:
    """A document number (invoice, credit note, dispute, payment): 1 or more, below
    COUNT_LIMIT. Leading zeros are allowed, since documents print as 000003."""
    text = _clean(value, "a number")
    if not _DIGITS.fullmatch(text) or not text.strip("0"):
        raise ValueError(f"expected a number of 1 or more in ASCII digits, got {shown(value)}")
    return parse_count(text)                    # and below COUNT_LIMIT


# Letters and symbols that print as nothing (Hangul fillers, braille blank, ...).
BLANKS = frozenset("\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
# Unicode categories that print as nothing or change how the text around them reads: controls
# (tab and DEL too), format characters (zero-width, bidirectional, soft hyphen, word joiner),
# surrogates, private use, unassigned, line and paragraph separators.
HIDDEN = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")
NAME_LIMIT = 200
TEXT_LIMIT = 2000
UNKNOWN_AUTHOR = "unknown"          # the author of a record made before the ledger kept authors


def unusual_character(text: str, strict: bool = False) -> str | None:
    """The first character of `text` that prints as nothing or changes how the text reads, or
    None. `strict` (names, which are keys: two spellings must not look alike) also refuses
    combining marks and spaces other than U+0020."""
    import unicodedata

    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if category in HIDDEN or char in BLANKS or (strict and (
                category in ("Mn", "Me") or (category == "Zs" and char != " "))):
            return char
    return None


def free_text(value: str) -> str:
    """Free text (a reason, a resolution): valid Unicode on one line, nothing hidden in it."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError("expected text, got bytes that are not UTF-8")
    if any(c in "\r\n\x0b\x0c\x85\u2028\u2029" for c in value):
        raise ValueError("expected text on one line, without line breaks")
    if len(value) > TEXT_LIMIT:
        raise ValueError(f"expected at most {TEXT_LIMIT:,} characters, got {len(value):,}")
    hidden = unusual_character(value)
    if hidden is not None:
        raise ValueError(f"expected visible text, got the invisible, control or "
                         f"direction-changing character U+{ord(hidden):04X} (it would change "
                         f"how the text reads on a document)")
    return value


def printable_text(value: str) -> str:
    """Text a document prints: every character in the documents' font (pricing.document_font)."""
    from pricing.document_font import font_problem

    problem = font_problem(value)
    if problem is not None:
        raise ValueError(f"expected text a document can print, got text that {problem}")
    return value


def reason_text(value: str) -> str:
    """A reason or a resolution: free text with something in it, that a document can print."""
    value = free_text(value)
    if not value.strip():
        raise ValueError("expected a few words saying why, got nothing")
    return printable_text(value)


def name_text(value: str) -> str:
    """A name to match (a city, a bill-to): free text, trimmed, and not empty."""
    value = free_text(value).strip()
    if not value:
        raise ValueError("expected a name, got nothing")
    return value


def user_name(value: str) -> str:
    """Who records something: a name as strict as a city's (one person must not be able to
    pass for another in the log), and not the word the ledger keeps for records made before
    it kept authors. Kept in NFC, so José typed either way is one author."""
    import unicodedata

    value = unicodedata.normalize("NFC", name_text(value))
    if len(value) > NAME_LIMIT:
        raise ValueError(f"expected a name of at most {NAME_LIMIT} characters, got {len(value):,}")
    hidden = unusual_character(value, strict=True)
    if hidden is not None:
        raise ValueError(f"expected a name in visible characters and plain spaces, got "
                         f"U+{ord(hidden):04X}")
    if value.casefold() == UNKNOWN_AUTHOR:
        raise ValueError(f"{UNKNOWN_AUTHOR!r} is kept for records made before the ledger "
                         f"recorded who made them; give your own name")
    return printable_text(value)
