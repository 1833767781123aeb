"""A venue's market rules checked before an order is sent, so a reject names our rule and its
value ("below the minimum notional of 5 USDT for BTC/USDT on sim_a"), not the exchange's filter.

The OMS first brings amount and price to the market's step and tick with ccxt's
precision helpers (amounts truncated, never rounded up); what is checked here is
what that cannot fix: the minimum amount and the minimum notional.
"""

from __future__ import annotations

from deltaworks_exec.quantities import dec
from deltaworks_exec.risk.checks import RiskReject
from deltaworks_exec.venue import MarketRules, OrderIntent


def _fmt(value: float) -> str:
    return f"{dec(value).normalize():f}"


def below_minimum_amount(amount: float, rules: MarketRules, exchange: str) -> str | None:
    """Why ``amount`` (already on the step) is too small for the market, or ``None``."""
    where = f"for {rules.symbol} on {exchange}"
    if amount <= 0:
        return f"below the amount step of {_fmt(rules.amount_increment)} {rules.base} {where}"
    if amount < rules.min_amount:
        return (
            f"{_fmt(amount)} {rules.base} is below the minimum amount of "
            f"{_fmt(rules.min_amount)} {rules.base} {where}"
        )
    return None


def check_min_notional(
    order: OrderIntent, rules: MarketRules, exchange: str, mid: float | None
) -> RiskReject | None:
    """``MIN_NOTIONAL`` when ``order``'s value (at its price, stop price, else ``mid``) is
    below the market's minimum notional; ``None`` when it is not or cannot be judged."""
    price = order.price or order.stop_price or mid
    if rules.min_notional <= 0 or price is None:
        return None
    notional = order.amount * price
    if notional >= rules.min_notional:
        return None
    return RiskReject(
        "MIN_NOTIONAL",
        f"notional {notional:,.8g} {rules.quote} is below the minimum notional of "
        f"{_fmt(rules.min_notional)} {rules.quote} for {rules.symbol} on {exchange}",
    )
