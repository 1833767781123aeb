"""Binance REST endpoints served by the simulator: path -> handler, weight and security."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from ...engine import (
    DAY_MS,
    STOP_TYPES,
    TIF_TYPES,
    ExchangeEngine,
    Market,
    Order,
    OrderType,
    SimError,
    TimeInForce,
)
from . import rendering as responses
from .errors import BinanceError, bad_param, illegal_chars
from .streams import ListenKeys
from .vocabulary import market_by_id, market_id, order_type, time_in_force

Params = dict[str, str]
WINDOW_MS = 90 * DAY_MS  # the longest withdrawal-history window
MAX_WITHDRAWALS = 1000
FIAT_DEFAULT_DAYS = 30
MAX_FIAT_ROWS = 500
Handler = Callable[[ExchangeEngine, str, Params], object]


@dataclass(frozen=True, slots=True)
class Route:
    handler: Handler
    weight: Callable[[Params], int]
    security: str = "NONE"  # NONE, KEY (API key only) or SIGNED
    bucket: str = "ip"  # "ip" weight or per-account "uid" weight (sapi fiat)
    places_order: bool = False


def _w(n: int) -> Callable[[Params], int]:
    return lambda params: n


def _int(params: Params, name: str, default: int | None = None) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise illegal_chars(name) from None


def _market(engine: ExchangeEngine, params: Params, linear: bool) -> Market:
    symbol = params.get("symbol")
    if not symbol:
        raise bad_param("symbol")
    return market_by_id(engine, symbol, linear)


def _depth_weight(linear: bool) -> Callable[[Params], int]:
    table = ((100, 5), (500, 10), (1000, 20)) if linear else ((100, 5), (500, 25), (1000, 50))

    def weight(params: Params) -> int:
        limit = int(params.get("limit") or 100)
        return next((w for top, w in table if limit <= top), 250)

    return weight


def _symbol_weight(one: int, every: int) -> Callable[[Params], int]:
    return lambda params: one if params.get("symbol") else every


# -- public market data ----------------------------------------------------------------------


def _exchange_info(linear: bool) -> Handler:
    return lambda engine, account, params: responses.exchange_info(engine, linear)


def _depth(linear: bool) -> Handler:
    def handler(engine: ExchangeEngine, account: str, params: Params) -> object:
        m = _market(engine, params, linear)
        limit = min(_int(params, "limit", 100), 5000)
        return responses.depth(engine.order_book(m.symbol, limit))

    return handler


def _agg_trades(linear: bool) -> Handler:
    def handler(engine: ExchangeEngine, account: str, params: Params) -> object:
        m = _market(engine, params, linear)
        rows = engine.trades(m.symbol, min(_int(params, "limit", 500), 1000))
        start, end = _int(params, "startTime"), _int(params, "endTime")
        rows = [
            t for t in rows if (start is None or t.time >= start) and (end is None or t.time <= end)
        ]
        return responses.agg_trades(m, rows)

    return handler


def _trades(linear: bool) -> Handler:
    def handler(engine: ExchangeEngine, account: str, params: Params) -> object:
        m = _market(engine, params, linear)
        return responses.trades(m, engine.trades(m.symbol, min(_int(params, "limit", 500), 1000)))

    return handler


def _klines(linear: bool) -> Handler:
    def handler(engine: ExchangeEngine, account: str, params: Params) -> object:
        m = _market(engine, params, linear)
        limit = min(_int(params, "limit", 500), 1500 if linear else 1000)
        rows = engine.klines(
            m.symbol,
            params.get("interval", ""),
            _int(params, "startTime"),
            _int(params, "endTime"),
            limit,
        )
        return responses.klines(m, rows)

    return handler


def _tickers(linear: bool) -> Handler:
    def handler(engine: ExchangeEngine, account: str, params: Params) -> object:
        if params.get("symbol"):
            return responses.ticker(engine.ticker(_market(engine, params, linear).symbol))
        if params.get("symbols"):
            try:
                ids = json.loads(params["symbols"])
            except ValueError:
                raise illegal_chars("symbols") from None
            markets = [market_by_id(engine, i, linear) for i in ids]
        else:
            markets = [m for m in engine.markets.values() if m.linear == linear]
        return [responses.ticker(engine.ticker(m.symbol)) for m in markets]

    return handler


def _time(engine: ExchangeEngine, account: str, params: Params) -> object:
    return {"serverTime": engine.now_ms()}


def _empty(engine: ExchangeEngine, account: str, params: Params) -> object:
    return {}


def _system_status(engine: ExchangeEngine, account: str, params: Params) -> object:
    return {"status": 0, "msg": "normal"}


def _premium_index(engine: ExchangeEngine, account: str, params: Params) -> object:
    markets = (
        [_market(engine, params, True)]
        if params.get("symbol")
        else [m for m in engine.markets.values() if m.linear]
    )
    now = engine.now_ms()
    rows = [
        {
            "symbol": market_id(m),
            "markPrice": m.price_str(engine.mark_price(m.symbol)),
            "indexPrice": m.price_str(engine.mark_price(m.symbol)),
            "estimatedSettlePrice": m.price_str(engine.mark_price(m.symbol)),
            "lastFundingRate": "0.00010000",
            "interestRate": "0.00010000",
            "nextFundingTime": now - now % 28_800_000 + 28_800_000,
            "time": now,
        }
        for m in markets
    ]
    return rows[0] if params.get("symbol") else rows


# -- orders ----------------------------------------------------------------------------------


def _bool(value: str | None) -> bool:
    return (value or "").lower() == "true"


def _order_kind(params: Params, linear: bool) -> tuple[OrderType, TimeInForce | None]:
    """The neutral type and time in force of an order's ``type`` and ``timeInForce``."""
    side = params["side"].upper()
    if side not in ("BUY", "SELL"):
        raise BinanceError(-1117, "Invalid side.")
    kind = order_type(params["type"], linear)
    if kind is None:
        raise BinanceError(-1116, "Invalid orderType.")
    if kind not in TIF_TYPES:
        return kind, None
    tif = time_in_force(params.get("timeInForce"), linear)
    if tif is None:
        raise BinanceError(-1115, "Invalid timeInForce.")
    return kind, tif


