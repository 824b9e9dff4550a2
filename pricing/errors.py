"""Errors that carry where they came from, so a user can find and fix the input.

Library code raises or returns these; only the CLI prints them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in a file: where it is and what was expected.

    Attributes:
      file: the path as the user gave it (or as found in a tables directory).
      row: 1-based line number in the file (the header is row 1), or None for the whole file.
      column: the column name, or None when the problem is not in one column.
      message: what is wrong, "expected X, got Y" where possible.
    """

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"


class PricingError(Exception):
    """A user-facing error: bad input, a missing price, an unknown product.

    The CLI turns it into a message and a non-zero exit, never a traceback.
    """


class ProblemsError(PricingError):
    """Several problems found at once (validation collects before it reports)."""

    def __init__(self, problems: list[Problem], summary: str = "") -> None:
        self.problems = list(problems)
        self.summary = summary or f"{len(self.problems)} problem(s) found"
        super().__init__(self.summary + "\n" + "\n".join(str(p) for p in self.problems))


class MissingPriceError(PricingError):
    """The tables do not hold a number the calculation needs: never a silent zero."""
