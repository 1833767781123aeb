"""Binance's market ids, order types, time in force and statuses, and the engine's neutral ones."""

from __future__ import annotations

from ...engine import (
    ErrorKind,
    ExchangeEngine,
    Market,
    Order,
    OrderStatus,
    OrderType,
    SimError,
    TimeInForce,
)

SPOT_TYPES = {
    "LIMIT": OrderType.LIMIT,
    "MARKET": OrderType.MARKET,
    "LIMIT_MAKER": OrderType.LIMIT_MAKER,
    "STOP_LOSS": OrderType.STOP_MARKET,
    "STOP_LOSS_LIMIT": OrderType.STOP_LIMIT,
    "TAKE_PROFIT": OrderType.TAKE_PROFIT_MARKET,
    "TAKE_PROFIT_LIMIT": OrderType.TAKE_PROFIT_LIMIT,
}
FUTURES_TYPES = {
    "LIMIT": OrderType.LIMIT,
    "MARKET": OrderType.MARKET,
    "STOP": OrderType.STOP_LIMIT,
    "STOP_MARKET": OrderType.STOP_MARKET,
    "TAKE_PROFIT": OrderType.TAKE_PROFIT_LIMIT,
    "TAKE_PROFIT_MARKET": OrderType.TAKE_PROFIT_MARKET,
}
_SPOT_NAMES = {v: k for k, v in SPOT_TYPES.items()}
_FUTURES_NAMES = {v: k for k, v in FUTURES_TYPES.items()}
SPOT_TIFS = {"GTC": TimeInForce.GTC, "IOC": TimeInForce.IOC, "FOK": TimeInForce.FOK}
FUTURES_TIFS = SPOT_TIFS | {"GTX": TimeInForce.POST_ONLY}
_TIF_NAMES = {v: k for k, v in FUTURES_TIFS.items()}


def market_id(market: Market) -> str:
    """Binance's id of a market: ``BTCUSDT`` for BTC/USDT and for BTC/USDT:USDT."""
    return market.base + market.quote


def market_by_id(engine: ExchangeEngine, binance_id: str, linear: bool) -> Market:
    """The spot (or, ``linear``, USDⓈ-M) market Binance calls ``binance_id``."""
    for market in engine.markets.values():
        if market.linear == linear and market_id(market) == binance_id:
            return market
    raise SimError(ErrorKind.UNKNOWN_SYMBOL, f"no market id {binance_id!r} on {engine.name}")


def order_type(name: str, linear: bool) -> OrderType | None:
    """The neutral type of a Binance spot (or USDⓈ-M) order type; None when unknown."""
    return (FUTURES_TYPES if linear else SPOT_TYPES).get(name.upper())


def time_in_force(name: str | None, linear: bool) -> TimeInForce | None:
    """The neutral time in force of Binance's; GTC when not given, None when unknown."""
    if not name:
        return TimeInForce.GTC
    return (FUTURES_TIFS if linear else SPOT_TIFS).get(name.upper())


def type_name(order: Order) -> str:
    """The order's type as Binance names it on its market."""
    return (_FUTURES_NAMES if order.market.linear else _SPOT_NAMES)[order.type]


def tif_name(order: Order) -> str:
    return _TIF_NAMES[order.tif]


def status_name(order: Order) -> str:
    """Binance's order status (its names are the engine's: NEW, FILLED, CANCELED, ...)."""
    return OrderStatus(order.status).value
