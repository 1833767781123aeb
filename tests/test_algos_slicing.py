"""Child sizes: step precision, minimum amount and notional, remainders joining the last slice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from deltaworks_exec.quantities import (
    child_amount,
    is_dust,
    minimum_amount,
    plan_slices,
    price_to_tick,
    to_step,
)
from deltaworks_exec.venue import MarketRules

# ETH-like: step 0.0001, min notional 5 USDT -> at 3000 the minimum is 0.0017
RULES = MarketRules("ETH/USDT", "ETH", "USDT", 0.01, 0.0001, 0.0001, 5.0, 0.001, 0.001)


def test_precision_truncates_never_rounds_up() -> None:
    assert to_step(0.30000000000000004, 0.1) == Decimal("0.3")
    assert to_step(0.12349, 0.0001) == Decimal("0.1234")
    assert to_step(1.0, 0.001) == Decimal("1.000")
    assert price_to_tick(3000.004999, 0.01) == 3000.0
    assert price_to_tick(0.1 + 0.2, 0.1) == pytest.approx(0.3)


def test_minimum_combines_amount_and_notional() -> None:
    assert minimum_amount(RULES, 3000.0) == Decimal("0.0017")
    assert minimum_amount(RULES, 1_000_000.0) == Decimal("0.0001")


def test_small_due_is_deferred_and_small_rest_joins() -> None:
    assert child_amount(0.001, 1.0, RULES, 3000.0) == 0  # below the minimum: wait
    assert child_amount(0.5, 0.501, RULES, 3000.0) == Decimal("0.501")  # 0.001 would be left
    assert child_amount(0.5, 0.6, RULES, 3000.0) == Decimal("0.5")
    assert child_amount(0.7, 0.6, RULES, 3000.0) == Decimal("0.6")
    assert is_dust(0.0016, RULES, 3000.0) and not is_dust(0.0017, RULES, 3000.0)


def test_plan_slices_sum_exactly_and_respect_minimums() -> None:
    slices = plan_slices(1.0, [1] * 3, RULES, 3000.0)
    assert slices == [Decimal("0.3333"), Decimal("0.3333"), Decimal("0.3334")]
    assert sum(slices) == Decimal("1.0")

    tiny = plan_slices(0.005, [1] * 5, RULES, 3000.0)  # 0.001 each: below 0.0017
    # 0.002 once two are due; 0.001 would be left after the fourth: it joins the fourth
    assert tiny == [0, Decimal("0.002"), 0, Decimal("0.003"), 0]

    weighted = plan_slices(0.0101, [1, 1, 1, 97], RULES, 3000.0)
    assert weighted == [0, 0, 0, Decimal("0.0101")]
    with pytest.raises(ValueError, match="weights"):
        plan_slices(1.0, [0, 0], RULES, 3000.0)
