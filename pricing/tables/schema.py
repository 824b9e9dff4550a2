"""What each contract table must look like: its columns, its key, and its own checks.

A table here is a promise the pricing code relies on: the loader refuses any file that breaks
it, so the pricing functions can read rows without re-checking them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pricing.errors import Problem
from pricing.tables.columns import Column, count, date, money, one_of, percent, text

# A table check sees the parsed rows (with their line numbers) and returns problems.
Check = Callable[[str, Sequence[tuple[int, dict]]], list[Problem]]


@dataclass(frozen=True)
class TableSchema:
    """The shape of one table.

    Attributes:
      name: the table's name (its folder under tables/).
      doc: what the table holds.
      columns: the columns, in the order the file must have them.
      key: columns whose values together must be unique within a version.
      checks: whole-table checks beyond single cells.
    """

    name: str
    doc: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    checks: tuple[Check, ...] = field(default=())

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _discount_known_or_explained(file: str, rows: Sequence[tuple[int, dict]]) -> list[Problem]:
    """A discount row either gives a percentage or says why the contract gives none."""
    problems = []
    for line, row in rows:
        if row["discount_pct"] is None and not row["unknown_reason"]:
            problems.append(Problem(file, line, "unknown_reason",
                                    "a row without discount_pct must say why in unknown_reason"))
        if row["discount_pct"] is not None and row["unknown_reason"]:
            problems.append(Problem(file, line, "unknown_reason",
                                    "a row with a discount_pct must leave unknown_reason empty"))
    return problems


LEVEL_BOUNDS = ("gateway_elements_max", "slc_max", "sm_max", "dacs_ii_max", "dacs_iv_max")


def _levels_ordered_without_overlap(file: str, rows: Sequence[tuple[int, dict]]) -> list[Problem]:
    """Levels in rank order must have bounds that never shrink, and gateway ranges that do
    not overlap: otherwise a city could fit two levels, or a higher count a lower level."""
    problems = []
    ordered = sorted(rows, key=lambda lr: lr[1]["rank"])
    for (_, lower), (line, higher) in zip(ordered, ordered[1:]):
        for bound in LEVEL_BOUNDS:
            low, high = lower[bound], higher[bound]
            if low is None and high is not None:
                problems.append(Problem(file, line, bound,
                    f"{higher['level']} has a limit of {high} after {lower['level']} had none"))
            elif low is not None and high is not None and high < low:
                problems.append(Problem(file, line, bound,
                    f"{higher['level']} allows at most {high}, less than the {low} of "
                    f"{lower['level']}"))
        lo_max, hi_min = lower["gateway_elements_max"], higher["gateway_elements_min"]
        if hi_min is not None and (lo_max is None or hi_min <= lo_max):
            problems.append(Problem(file, line, "gateway_elements_min",
                f"{higher['level']} starts at {hi_min}, overlapping {lower['level']} "
                f"(up to {lo_max if lo_max is not None else 'any number'})"))
    for line, row in rows:
        lo, hi = row["gateway_elements_min"], row["gateway_elements_max"]
        if lo is not None and hi is not None and lo > hi:
            problems.append(Problem(file, line, "gateway_elements_min",
                                    f"expected at most gateway_elements_max {hi}, got {lo}"))
    return problems


def _one_row(file: str, rows: Sequence[tuple[int, dict]]) -> list[Problem]:
    if len(rows) != 1:
        return [Problem(file, None, None, f"expected exactly one row, got {len(rows)}")]
    return []


def _warranty_has_period(file: str, rows: Sequence[tuple[int, dict]]) -> list[Problem]:
    return [Problem(file, line, "months", "expected months or days, got neither")
            for line, row in rows if row["months"] is None and row["days"] is None]


_DISCOUNT_COLUMNS = (
    Column("product", text, doc="product name as the contract writes it"),
    Column("order_code", text, optional=True,
           doc="the Lucent order code the discount is limited to, if any"),
    Column("applies_to", one_of("hardware", "software", "both", "cable"),
           doc="what part of a product the discount covers"),
    Column("discount_pct", percent, optional=True,
           doc="percent off list price; blank where the contract gives none"),
    Column("unknown_reason", text, optional=True,
           doc="why the contract gives no discount (the missing section)"),
)


def _discount_table(name: str, doc: str) -> TableSchema:
    return TableSchema(name, doc, _DISCOUNT_COLUMNS, ("product", "order_code", "applies_to"),
                       (_discount_known_or_explained,))


SCHEMAS: dict[str, TableSchema] = {s.name: s for s in (
    TableSchema("agreements", "The agreements, their effective dates and the expiry in force",
        (Column("agreement", one_of("PSA", "GA")),
         Column("contract_number", text),
         Column("name", text),
         Column("effective", date),
         Column("expires", date, optional=True, doc="blank where the filed texts do not say"),
         Column("expiry_section", text)),
        ("agreement",)),
    TableSchema("customers", "Each legal entity, the agreement it buys under, and since when",
        (Column("agreement", one_of("PSA", "GA")),
         Column("entity", text),
         Column("customer_from", date),
         Column("section", text),
         Column("billing_email", text, optional=True,
                doc="where documents are e-mailed; blank: not known"),
         Column("billing_email_source", text,
                doc="where the address comes from, or \"not in the filed texts\"")),
        ("agreement", "entity")),
    TableSchema("service_levels", "Service levels, annual prices and component bounds",
        (Column("level", text),
         Column("rank", count, doc="1 for the smallest level"),
         Column("annual_price", money),
         Column("gateway_elements_min", count, optional=True,
                doc="lower end of the stated range; informational, not a bound"),
         Column("gateway_elements_max", count, optional=True, doc="blank: no limit"),
         Column("five_ess", count, doc="5ESS/VCDX switches the level is configured with"),
         Column("slc_max", count, optional=True, doc="blank: no limit"),
         Column("sm_max", count, optional=True, doc="blank: no limit"),
         Column("dacs_ii_max", count, optional=True, doc="blank: no limit"),
         Column("dacs_iv_max", count, optional=True, doc="blank: no limit")),
        ("level",), (_levels_ordered_without_overlap,)),
    TableSchema("service_hours", "Provisioning/translations and customer care hour blocks",
        (Column("service", text),
         Column("block_hours", count),
         Column("block_price", money),
         Column("hourly_rate", money),
         Column("hourly_after_blocks", count, doc="blocks completed before hourly billing"),
         Column("hourly_from_month", count, doc="month of the annual period (October = 1)"),
         Column("minimum_hours", count, doc="minimum hours charged in a month with hours")),
        ("service",), (_one_row,)),
    TableSchema("one_time_services", "One-time services and their prices",
        (Column("service", text), Column("unit", text), Column("price", money),
         Column("charge", one_of("integration"),
                doc="the charge this row prices: integration (a switch site cut over)")),
        ("charge",)),
    TableSchema("payment_terms", "Payment terms by agreement",
        (Column("agreement", one_of("PSA", "GA")),
         Column("net_days", count),
         Column("terms_text", text)),
        ("agreement",)),
    TableSchema("annual_periods", "How annual service periods run and re-level",
        (Column("first_period_start", date),
         Column("period_start_month", count),
         Column("period_start_day", count),
         Column("first_period_level", text),
         Column("new_city_level", text),
         Column("relevel_min_changed", count,
                doc="components that must change for the level to be re-evaluated"),
         Column("meeting_days_before_end", count)),
        ("first_period_start",), (_one_row,)),
    _discount_table("transmission_discounts", "Transmission Systems Products discounts"),
    _discount_table("cable_discounts", "Discounts on cables used in transmission systems"),
    _discount_table("data_networking_discounts", "Data Networking Products discounts"),
    _discount_table("optical_discounts", "Optical Networking Products discounts"),
    TableSchema("switch_discounts", "5ESS-2000 switch discounts by order kind",
        (Column("product", text),
         Column("order_kind", one_of("initial", "growth", "pri")),
         Column("discount_name", text),
         Column("min_stsx1_cards", count, optional=True),
         Column("max_stsx1_cards", count, optional=True),
         Column("applies_to", one_of("hardware", "software", "both")),
         Column("discount_pct", percent)),
        ("product", "order_kind", "discount_name")),
    TableSchema("warranties", "Warranty periods by schedule and product",
        (Column("schedule", text),
         Column("product", text, optional=True, doc="blank: the schedule's default"),
         Column("part", one_of("hardware", "software", "both")),
         Column("condition", text, optional=True),
         Column("months", count, optional=True),
         Column("days", count, optional=True),
         Column("section", text)),
        ("schedule", "product", "part", "condition"), (_warranty_has_period,)),
    TableSchema("training_incentive", "Tuition-free seats earned per purchase threshold",
        (Column("pool", text),
         Column("product", text),
         Column("threshold_amount", money),
         Column("seats_per_threshold", count),
         Column("course_days", count),
         Column("use_within_months", count)),
        ("pool", "product")),
    TableSchema("packet_solution_components", "Components a 7R/E Packet Solution must contain",
        (Column("component", text), Column("min_units", count)),
        ("component",)),
    TableSchema("packet_solution_commitment", "The 7R/E price saving Seller commits to",
        (Column("min_saving_pct", percent),
         Column("compared_with", text),
         Column("excludes", text)),
        ("compared_with",), (_one_row,)),
    TableSchema("parties", "Names and addresses invoices carry, by agreement and role",
        (Column("agreement", one_of("PSA", "GA")),
         Column("role", one_of("seller", "customer")),
         Column("name", text),
         Column("address", text)),
        ("agreement", "role")),
    TableSchema("psa_remedies", "PSA Amendment 3: disputes, adequate assurance, termination",
        (Column("dispute_discussion_days", count, doc="days of good-faith executive discussion"),
         Column("assurance_multiple", count, doc="times the average monthly payment"),
         Column("assurance_months", count, doc="months of payments averaged"),
         Column("termination_accelerates", one_of("yes", "no"),
                doc="termination makes every outstanding invoice due on its date"),
         Column("instrument", text, doc="the document that brings these remedies, as texts name it"),
         Column("acceleration_clause", text, doc="the clause a text cites for the acceleration"),
         Column("dispute_clause", text, doc="the clause a text cites for disputes"),
         Column("before_dispute_rule", text,
                doc="what happened to a disputed amount before this version, in words"),
         Column("cease_clause", text, doc="the clause of the right to cease performing")),
        ("dispute_discussion_days",), (_one_row,)),
    TableSchema("purchase_commitment", "Tier III / Tier IV city commitments by entity group",
        (Column("entity_group", text),
         Column("tier", text),
         Column("cities", count),
         Column("bound", one_of("up to", "exactly")),
         Column("section", text)),
        ("entity_group", "tier")),
)}

MANIFEST_COLUMNS = ("table", "effective_from", "file", "sha256", "source")
