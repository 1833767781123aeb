"""Binance order-history, bulk-cancel, order-change and leverage endpoints.

Spot ``allOrders``, ``DELETE openOrders`` and ``order/cancelReplace``; USDⓈ-M
``allOrders``, ``allOpenOrders``, ``PUT order`` (modify), ``allAlgoOrders``,
``algoOpenOrders``, ``leverage``, ``accountConfig`` and ``commissionRate``. A USDⓈ-M
conditional order belongs to the algo API until it triggers: the plain order endpoints
do not see it (``is_algo``).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ...engine import ExchangeEngine, Order, SimError
from . import rendering as responses
from .errors import BinanceError, bad_param, to_binance
from .routes import Handler, Params, Route, _int, _market, _w, is_algo, new_order
from .vocabulary import market_id

MAX_LEVERAGE_NOTIONAL = {125: 50_000, 100: 500_000, 50: 8_000_000, 20: 50_000_000}
CANCEL_ALL_DONE = "The operation of cancel all open order is done."
# USDⓈ-M fee tiers as Binance (and ccxt) number them: (maker, taker) in parts per million
FUTURES_FEE_TIERS = ((200, 500), (160, 400), (140, 350), (120, 320), (100, 300), (80, 270))


def _all_orders(linear: bool) -> Handler:
    def handler(engine: ExchangeEngine, account: str, params: Params) -> object:
        m = _market(engine, params, linear)
        orders = engine.all_orders(
            account,
            m.symbol,
            from_id=_int(params, "orderId"),
            start_ms=_int(params, "startTime"),
            end_ms=_int(params, "endTime"),
            limit=min(_int(params, "limit", 500), 1000),
        )
        if linear:
            return [responses.futures_order(o, with_time=True) for o in orders if not is_algo(o)]
        return [responses.spot_order(o) for o in orders]

    return handler


def _all_algo_orders(engine: ExchangeEngine, account: str, params: Params) -> object:
    m = _market(engine, params, True)
    orders = engine.all_orders(
        account,
        m.symbol,
        start_ms=_int(params, "startTime"),
        end_ms=_int(params, "endTime"),
        limit=min(_int(params, "limit", 500), 1000),
    )
    return [responses.algo_order(o) for o in orders if o.stop]


def _cancel_open(engine: ExchangeEngine, account: str, symbol: str, algo: bool) -> list[Order]:
    """Cancel the account's open orders in ``symbol`` (USDⓈ-M: algo or plain ones)."""
    return [
        engine.cancel_order(account, symbol, o.id)
        for o in engine.open_orders(account, symbol)
        if is_algo(o) == algo
    ]


def _cancel_all_spot(engine: ExchangeEngine, account: str, params: Params) -> object:
    m = _market(engine, params, False)
    cancelled = _cancel_open(engine, account, m.symbol, algo=False)
    if not cancelled:
        raise BinanceError(-2011, "Unknown order sent.")
    return [responses.spot_order(o, cancel_id=f"cancel_{o.id}") for o in cancelled]


def _cancel_all_futures(algo: bool) -> Handler:
    def handler(engine: ExchangeEngine, account: str, params: Params) -> object:
        m = _market(engine, params, True)
        _cancel_open(engine, account, m.symbol, algo=algo)
        return {"code": 200, "msg": CANCEL_ALL_DONE}

    return handler


def _cancel_replace(engine: ExchangeEngine, account: str, params: Params) -> object:
    """Spot cancel-replace: cancel one order, then place a new one (STOP_ON_FAILURE:
    nothing new when the cancel fails; ALLOW_FAILURE: place it anyway)."""
    m = _market(engine, params, False)
    mode = params.get("cancelReplaceMode")
    if mode not in ("STOP_ON_FAILURE", "ALLOW_FAILURE"):
        raise bad_param("cancelReplaceMode")
    result: dict = {"cancelResult": "SUCCESS", "newOrderResult": "SUCCESS"}
    try:
        cancelled = engine.cancel_order(
            account,
            m.symbol,
            params.get("cancelOrderId"),
            params.get("cancelOrigClientOrderId"),
        )
        cancel_id = params.get("cancelNewClientOrderId") or f"cancel_{cancelled.id}"
        result["cancelResponse"] = responses.spot_order(cancelled, cancel_id=cancel_id)
    except SimError as exc:
        error = to_binance(exc, linear=False)
        result.update(cancelResult="FAILURE", cancelResponse={"code": error.code, "msg": error.msg})
        if mode == "STOP_ON_FAILURE":
            result["newOrderResult"] = "NOT_ATTEMPTED"
            result["newOrderResponse"] = None
            raise BinanceError(-2022, "Order cancel-replace failed.", data=result) from None
    try:
        result["newOrderResponse"] = new_order(engine, account, params, m)
    except (SimError, BinanceError) as exc:
        error = exc if isinstance(exc, BinanceError) else to_binance(exc, linear=False)
        result.update(
            newOrderResult="FAILURE", newOrderResponse={"code": error.code, "msg": error.msg}
        )
        partly = result["cancelResult"] == "SUCCESS"
        raise BinanceError(
            -2021 if partly else -2022,
            "Order cancel-replace partially failed." if partly else "Order cancel-replace failed.",
            data=result,
        ) from None
    return result


