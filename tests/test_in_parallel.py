"""pricing.in_parallel.beside: a part of a command run on a second core gives the same result,
or the same error, as run in place."""

from __future__ import annotations

import os

import pytest

from pricing.errors import PricingError
from pricing.in_parallel import beside


def _refuse(what: str) -> None:
    raise PricingError(f"refused: {what}")


def _pid_and_total(values: list[int]) -> tuple[int, int]:
    return os.getpid(), sum(values)


def test_the_result_comes_back_from_the_other_process():
    pid, total = beside(_pid_and_total, [16_500_00, 10_000_00])()
    assert total == 26_500_00
    if (os.cpu_count() or 1) > 1:
        assert pid != os.getpid()           # it did run beside


def test_an_error_is_raised_at_join_as_it_was_raised_there():
    join = beside(_refuse, "payment 7")
    with pytest.raises(PricingError, match="refused: payment 7"):
        join()


def test_a_result_that_cannot_be_sent_back_is_an_error_that_says_so():
    with pytest.raises(Exception, match="pickle|Pickl"):
        beside(lambda: (lambda: None))()