def is_algo(order: Order) -> bool:
    """A USDⓈ-M conditional order that has not triggered: only the algo API knows it."""
    return order.market.linear and bool(order.stop) and not order.triggered


def new_order(engine: ExchangeEngine, account: str, params: Params, m: Market) -> dict:
    """Place the order ``params`` describe in ``m``; the answer of ``POST order``."""
    if not params.get("side"):
        raise bad_param("side")
    if not params.get("type"):
        raise bad_param("type")
    kind, tif = _order_kind(params, m.linear)
    if m.linear and kind in STOP_TYPES:
        raise BinanceError(
            -4120,
            "Order type not supported for this endpoint. "
            "Please use the Algo Order API endpoints instead.",
        )
    first_fill = engine.next_fill_id
    order = engine.place_order(
        account,
        m.symbol,
        params["side"],
        kind,
        params.get("quantity"),
        params.get("price"),
        time_in_force=tif,
        client_order_id=params.get("newClientOrderId") or None,
        stop_price=params.get("stopPrice"),
        reduce_only=_bool(params.get("reduceOnly")),
        quote_order_qty=params.get("quoteOrderQty"),
    )
    if m.linear:
        return responses.futures_order(order)
    new_fills = engine.fills_since(account, m.symbol, first_fill, order.id)
    if params.get("newOrderRespType", "FULL").upper() == "ACK":
        return {
            "symbol": market_id(m),
            "orderId": order.id,
            "orderListId": -1,
            "clientOrderId": order.client_id,
            "transactTime": order.time,
        }
    return responses.spot_order(order, fills=new_fills, new=True)


def _refuse_algo(engine: ExchangeEngine, account: str, m: Market, params: Params) -> None:
    """Cancelling a conditional order through the plain endpoint: Binance's unknown order."""
    try:
        order = engine.order(
            account, m.symbol, params.get("orderId"), params.get("origClientOrderId")
        )
    except SimError:
        return  # the cancel itself reports it
    if is_algo(order):
        raise BinanceError(-2011, "Unknown order sent.")


def _new_order(linear: bool) -> Handler:
    def handler(engine: ExchangeEngine, account: str, params: Params) -> object:
        return new_order(engine, account, params, _market(engine, params, linear))

    return handler


