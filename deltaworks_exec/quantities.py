"""Order sizes and prices that a venue accepts: precision, minimum amount, minimum notional.

Amounts are truncated to the market's step (ccxt's ``amount_to_precision``
rule) in ``Decimal``, so no business decision rests on float equality. A
quantity below the market's minimum (amount, or notional at the reference
price) is never sent on its own: a small slice is deferred to a later one,
and a remainder below the minimum joins the last slice.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal

from deltaworks_exec.venue import MarketRules


def dec(value: float | Decimal) -> Decimal:
    """A float as the shortest decimal that prints like it (0.1 -> Decimal('0.1'))."""
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


def to_step(amount: float | Decimal, step: float) -> Decimal:
    """``amount`` truncated to a multiple of ``step`` (never rounded up)."""
    step_d = dec(step)
    return (dec(amount) / step_d).to_integral_value(rounding=ROUND_DOWN) * step_d


def price_to_tick(price: float, tick: float) -> float:
    """``price`` rounded to the nearest multiple of ``tick``."""
    tick_d = dec(tick)
    return float((dec(price) / tick_d).to_integral_value() * tick_d)


def minimum_amount(rules: MarketRules, price: float) -> Decimal:
    """The smallest amount the venue accepts at ``price``: min amount and min notional."""
    by_notional = Decimal(0)
    if rules.min_notional > 0 and price > 0:
        step = dec(rules.amount_increment)
        steps = (dec(rules.min_notional) / (dec(price) * step)).to_integral_value(
            rounding=ROUND_CEILING
        )
        by_notional = steps * step
    return max(dec(rules.min_amount), by_notional, dec(rules.amount_increment))


def child_amount(
    wanted: float | Decimal, remaining: float | Decimal, rules: MarketRules, price: float
) -> Decimal:
    """The amount to send now when ``wanted`` is due and ``remaining`` is left of the parent.

    Returns 0 when ``wanted`` is below the minimum (it is deferred); returns all of
    ``remaining`` when what would be left after this child is below the minimum.
    """
    step = rules.amount_increment
    remaining_d = to_step(remaining, step)
    want = min(to_step(wanted, step), remaining_d)
    minimum = minimum_amount(rules, price)
    if want <= 0:
        return Decimal(0)
    if remaining_d - want < minimum:
        return remaining_d
    return want if want >= minimum else Decimal(0)


def plan_slices(
    total: float | Decimal, weights: Sequence[float], rules: MarketRules, price: float
) -> list[Decimal]:
    """Split ``total`` in proportion to ``weights`` into sendable slices, one per weight.

    Cumulative targets are truncated to the step, so the slices sum exactly to
    ``total`` (itself truncated); a slice below the minimum is carried into the
    next (it shows as 0), and a remainder below the minimum joins the slice before.
    """
    if not weights or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError(f"weights must be non-negative with a positive sum, got {weights!r}")
    step = rules.amount_increment
    total_d = to_step(total, step)
    weight_sum = sum(dec(w) for w in weights)
    slices: list[Decimal] = []
    cumulative_weight = Decimal(0)
    sent = Decimal(0)
    for weight in weights:
        cumulative_weight += dec(weight)
        target = to_step(total_d * cumulative_weight / weight_sum, step)
        amount = child_amount(target - sent, total_d - sent, rules, price)
        slices.append(amount)
        sent += amount
    return slices


def is_dust(remaining: float | Decimal, rules: MarketRules, price: float) -> bool:
    """True when ``remaining`` cannot be sent at all: below the venue's minimum."""
    return to_step(remaining, rules.amount_increment) < minimum_amount(rules, price)
