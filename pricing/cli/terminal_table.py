"""Laying out a table for a terminal of a given width, so no number is ever cut in two.

rich shrinks every column evenly when a table is wider than the terminal, and then folds
`135,500.00` into `135,500.` and `00`. Here the widths are decided before rich sees the table:
- a word holding a digit (an amount, a date, a document number, `1,500-hour`) is never broken,
  so its column is at least as wide as its longest such word;
- text folds at spaces and after a `/` (a path), and a word with no digit that is longer than
  its column is cut;
- when even that does not fit, the columns are shown in blocks of columns, one under the
  other, each repeating the first column (the row's name), as R and pandas print wide frames.
The cells are wrapped here and handed to rich with fixed widths, so rich never re-wraps them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

TEXT_FLOOR = 10          # a text column is not made narrower than this (or its widest cell)
CELL_EXTRA = 3           # rich's default box: a space either side of a cell and one rule
TABLE_EXTRA = 1          # and the closing rule

_UNITS = re.compile(r"[^\s/]*/+\s*|[^\s/]+\s*|\s+")
_HEADER_UNITS = re.compile(r"[^\s/_]*[/_]+\s*|[^\s/_]+\s*|\s+")
_DIGIT = re.compile(r"\d")


class Block(NamedTuple):
    """Columns shown together: their indexes in the table and the width of each."""

    columns: tuple[int, ...]
    widths: tuple[int, ...]


def _units(text: str, header: bool) -> list[str]:
    return (_HEADER_UNITS if header else _UNITS).findall(text)


def whole_width(text: str, header: bool = False) -> int:
    """The widest word of `text` that may not be broken: one holding a digit."""
    return max([len(u.rstrip()) for line in text.split("\n") for u in _units(line, header)
                if _DIGIT.search(u)] or [0])


def natural_width(text: str) -> int:
    return max([len(line) for line in text.split("\n")] or [0])


def wrap(text: str, width: int, header: bool = False) -> list[str]:
    """`text` in lines of at most `width` characters, broken at spaces and after `/` (and `_`
    in a header); a word with a digit is kept whole, a longer word without one is cut."""
    width = max(width, 1)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for unit in _units(paragraph, header):
            if not line and not unit.strip():
                continue
            if len(line) + len(unit.rstrip()) <= width:
                line += unit
                continue
            if line.strip():
                lines.append(line.rstrip())
            line = unit.lstrip()
            while len(line.rstrip()) > width and not _DIGIT.search(line):
                lines.append(line[:width])
                line = line[width:]
        lines.append(line.rstrip())
    return lines


def _floor_and_want(header: str, cells: Sequence[str]) -> tuple[int, int]:
    want = max([natural_width(header)] + [natural_width(c) for c in cells])
    whole = max([whole_width(header, header=True)] + [whole_width(c) for c in cells])
    return max(whole, min(want, TEXT_FLOOR)), want


def _fit(floors: Sequence[int], wants: Sequence[int], width: int) -> tuple[int, ...] | None:
    """Column widths within `width`, each at least its floor and at most what it wants, the
    room left shared by what each still wants; None when the floors do not fit."""
    room = width - sum(floors) - CELL_EXTRA * len(floors) - TABLE_EXTRA
    if room < 0:
        return None
    widths = list(floors)
    short = [w - f for f, w in zip(floors, wants)]
    if sum(short) <= room:
        return tuple(wants)
    given = [room * s // sum(short) for s in short]
    widths = [w + g for w, g in zip(widths, given)]
    left = room - sum(given)
    for i in sorted(range(len(short)), key=lambda i: short[i] - given[i], reverse=True)[:left]:
        widths[i] += 1
    return tuple(widths)


def layout(columns: Sequence[str], rows: Sequence[Sequence[str]], width: int) -> list[Block]:
    """The blocks of columns a table is shown in on a terminal `width` wide: one block when
    the columns fit with every number whole, else blocks each repeating the first column."""
    measured = [_floor_and_want(str(name), [row[i] for row in rows])
                for i, name in enumerate(columns)]
    floors = [m[0] for m in measured]
    wants = [m[1] for m in measured]

    def fit(indexes: Sequence[int]) -> tuple[int, ...] | None:
        return _fit([floors[i] for i in indexes], [wants[i] for i in indexes], width)

    everything = tuple(range(len(columns)))
    widths = fit(everything)
    if widths is not None or len(columns) < 2:
        return [Block(everything, widths or tuple(floors))]
    blocks: list[tuple[int, ...]] = []
    current: list[int] = []
    for index in everything[1:]:
        if current and fit([0, *current, index]) is None:
            blocks.append((0, *current))
            current = []
        current.append(index)
    blocks.append((0, *current))
    return [Block(b, fit(b) or tuple(floors[i] for i in b)) for b in blocks]