def _get_order(linear: bool) -> Handler:
    def handler(engine: ExchangeEngine, account: str, params: Params) -> object:
        m = _market(engine, params, linear)
        order = engine.order(
            account, m.symbol, params.get("orderId"), params.get("origClientOrderId")
        )
        if is_algo(order):
            raise BinanceError(-2013, "Order does not exist.")
        return (
            responses.futures_order(order, with_time=True)
            if linear
            else responses.spot_order(order)
        )

    return handler


def _cancel_order(linear: bool) -> Handler:
    def handler(engine: ExchangeEngine, account: str, params: Params) -> object:
        m = _market(engine, params, linear)
        if linear:
            _refuse_algo(engine, account, m, params)
        order = engine.cancel_order(
            account, m.symbol, params.get("orderId"), params.get("origClientOrderId")
        )
        if linear:
            return responses.futures_order(order)
        cancel_id = params.get("newClientOrderId") or f"cancel_{order.id}"
        return responses.spot_order(order, cancel_id=cancel_id)

    return handler


def _open_orders(linear: bool) -> Handler:
    def handler(engine: ExchangeEngine, account: str, params: Params) -> object:
        symbol = _market(engine, params, linear).symbol if params.get("symbol") else None
        orders = [
            o
            for o in engine.open_orders(account, symbol)
            if o.market.linear == linear and not is_algo(o)
        ]
        if linear:
            return [responses.futures_order(o, with_time=True) for o in orders]
        return [responses.spot_order(o) for o in orders]

    return handler


def _my_trades(linear: bool) -> Handler:
    def handler(engine: ExchangeEngine, account: str, params: Params) -> object:
        m = _market(engine, params, linear)
        fills = engine.my_trades(
            account,
            m.symbol,
            start_ms=_int(params, "startTime"),
            end_ms=_int(params, "endTime"),
            from_id=_int(params, "fromId"),
            limit=min(_int(params, "limit", 500), 1000),
        )
        order_id = _int(params, "orderId")
        if order_id is not None:
            fills = [f for f in fills if f.order_id == order_id]
        return [responses.futures_fill(f) if linear else responses.spot_fill(f) for f in fills]

    return handler


def _new_algo_order(engine: ExchangeEngine, account: str, params: Params) -> object:
    m = _market(engine, params, True)
    if params.get("algoType", "CONDITIONAL") != "CONDITIONAL":
        raise BinanceError(-1116, "Invalid orderType.")
    for name in ("side", "type", "triggerPrice"):
        if not params.get(name):
            raise bad_param(name)
    kind, tif = _order_kind(params, True)
    order = engine.place_order(
        account,
        m.symbol,
        params["side"],
        kind,
        params.get("quantity"),
        params.get("price"),
        time_in_force=tif,
        client_order_id=params.get("clientAlgoId") or None,
        stop_price=params.get("triggerPrice"),
        reduce_only=_bool(params.get("reduceOnly")),
    )
    return responses.algo_order(order)


def _get_algo_order(engine: ExchangeEngine, account: str, params: Params) -> object:
    m = _market(engine, params, True) if params.get("symbol") else None
    order = engine.find_order(
        account, m.symbol if m else None, params.get("algoId"), params.get("clientAlgoId")
    )
    return responses.algo_order(order)


def _cancel_algo_order(engine: ExchangeEngine, account: str, params: Params) -> object:
    m = _market(engine, params, True) if params.get("symbol") else None
    order = engine.find_order(
        account, m.symbol if m else None, params.get("algoId"), params.get("clientAlgoId")
    )
    if order.triggered:
        raise BinanceError(-2011, "Unknown order sent.")
    engine.cancel_order(account, order.market.symbol, order.id)
    return {"algoId": order.id, "clientAlgoId": order.client_id, "code": "200", "msg": "success"}


def _open_algo_orders(engine: ExchangeEngine, account: str, params: Params) -> object:
    symbol = _market(engine, params, True).symbol if params.get("symbol") else None
    return [
        responses.algo_order(o)
        for o in engine.open_orders(account, symbol)
        if o.market.linear and not o.triggered
    ]


# -- accounts and history --------------------------------------------------------------------


def _spot_account(engine: ExchangeEngine, account: str, params: Params) -> object:
    engine.sync()
    return responses.spot_account(engine.account(account), engine.now_ms())


