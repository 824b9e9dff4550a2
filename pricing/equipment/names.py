"""Match product names as people type them to the names the contract writes.

Two jobs:

- `product_key`: the identity of a row's product across the product tables (discounts,
  warranties, training pools, 7R/E components). Case, runs of spaces and trademark marks
  ((R), (TM), (SM), and the symbols) are ignored, and so is a trailing parenthesised
  abbreviation: "PathStar Access Server" is "PathStar(TM) Access Server (PSAS)".
- `find_product` / `match_product`: which product of the tables a user means. A product is
  found by any of the names the contract gives it (GA Amendment 3, file 004):
    * its row as written: "7 R/E(TM) Connection Gateway (previously PacketStar(TM) Connection
      Gateway (PCG))", with or without the row's footnote marks ("**");
    * its name without the row's trailing notes (each trailing parenthesised group): "7 R/E
      Connection Gateway" (L321), "DACS II Systems" (L92, "(hardware & Software)");
    * its former name, the note that starts "formerly" or "previously", with or without its own
      notes: "Broadband Interworking Connection Router (BICR)" and "Broadband Interworking
      Connection Router" (L310), "PacketStar Connection Gateway" (L321).
  Case, trademark marks and spacing do not count (spaces are ignored altogether, so "7R/E"
  and "7 R/E" are one name, as the contract writes both). Nothing is guessed: a name that is
  the whole name of one product finds it; one that is the whole name of several is ambiguous
  (an error listing them); a name that is only the start of products' names finds none, and
  the error lists the products it starts (SLC-2000 Access System: four of them).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pricing.errors import PricingError

_MARKS = re.compile(r"\((?:r|tm|sm)\)|[\u00ae\u2122\u2120]", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_ABBREVIATION = re.compile(r"\s*\([A-Z][A-Z0-9]{1,9}\)\s*$")
_FOOTNOTE = re.compile(r"\s*\*+\s*$")
_FORMER = re.compile(r"^(?:formerly|previously)\s+", re.IGNORECASE)

# The tables whose rows name products, and the column that names them.
PRODUCT_TABLES = {"transmission_discounts": "product", "data_networking_discounts": "product",
                  "optical_discounts": "product", "switch_discounts": "product",
                  "warranties": "product", "training_incentive": "product",
                  "packet_solution_components": "component"}


def product_key(name: str) -> str:
    """The comparison key of a product name."""
    without_marks = _ABBREVIATION.sub("", _MARKS.sub("", name))
    return _SPACE.sub(" ", without_marks).strip().casefold()


def _spaced(name: str) -> str:
    """A name as compared for "starts with": no marks, no footnote stars, NFKC, case-folded,
    runs of spaces as one."""
    text = _MARKS.sub("", name)
    text = _MARKS.sub("", unicodedata.normalize("NFKC", text))
    text = _FOOTNOTE.sub("", text)
    return _SPACE.sub(" ", text).strip().casefold()


def _loose(name: str) -> str:
    """A name as compared whole: `_spaced` without any space."""
    return _SPACE.sub("", _spaced(name))


def _trailing_group(text: str) -> tuple[str, str] | None:
    """(text before, inside) of a balanced parenthesised group ending the text, or None."""
    text = text.rstrip()
    if not text.endswith(")"):
        return None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            return text[:i].rstrip(), text[i + 1:-1].strip()
    return None


def contract_names(name: str) -> list[tuple[str, str]]:
    """The names the contract gives one product row: [(how, name)], the row first.

    how: "contract name" (the row), "current name" (without trailing notes), "former name"
    (a "formerly"/"previously" note, with and without its own notes).
    """
    names = [("contract name", name)]
    pending = [(name, False)]
    while pending:
        text, former = pending.pop(0)
        group = _trailing_group(_FOOTNOTE.sub("", _MARKS.sub("", text)))
        while group and group[0]:
            head, inside = group
            if _FORMER.match(inside):
                old = _FORMER.sub("", inside)
                names.append(("former name", old))
                pending.append((old, True))
            names.append(("former name" if former else "current name", head))
            group = _trailing_group(head)
    return names


@dataclass(frozen=True)
class ProductMatch:
    """What a typed name finds among the tables' products.

    Attributes:
      typed: the name as typed.
      product: the contract's name of the product found (a row's text), None if none is.
      how: which of its names was typed ("contract name", "current name", "former name").
      candidates: the products it could mean when it finds none: several whose whole name it
        is (ambiguous), or those whose names start with it.
      ambiguous: the typed name is the whole name of several products.
    """

    typed: str
    product: str | None
    how: str = ""
    candidates: tuple[str, ...] = ()
    ambiguous: bool = False

    def problem(self) -> str:
        """Why it finds no product, in words naming the candidates ("" when it found one)."""
        if self.product:
            return ""
        listed = "; ".join(repr(c) for c in self.candidates)
        if self.ambiguous:
            return (f"product: {self.typed!r} is ambiguous: it names {len(self.candidates)} "
                    f"products: {listed}; type one of them")
        if len(self.candidates) > 1:
            return (f"product: {self.typed!r} is ambiguous: it is the start of "
                    f"{len(self.candidates)} products' names: {listed}; type one of them")
        if self.candidates:
            return (f"product: {self.typed!r} is not a product of the contract's tables; did "
                    f"you mean {listed}?")
        return f"product: {self.typed!r} is not a product of the contract's tables"


class UnknownProductError(PricingError):
    """A typed product name that finds no product, or several (the message lists them)."""

    def __init__(self, match: ProductMatch) -> None:
        self.match = match
        super().__init__(match.problem())


class ProductNames:
    """Every product named in a table set, by each of its contract names."""

    def __init__(self, tables) -> None:
        self.products: dict[str, str] = {}                   # product_key -> contract name
        self.whole: dict[str, dict[str, str]] = {}           # loose name -> {key: how}
        self.starts: list[tuple[str, str]] = []              # (spaced name, key)
        for table, column in PRODUCT_TABLES.items():
            if table not in tables.names:
                continue
            for version in tables.versions(table):
                for row in version.rows:
                    name = getattr(row, column, None)
                    if name:
                        self._add(name)

    def _add(self, name: str) -> None:
        key = product_key(name)
        if key in self.products:
            return
        self.products[key] = name
        for how, text in contract_names(name):
            found = self.whole.setdefault(_loose(text), {})
            if key not in found or how == "contract name":
                found[key] = how
            self.starts.append((_spaced(text), key))

    def match(self, typed: str) -> ProductMatch:
        found = self.whole.get(_loose(typed), {})
        exact = [k for k, how in found.items() if how == "contract name"]
        if len(exact) == 1:                   # a row's own text names that row's product
            return ProductMatch(typed, self.products[exact[0]], "contract name")
        if len(found) == 1:
            (key, how), = found.items()
            return ProductMatch(typed, self.products[key], how)
        if found:
            return ProductMatch(typed, None, candidates=self._names(found), ambiguous=True)
        start = _spaced(typed)
        starting = {key for text, key in self.starts if start and text.startswith(start)
                    and (len(text) == len(start) or not text[len(start)].isalnum()
                         or not start[-1].isalnum())}
        return ProductMatch(typed, None, candidates=self._names(starting))

    def _names(self, keys) -> tuple[str, ...]:
        return tuple(sorted((self.products[k] for k in keys), key=str.casefold))


_CACHE: dict[int, tuple[object, ProductNames]] = {}


def product_names(tables) -> ProductNames:
    """The product names of a table set, built once per table set."""
    cached = _CACHE.get(id(tables))
    if cached is None or cached[0] is not tables:
        cached = _CACHE[id(tables)] = (tables, ProductNames(tables))
    return cached[1]


def match_product(tables, typed: str) -> ProductMatch:
    """What a typed name finds (never raises: see ProductMatch.problem)."""
    return product_names(tables).match(typed)


def find_product(tables, typed: str) -> str:
    """The contract's name of the product a user typed, or UnknownProductError listing the
    products it could mean."""
    found = match_product(tables, typed)
    if found.product is None:
        raise UnknownProductError(found)
    return found.product