def _modify(engine: ExchangeEngine, account: str, params: Params) -> object:
    """USDⓈ-M ``PUT order``: a new price and quantity for an open limit order."""
    m = _market(engine, params, True)
    for name in ("side", "quantity", "price"):
        if not params.get(name):
            raise bad_param(name)
    order = engine.order(account, m.symbol, params.get("orderId"), params.get("origClientOrderId"))
    if is_algo(order) or not order.is_open:
        raise BinanceError(-2013, "Order does not exist.")
    if ("BUY" if order.buy else "SELL") != params["side"].upper():
        raise BinanceError(-1117, "Invalid side.")
    if _unchanged(order, params["quantity"], params["price"]):
        raise BinanceError(-5027, "No need to modify the order.")
    order = engine.amend_order(
        account, m.symbol, order.id, quantity=params["quantity"], price=params["price"]
    )
    return responses.futures_order(order)


def _unchanged(order: Order, quantity: str, price: str) -> bool:
    """Whether a modification asks for the quantity and price ``order`` already has."""
    m = order.market
    try:
        return (Decimal(quantity), Decimal(price)) == (
            Decimal(m.qty_str(order.qty)),
            Decimal(m.price_str(order.price)),
        )
    except InvalidOperation:
        return False  # the engine reports the malformed number


def _leverage(engine: ExchangeEngine, account: str, params: Params) -> object:
    m = _market(engine, params, True)
    leverage = _int(params, "leverage")
    if leverage is None:
        raise bad_param("leverage")
    if not 1 <= leverage <= 125:
        raise BinanceError(-4028, f"Leverage {leverage} is not valid")
    engine.set_leverage(account, m.symbol, leverage)
    cap = next(cap for top, cap in sorted(MAX_LEVERAGE_NOTIONAL.items()) if leverage <= top)
    return {"leverage": leverage, "maxNotionalValue": str(cap), "symbol": market_id(m)}


def fee_tier(engine: ExchangeEngine) -> int:
    """The USDⓈ-M fee tier whose taker rate is nearest the engine's."""
    market = next(m for m in engine.markets.values() if m.linear)
    taker = engine.fee_ppm(market, maker=False)
    return min(range(len(FUTURES_FEE_TIERS)), key=lambda i: abs(FUTURES_FEE_TIERS[i][1] - taker))


def _account_config(engine: ExchangeEngine, account: str, params: Params) -> object:
    return {
        "feeTier": fee_tier(engine),
        "canTrade": True,
        "canDeposit": True,
        "canWithdraw": True,
        "dualSidePosition": False,
        "updateTime": 0,
        "multiAssetsMargin": False,
        "tradeGroupId": -1,
    }


def _commission_rate(engine: ExchangeEngine, account: str, params: Params) -> object:
    m = _market(engine, params, True)
    return {
        "symbol": market_id(m),
        "makerCommissionRate": responses.fee_rate(engine.fee_ppm(m, maker=True)),
        "takerCommissionRate": responses.fee_rate(engine.fee_ppm(m, maker=False)),
    }


def trading_routes() -> dict[tuple[str, str], Route]:
    """The (HTTP method, path) table of this module's endpoints."""
    return {
        ("GET", "/api/v3/allOrders"): Route(_all_orders(False), _w(20), "SIGNED"),
        ("DELETE", "/api/v3/openOrders"): Route(_cancel_all_spot, _w(1), "SIGNED"),
        ("POST", "/api/v3/order/cancelReplace"): Route(
            _cancel_replace, _w(1), "SIGNED", places_order=True
        ),
        ("GET", "/fapi/v1/allOrders"): Route(_all_orders(True), _w(5), "SIGNED"),
        ("DELETE", "/fapi/v1/allOpenOrders"): Route(_cancel_all_futures(False), _w(1), "SIGNED"),
        ("PUT", "/fapi/v1/order"): Route(_modify, _w(1), "SIGNED", places_order=True),
        ("GET", "/fapi/v1/allAlgoOrders"): Route(_all_algo_orders, _w(5), "SIGNED"),
        ("DELETE", "/fapi/v1/algoOpenOrders"): Route(_cancel_all_futures(True), _w(1), "SIGNED"),
        ("POST", "/fapi/v1/leverage"): Route(_leverage, _w(1), "SIGNED"),
        ("GET", "/fapi/v1/accountConfig"): Route(_account_config, _w(5), "SIGNED"),
        ("GET", "/fapi/v1/commissionRate"): Route(_commission_rate, _w(20), "SIGNED"),
    }