def _margin_account(engine: ExchangeEngine, account: str, params: Params) -> object:
    engine.sync()
    return responses.margin_account(engine.account(account), engine.now_ms())


def _futures_account(v2: bool) -> Handler:
    def handler(engine: ExchangeEngine, account: str, params: Params) -> object:
        state, marks = engine.futures_account(account)
        return responses.futures_account(engine, engine.account(account), state, marks, v2)

    return handler


def _position_risk(engine: ExchangeEngine, account: str, params: Params) -> object:
    _, marks = engine.futures_account(account)
    return responses.position_risk(engine, engine.account(account), marks)


def _leverage_brackets(engine: ExchangeEngine, account: str, params: Params) -> object:
    markets = (
        [_market(engine, params, True)]
        if params.get("symbol")
        else [m for m in engine.markets.values() if m.linear]
    )
    brackets = [
        (125, 0, 50_000, 0.004, 0),
        (100, 50_000, 500_000, 0.005, 50),
        (50, 500_000, 8_000_000, 0.01, 2_550),
        (20, 8_000_000, 50_000_000, 0.025, 122_550),
    ]
    return [
        {
            "symbol": market_id(m),
            "brackets": [
                {
                    "bracket": i + 1,
                    "initialLeverage": lev,
                    "notionalCap": cap,
                    "notionalFloor": floor,
                    "maintMarginRatio": ratio,
                    "cum": float(cum),
                }
                for i, (lev, floor, cap, ratio, cum) in enumerate(brackets)
            ],
        }
        for m in markets
    ]


def history_window(engine: ExchangeEngine, start: int | None, end: int | None) -> tuple[int, int]:
    """The [start, end] of a wallet history query: at most 90 days, the last 90 by default."""
    if start is None and end is None:
        end = engine.now_ms()
    if start is None:
        start = end - WINDOW_MS  # type: ignore[operator]
    if end is None:
        end = start + WINDOW_MS
    if end - start > WINDOW_MS:
        raise BinanceError(-1127, "More than 90 days between startTime and endTime.")
    if start > end:
        raise BinanceError(-1128, "startTime must be less than endTime.")
    return start, end


def withdraw_history(
    engine: ExchangeEngine,
    start: int | None = None,
    end: int | None = None,
    *,
    coin: str | None = None,
    offset: int = 0,
    limit: int = MAX_WITHDRAWALS,
) -> list[dict]:
    """``capital/withdraw/history``: at most 90 days (the last 90 by default), newest first."""
    start, end = history_window(engine, start, end)
    limit = max(1, min(limit, MAX_WITHDRAWALS))
    rows = engine.withdrawals(start, end, coin=coin, offset=offset, limit=limit)
    return [responses.withdrawal(w) for w in rows]


def fiat_withdraw_history(
    engine: ExchangeEngine,
    begin: int | None = None,
    end: int | None = None,
    page: int = 1,
    rows: int = 100,
) -> tuple[list[dict], int]:
    """``fiat/orders`` withdrawals (the last 30 days by default), newest first; the total."""
    end = engine.now_ms() if end is None else end
    begin = end - FIAT_DEFAULT_DAYS * DAY_MS if begin is None else begin
    size = max(1, min(rows, MAX_FIAT_ROWS))
    found, total = engine.fiat_withdrawals(begin, end, offset=(max(1, page) - 1) * size, limit=size)
    return [responses.fiat_order(w) for w in found], total


def _withdraw_history(engine: ExchangeEngine, account: str, params: Params) -> object:
    return withdraw_history(
        engine,
        _int(params, "startTime"),
        _int(params, "endTime"),
        coin=params.get("coin") or None,
        offset=_int(params, "offset", 0),
        limit=_int(params, "limit", MAX_WITHDRAWALS),
    )


def _listen_key(keys: ListenKeys) -> Handler:
    def handler(engine: ExchangeEngine, account: str, params: Params) -> object:
        return {"listenKey": keys.issue(account)}

    return handler


