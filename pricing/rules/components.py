"""A city's six component counts, the inputs of the service level (PSA Amdt 1, Appendix A)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from pricing.errors import PricingError
from pricing.fileio.jsonfile import shown_value
from pricing.values import COUNT_LIMIT


@dataclass(frozen=True)
class Counts:
    """Component counts of one city's 5ESS/VCDX location.

    Attributes:
      gateway_elements: the switch's gateway elements.
      five_ess: 5ESS/VCDX switches (each level is configured with exactly one).
      slc: subscriber loop carriers.
      sm: switching modules.
      dacs_ii: DACS II systems.
      dacs_iv: DACS IV systems.
    """

    gateway_elements: int
    five_ess: int
    slc: int
    sm: int
    dacs_ii: int
    dacs_iv: int

    def __post_init__(self) -> None:
        for name in COMPONENTS:
            problem = count_problem(getattr(self, name))
            if problem:
                raise PricingError(f"{name}: {problem}")

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COMPONENTS}


COMPONENTS: tuple[str, ...] = tuple(f.name for f in fields(Counts))

# The service_levels table column that bounds each component from above.
BOUND_COLUMNS: dict[str, str] = {
    "gateway_elements": "gateway_elements_max",
    "slc": "slc_max",
    "sm": "sm_max",
    "dacs_ii": "dacs_ii_max",
    "dacs_iv": "dacs_iv_max",
}


def changed_components(before: Counts, after: Counts) -> list[str]:
    """The components whose counts differ between two reports, in table order."""
    return [name for name in COMPONENTS if getattr(before, name) != getattr(after, name)]


def count_problem(value: object) -> str | None:
    """What is wrong with a component count given as a number (JSON, Python), or None: a
    whole number of zero or more, below pricing.values.COUNT_LIMIT as a count typed as text."""
    text = shown_value(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return f"expected a whole number of zero or more, got {text}"
    if value >= COUNT_LIMIT:
        return f"expected a whole number below {COUNT_LIMIT:,}, got {text}"
    return None


def count_problems(values: Mapping[str, object]) -> list[tuple[str, str]]:
    """Every problem with a mapping of component counts, as (field, message) pairs."""
    problems = [(name, f"unknown field (expected {', '.join(COMPONENTS)})")
                for name in sorted(set(values) - set(COMPONENTS))]
    for name in COMPONENTS:
        if name not in values:
            problems.append((name, "missing"))
            continue
        problem = count_problem(values[name])
        if problem:
            problems.append((name, problem))
    return problems


def counts_from_mapping(values: Mapping[str, object], where: str = "counts") -> Counts:
    """Counts from a mapping with exactly the six component keys; errors name each field."""
    problems = count_problems(values)
    if problems:
        raise PricingError("; ".join(f"{where}.{name}: {message}" for name, message in problems))
    return Counts(**{name: values[name] for name in COMPONENTS})
