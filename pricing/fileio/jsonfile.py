"""Read a small JSON input file (a city to quote, a 7R/E quote) with every failure a message.

Python's json module accepts more than a billing input should hold, and fails in ways that
are not JSONDecodeError:
- NaN, Infinity and -Infinity (not JSON, but json.loads takes them): refused.
- Numbers: decimals stay exact (Decimal, never float); an exponent (`1e3`) is refused, as the
  one number parser (pricing.values) refuses it in a CSV cell; a number of more than
  NUMBER_DIGITS digits is refused before Python converts it (int() of a 5,000-digit number
  raises its own ValueError).
- Nesting deep enough to exhaust the stack raises RecursionError, and a value nested a few
  hundred deep still breaks repr() in a message: nesting beyond DEPTH_LIMIT is refused.
- Bytes that are not UTF-8, a file larger than JSON_BYTES, a path that is not a regular file
  (a FIFO would block the read forever): refused before parsing.
- A field written twice in one object (json keeps the last silently): refused.
- A lone surrogate escape ("\\ud800"): json.loads makes it a character no file or terminal
  can hold; refused.
Each becomes a PricingError naming the file (and the line, where known); the fields' values are
checked by the reader of each document (pricing.quote, pricing.equipment.packet_solution).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from pricing.fileio.csvfile import check_input_file
from pricing.errors import PricingError
from pricing.values import shown

JSON_BYTES = 1 << 20          # a quote is a few hundred bytes; a megabyte is not one
NUMBER_DIGITS = 40            # as pricing.values.parse_decimal
DEPTH_LIMIT = 20              # objects and lists within each other (a quote needs three)


class _Refused(ValueError):
    """A value json.loads would take but an input must not hold."""


def _number(text: str) -> Decimal:
    if "e" in text or "E" in text:
        raise _Refused(f"expected a number without an exponent (write 1000, not 1e3), "
                       f"got {shown(text)}")
    if sum(c.isdigit() for c in text) > NUMBER_DIGITS:
        raise _Refused(f"expected a number of at most {NUMBER_DIGITS} digits, got {shown(text)}")
    return Decimal(text)


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > NUMBER_DIGITS:
        raise _Refused(f"expected a number of at most {NUMBER_DIGITS} digits, got {shown(text)}")
    return int(text)


def _constant(name: str) -> object:
    raise _Refused(f"expected a number, got {name} (JSON has no {name})")


def _unique(pairs: list[tuple[str, object]]) -> dict:
    result: dict = {}
    for key, value in pairs:
        if key in result:
            raise _Refused(f"the field {shown(key)} is written twice in one object")
        result[key] = value
    return result


def as_text(value: object) -> str:
    """A value of a JSON document (or of a Python mapping) as text, for the one parser of its
    kind (pricing.values): text as it is, None as "", an int or a Decimal as written, a float by
    its repr (so "nan" and "inf" reach the parser and are refused). A number too long to spell
    out becomes a phrase the parsers refuse, never a million-digit string."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f") if -NUMBER_DIGITS < value.adjusted() < NUMBER_DIGITS else str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value) if -10**NUMBER_DIGITS < value < 10**NUMBER_DIGITS else \
            f"a number of over {NUMBER_DIGITS} digits"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def shown_value(value: object) -> str:
    """A value for a message: a number as written (a too long one described, since Python will
    not print an int of over 4,300 digits), anything else as pricing.values.shown shows it."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        text = as_text(value)
        return text if len(text) <= NUMBER_DIGITS + 2 else shown(text)
    try:
        return shown(value)
    except ValueError:                    # repr of a list or mapping holding such an int
        return f"a {type(value).__name__} holding a number too long to print"


def _too_deep(value: object) -> bool:
    """Whether lists and objects nest beyond DEPTH_LIMIT (checked without recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            if depth > DEPTH_LIMIT:
                return True
            stack.extend((inner, depth + 1) for inner in
                         (item.values() if isinstance(item, dict) else item))
    return False


def loads(text: str) -> object:
    """Parse JSON text strictly (see the module's docstring); ValueError says what is wrong
    (json.JSONDecodeError, with its position, for text that is not JSON)."""
    try:
        value = json.loads(text, parse_float=_number, parse_int=_integer,
                           parse_constant=_constant, object_pairs_hook=_unique)
    except RecursionError:
        raise _Refused(f"not valid JSON (nested more than {DEPTH_LIMIT} deep)") from None
    if _too_deep(value):
        raise _Refused(f"not valid JSON (nested more than {DEPTH_LIMIT} deep)")
    surrogate = _lone_surrogate(value)
    if surrogate is not None:
        raise _Refused(f"expected text, got {surrogate} (a lone surrogate escape: half of a "
                       f"UTF-16 pair, not a character)")
    return value


def _lone_surrogate(value: object) -> str | None:
    """The first \\uD800-\\uDFFF escape that stands alone in a key or a text value, as written
    ("\\ud800"); json.loads keeps it as a character no file or terminal can hold."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            for char in item:
                if "\ud800" <= char <= "\udfff":
                    return f"\\u{ord(char):04x}"
    return None


def read_json(path: str | Path) -> object:
    """A JSON file's value, decimals exact; PricingError naming the file for any failure."""
    path = Path(path)
    check_input_file(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(JSON_BYTES + 1)
    except OSError as error:
        raise PricingError(f"{path}: cannot read ({error.strerror})") from None
    if len(raw) > JSON_BYTES:
        raise PricingError(f"{path}: expected a JSON file of at most {JSON_BYTES:,} bytes, "
                           f"got a larger one")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = raw[: error.start].count(b"\n") + 1
        raise PricingError(f"{path}, row {row}: not UTF-8 text") from None
    try:
        return loads(text)
    except json.JSONDecodeError as error:
        raise PricingError(f"{path}, row {error.lineno}, column {error.colno}: "
                           f"not valid JSON ({error.msg})") from None
    except _Refused as error:
        raise PricingError(f"{path}: {error}") from None