def routes(keys: ListenKeys) -> dict[tuple[str, str], Route]:
    """Every (HTTP method, Binance path) the simulator answers."""
    listen_key = _listen_key(keys)
    table: dict[tuple[str, str], Route] = {}
    for linear, prefix in ((False, "/api/v3"), (True, "/fapi/v1")):
        table.update(
            {
                ("GET", f"{prefix}/ping"): Route(_empty, _w(1)),
                ("GET", f"{prefix}/time"): Route(_time, _w(1)),
                ("GET", f"{prefix}/exchangeInfo"): Route(
                    _exchange_info(linear), _w(1 if linear else 20)
                ),
                ("GET", f"{prefix}/depth"): Route(_depth(linear), _depth_weight(linear)),
                ("GET", f"{prefix}/trades"): Route(_trades(linear), _w(5 if linear else 25)),
                ("GET", f"{prefix}/aggTrades"): Route(_agg_trades(linear), _w(20 if linear else 4)),
                ("GET", f"{prefix}/klines"): Route(_klines(linear), _w(2)),
                ("GET", f"{prefix}/ticker/24hr"): Route(
                    _tickers(linear), _symbol_weight(2, 80) if not linear else _symbol_weight(1, 40)
                ),
                ("POST", f"{prefix}/order"): Route(
                    _new_order(linear), _w(1), "SIGNED", places_order=True
                ),
                ("GET", f"{prefix}/order"): Route(
                    _get_order(linear), _w(4 if not linear else 1), "SIGNED"
                ),
                ("DELETE", f"{prefix}/order"): Route(_cancel_order(linear), _w(1), "SIGNED"),
                ("GET", f"{prefix}/openOrders"): Route(
                    _open_orders(linear),
                    _symbol_weight(6, 80) if not linear else _symbol_weight(1, 40),
                    "SIGNED",
                ),
            }
        )
    table.update(
        {
            ("GET", "/api/v3/ticker"): Route(_tickers(False), _w(4)),
            ("GET", "/api/v3/myTrades"): Route(_my_trades(False), _w(20), "SIGNED"),
            ("GET", "/api/v3/account"): Route(_spot_account, _w(20), "SIGNED"),
            ("POST", "/api/v3/userDataStream"): Route(listen_key, _w(2), "KEY"),
            ("PUT", "/api/v3/userDataStream"): Route(_empty, _w(2), "KEY"),
            ("DELETE", "/api/v3/userDataStream"): Route(_empty, _w(2), "KEY"),
            ("GET", "/sapi/v1/system/status"): Route(_system_status, _w(1)),
            ("GET", "/sapi/v1/margin/account"): Route(_margin_account, _w(10), "SIGNED"),
            ("GET", "/sapi/v1/capital/withdraw/history"): Route(
                _withdraw_history, _w(10), "SIGNED"
            ),
            ("GET", "/fapi/v1/userTrades"): Route(_my_trades(True), _w(5), "SIGNED"),
            ("GET", "/fapi/v1/premiumIndex"): Route(_premium_index, _w(1)),
            ("GET", "/fapi/v2/account"): Route(_futures_account(True), _w(5), "SIGNED"),
            ("GET", "/fapi/v3/account"): Route(_futures_account(False), _w(5), "SIGNED"),
            ("GET", "/fapi/v1/leverageBracket"): Route(_leverage_brackets, _w(1), "SIGNED"),
            ("GET", "/fapi/v2/positionRisk"): Route(_position_risk, _w(5), "SIGNED"),
            ("GET", "/fapi/v3/positionRisk"): Route(_position_risk, _w(5), "SIGNED"),
            ("POST", "/fapi/v1/algoOrder"): Route(
                _new_algo_order, _w(1), "SIGNED", places_order=True
            ),
            ("GET", "/fapi/v1/algoOrder"): Route(_get_algo_order, _w(1), "SIGNED"),
            ("DELETE", "/fapi/v1/algoOrder"): Route(_cancel_algo_order, _w(1), "SIGNED"),
            ("GET", "/fapi/v1/openAlgoOrders"): Route(
                _open_algo_orders, _symbol_weight(1, 40), "SIGNED"
            ),
            ("POST", "/fapi/v1/listenKey"): Route(listen_key, _w(1), "KEY"),
            ("PUT", "/fapi/v1/listenKey"): Route(listen_key, _w(1), "KEY"),
            ("DELETE", "/fapi/v1/listenKey"): Route(_empty, _w(1), "KEY"),
        }
    )
    return table
