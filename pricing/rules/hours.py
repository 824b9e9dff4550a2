"""Provisioning/translations and customer care hours (PSA Amdt 1, Appendix A).

"1500 hour block at a price of ... ($121,500) per 1500 hour block, or after the completion of
ten (10) 1500 hour blocks, or the beginning in the tenth (10th) month of the annual period, such
service may be purchased at a price of eighty-one dollars ($81) per hour as incurred. There will
be a minimum one (1) hour charge."

The project's rule, per annual period, months numbered from October = 1: in months before the
hourly month (1-9), while fewer than ten blocks are completed, hours draw on the current block
and a new block is bought when the last one is used up. After the tenth block is completed, or
from the tenth month, hours beyond the prepaid hours still left are billed hourly as incurred,
and a month with hours billed hourly is charged at least the minimum (one hour).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from pricing.errors import PricingError
from pricing.rules.lines import Line, Source
from pricing.rules.periods import AnnualPeriod
from pricing.values import ordinal
from pricing.tables.loader import TableSet

ZERO = Decimal(0)


@dataclass(frozen=True)
class HoursResult:
    """The hour lines of one annual period and what is left.

    Attributes:
      lines: block purchases and hourly charges, in month order.
      blocks_bought: blocks (of the table's block_hours) bought in the period.
      prepaid_left: prepaid block hours not yet used at the period's end.
      line_months: the month number (October = 1) each line belongs to.
      line_rules: which rule priced each line, in words (`invoice explain` shows them).
    """

    lines: tuple[Line, ...]
    blocks_bought: int
    prepaid_left: Decimal
    line_months: tuple[int, ...] = ()
    line_rules: tuple[str, ...] = ()

    def lines_of_month(self, month: int) -> list[Line]:
        return [line for line, m in zip(self.lines, self.line_months) if m == month]

    def rules_of_month(self, month: int) -> list[str]:
        return [rule for rule, m in zip(self.line_rules, self.line_months) if m == month]


def hours_text(hours: Decimal) -> str:
    """Hours as a person writes them: "1 hour", "12.5 hours", "1,600 hours"."""
    return "1 hour" if hours == 1 else f"{hours:,} hours"


def price_hours(monthly_hours: Mapping[int, Decimal], tables: TableSet, as_of: dt.date,
                period: AnnualPeriod | None = None) -> HoursResult:
    """Price a period's hours given as {month number (October = 1): hours incurred}."""
    version = tables.version("service_hours", as_of)
    rule = version.rows[0]
    source = Source.of(version)
    lines: list[Line] = []
    months: list[int] = []
    rules: list[str] = []
    blocks = 0
    left = ZERO
    for month in sorted(monthly_hours):
        hours = Decimal(monthly_hours[month])
        if not 1 <= month <= 12:
            raise PricingError(f"hours: month {month} is outside the annual period (1-12)")
        if hours < 0:
            raise PricingError(f"hours: month {month} has negative hours ({hours})")
        if hours == 0:
            continue
        bought_now = 0
        blocks_open = month < rule.hourly_from_month
        while hours > 0:
            if left == 0 and blocks_open and blocks < rule.hourly_after_blocks:
                blocks += 1
                bought_now += 1
                left = Decimal(rule.block_hours)
            if left == 0:
                break
            used = min(hours, left)
            left -= used
            hours -= used
        label = (period.label(month) if period else f"month {month} of the annual period")
        if bought_now:
            first = blocks - bought_now + 1
            which = (f"block {first}" if bought_now == 1 else
                     f"blocks {first} and {blocks}" if bought_now == 2 else
                     f"blocks {first} to {blocks}")
            lines.append(Line.priced(
                "hour_block", f"{rule.block_hours:,}-hour block{'s' if bought_now > 1 else ''} "
                f"bought in {label} ({which} of the {rule.hourly_after_blocks} prepaid before "
                f"hourly billing)", Decimal(bought_now), rule.block_price, source))
            months.append(month)
            rules.append(f"prepaid block bought in month {month} of the annual period (a "
                         f"block is bought when the last is used up, before the "
                         f"{ordinal(rule.hourly_from_month)} month and while fewer than "
                         f"{rule.hourly_after_blocks} are completed)")
        if hours > 0:
            billed = max(hours, Decimal(rule.minimum_hours))
            why = (hourly_reason(rule.hourly_after_blocks) if month < rule.hourly_from_month
                   else f"from the {ordinal(rule.hourly_from_month)} month of the annual "
                        f"period")
            incurred = (f"{hours_text(hours)}, billed as the {rule.minimum_hours}-hour minimum"
                        if billed > hours else hours_text(hours))
            lines.append(Line.priced("hourly", f"Hours billed at the hourly rate in {label} "
                                     f"({incurred}; {why})", billed, rule.hourly_rate, source))
            months.append(month)
            rules.append(f"hourly, {why}" + (f"; the {rule.minimum_hours}-hour minimum "
                                             f"charge for a month with hours" if billed > hours
                                             else ""))
    return HoursResult(tuple(lines), blocks, left, tuple(months), tuple(rules))


def hourly_reason(blocks_before_hourly: int) -> str:
    """Why hours before the hourly month are billed hourly: the table's last block is used up
    (the 10th in this contract's service_hours), or the table sells no block at all."""
    if blocks_before_hourly == 0:
        return "no prepaid blocks are sold before hourly billing"
    return f"after the {ordinal(blocks_before_hourly)} prepaid block was used up"
