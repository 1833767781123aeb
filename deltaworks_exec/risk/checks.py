"""Pre-trade checks: each reject names a reason code, the limit and the value."""

from __future__ import annotations

from dataclasses import dataclass

from deltaworks_core.config import RiskLimits
from deltaworks_exec.marketdata.live import LiveQuote
from deltaworks_exec.venue import Balance, MarketRules, OrderIntent


@dataclass(frozen=True, slots=True)
class RiskReject:
    """Why an order may not go to its venue."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@dataclass(frozen=True, slots=True)
class Exposure:
    """What the service already has working on one exchange, from its open orders."""

    open_orders: int
    buy_base: float  # base amount of open buys (per asset of this market)
    buy_quote: float  # quote reserved by open buys
    sell_base: float  # base reserved by open sells


@dataclass(frozen=True, slots=True)
class RiskContext:
    """Everything a check needs, gathered before the check (no I/O inside checks)."""

    rules: MarketRules
    quote: LiveQuote | None  # the streamed top of book
    balances: dict[str, Balance]
    exposure: Exposure
    configured_symbols: tuple[str, ...]


def _fmt(value: float) -> str:
    return f"{value:,.8g}"


def check_order(
    order: OrderIntent, ctx: RiskContext, limits: RiskLimits, kill_switch: bool
) -> RiskReject | None:
    """The first limit ``order`` breaks, or ``None``."""
    if kill_switch:
        return RiskReject("KILL_SWITCH", "kill switch is on: new orders are blocked")
    allowed = limits.allowed_symbols or ctx.configured_symbols
    if order.symbol not in allowed:
        return RiskReject(
            "SYMBOL_NOT_ALLOWED",
            f"symbol {order.symbol} is not in allowed_symbols ({', '.join(allowed)})",
        )
    if ctx.exposure.open_orders + 1 > limits.max_open_orders:
        return RiskReject(
            "MAX_OPEN_ORDERS",
            f"open orders would be {ctx.exposure.open_orders + 1} > max_open_orders "
            f"{limits.max_open_orders}",
        )
    market = _check_market(order, ctx.quote, limits)
    if isinstance(market, RiskReject):
        return market
    reference = order.price if order.type.endswith("limit") else None
    if reference is not None:
        deviation = abs(reference - market) / market * 10_000
        if deviation > limits.price_band_bps:
            return RiskReject(
                "PRICE_BAND",
                f"price {_fmt(reference)} is {deviation:,.0f} bps from mid {_fmt(market)} "
                f"> price_band_bps {_fmt(limits.price_band_bps)}",
            )
    unit_price = reference or order.stop_price or market
    notional = order.amount * unit_price
    if notional > limits.max_order_notional:
        return RiskReject(
            "MAX_ORDER_NOTIONAL",
            f"notional {_fmt(notional)} {ctx.rules.quote} > max_order_notional "
            f"{_fmt(limits.max_order_notional)}",
        )
    base, quote = ctx.rules.base, ctx.rules.quote
    held = ctx.balances.get(base)
    held_total = held.total if held else 0.0
    if order.side == "buy" and base in limits.max_position:
        position = held_total + ctx.exposure.buy_base + order.amount
        if position > limits.max_position[base]:
            return RiskReject(
                "MAX_POSITION",
                f"{base} position would be {_fmt(position)} > max_position "
                f"{_fmt(limits.max_position[base])}",
            )
    if limits.check_balance:
        return _check_balance(order, ctx, notional, base, quote, held_total)
    return None


def _check_market(
    order: OrderIntent, quote: LiveQuote | None, limits: RiskLimits
) -> RiskReject | float:
    """The mid to judge ``order`` by, or why the streamed book cannot be used."""
    if quote is None:
        return RiskReject(
            "NO_MARKET_PRICE", f"no current mid price for {order.symbol}: cannot check the order"
        )
    if quote.age_s > limits.max_book_age_s:
        return RiskReject(
            "STALE_MARKET_DATA",
            f"top of book of {order.symbol} on {quote.exchange} is {quote.age_s:,.1f} s old "
            f"> max_book_age_s {_fmt(limits.max_book_age_s)}",
        )
    if limits.max_spread_bps is not None and quote.spread_bps > limits.max_spread_bps:
        return RiskReject(
            "MAX_SPREAD",
            f"spread of {order.symbol} is {quote.spread_bps:,.1f} bps > max_spread_bps "
            f"{_fmt(limits.max_spread_bps)}",
        )
    return quote.mid


def _check_balance(
    order: OrderIntent, ctx: RiskContext, notional: float, base: str, quote: str, held: float
) -> RiskReject | None:
    """Balance left after the service's open orders must cover the order."""
    if order.side == "buy":
        cash = ctx.balances.get(quote)
        available = (cash.total if cash else 0.0) - ctx.exposure.buy_quote
        need, asset = notional * (1 + ctx.rules.taker_fee), quote
    else:
        available = held - ctx.exposure.sell_base
        need, asset = order.amount, base
    if need > available:
        return RiskReject(
            "INSUFFICIENT_BALANCE",
            f"{asset} needed {_fmt(need)} > available {_fmt(max(available, 0.0))}",
        )
    return None
