"""The parameters each strict Binance endpoint reads; any other one is refused.

Binance's spot endpoints (``/api/v3``) and USDⓈ-M order entry answer a request with a
parameter they do not read (``reduceOnly`` on a spot order, a misspelt name) with -1104.
The wallet endpoints (``/sapi``) and USDⓈ-M queries are lenient: ccxt itself sends
``fiat=true`` to ``fiat/orders`` and ``useV2=true`` to ``/fapi/v2/account``, and real
accounts accept both.
"""

from __future__ import annotations

from .errors import BinanceError

SIGNING = frozenset({"timestamp", "recvWindow", "signature"})
_SPOT_ORDER = (
    "symbol side type timeInForce quantity quoteOrderQty price newClientOrderId strategyId "
    "strategyType stopPrice trailingDelta icebergQty newOrderRespType selfTradePreventionMode "
    "pegPriceType pegOffsetValue pegOffsetType"
)
_FUTURES_ORDER = (
    "symbol side positionSide type timeInForce quantity reduceOnly price newClientOrderId "
    "stopPrice closePosition activationPrice callbackRate workingType priceProtect "
    "newOrderRespType priceMatch selfTradePreventionMode goodTillDate"
)
_ALGO_ORDER = (
    "algoType symbol side positionSide type timeInForce quantity price triggerPrice "
    "workingType priceMatch closePosition priceProtect reduceOnly activatePrice callbackRate "
    "clientAlgoId selfTradePreventionMode goodTillDate newOrderRespType"
)
_ORDER_REF = "symbol orderId origClientOrderId"
_HISTORY = "symbol orderId startTime endTime limit"
_MARKET_DATA = {
    "ping": "",
    "time": "",
    "exchangeInfo": "symbol symbols permissions showPermissionSets symbolStatus",
    "depth": "symbol limit",
    "trades": "symbol limit",
    "aggTrades": "symbol fromId startTime endTime limit",
    "klines": "symbol interval startTime endTime timeZone limit",
    "ticker/24hr": "symbol symbols type",
}
_ACCEPTS: dict[tuple[str, str], str] = {
    **{("GET", f"/api/v3/{path}"): names for path, names in _MARKET_DATA.items()},
    ("GET", "/api/v3/ticker"): "symbol symbols windowSize type",
    ("POST", "/api/v3/order"): _SPOT_ORDER,
    ("GET", "/api/v3/order"): _ORDER_REF,
    ("DELETE", "/api/v3/order"): _ORDER_REF + " newClientOrderId cancelRestrictions",
    ("GET", "/api/v3/openOrders"): "symbol",
    ("DELETE", "/api/v3/openOrders"): "symbol",
    ("GET", "/api/v3/allOrders"): _HISTORY,
    ("GET", "/api/v3/myTrades"): _HISTORY + " fromId",
    ("GET", "/api/v3/account"): "omitZeroBalances",
    ("POST", "/api/v3/order/cancelReplace"): _SPOT_ORDER
    + " cancelReplaceMode cancelNewClientOrderId cancelOrigClientOrderId cancelOrderId"
    " cancelRestrictions orderRateLimitExceededMode",
    ("POST", "/fapi/v1/order"): _FUTURES_ORDER,
    ("PUT", "/fapi/v1/order"): _ORDER_REF + " side quantity price priceMatch",
    ("POST", "/fapi/v1/algoOrder"): _ALGO_ORDER,
    ("POST", "/fapi/v1/leverage"): "symbol leverage",
}
ACCEPTS = {route: frozenset(names.split()) | SIGNING for route, names in _ACCEPTS.items()}


def check_read(method: str, path: str, params: dict[str, str]) -> None:
    """Refuse, as Binance does (-1104), a parameter the endpoint does not read."""
    accepted = ACCEPTS.get((method, path))
    if accepted is None:
        return
    unread = sum(1 for name in params if name not in accepted)
    if unread:
        raise BinanceError(
            -1104,
            f"Not all sent parameters were read; read '{len(params) - unread}' parameter(s) "
            f"but was sent '{len(params)}'.",
        )
