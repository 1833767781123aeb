"""Binance's error codes and messages, and the engine's refusals translated into them."""

from __future__ import annotations

from ...engine import ErrorKind, SimError


class BinanceError(Exception):
    """An error Binance would answer with ``{"code": code, "msg": msg}`` and HTTP ``status``."""

    def __init__(self, code: int, msg: str, status: int = 400, data: dict | None = None) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.status = status
        self.data = data  # the body's "data" (cancel-replace reports both halves there)


# neutral parameter names -> Binance's
PARAMS = {"quantity": "quantity", "price": "price", "stop_price": "stopPrice"}
INSUFFICIENT_BALANCE = "Account has insufficient balance for requested action."
BAD_KEY = "Invalid API-key, IP, or permissions for action."

_SIMPLE: dict[ErrorKind, tuple[int, str] | tuple[int, str, int]] = {
    ErrorKind.UNKNOWN_SYMBOL: (-1121, "Invalid symbol."),
    ErrorKind.UNKNOWN_ACCOUNT: (-2015, BAD_KEY, 401),
    ErrorKind.INVALID_SIDE: (-1117, "Invalid side."),
    ErrorKind.INVALID_ORDER_TYPE: (-1116, "Invalid orderType."),
    ErrorKind.INVALID_TIME_IN_FORCE: (-1115, "Invalid timeInForce."),
    ErrorKind.INVALID_QUANTITY: (-1013, "Filter failure: LOT_SIZE"),
    ErrorKind.INVALID_PRICE: (-1013, "Filter failure: PRICE_FILTER"),
    ErrorKind.DUPLICATE_CLIENT_ID: (-2010, "Duplicate order sent."),
    ErrorKind.WOULD_TAKE: (-2010, "Order would immediately match and take."),
    ErrorKind.INSUFFICIENT_BALANCE: (-2010, INSUFFICIENT_BALANCE),
    ErrorKind.INSUFFICIENT_MARGIN: (-2019, "Margin is insufficient."),
    ErrorKind.REDUCE_ONLY_REJECTED: (-2022, "ReduceOnly Order is rejected."),
    ErrorKind.UNKNOWN_ORDER: (-2013, "Order does not exist."),
    ErrorKind.CANCEL_REJECTED: (-2011, "Unknown order sent."),
    ErrorKind.INVALID_INTERVAL: (-1120, "Invalid interval."),
    ErrorKind.AMEND_REJECTED: (-2013, "Order does not exist."),
}


def bad_param(name: str, detail: str = "was empty/null, or malformed.") -> BinanceError:
    return BinanceError(-1102, f"Mandatory parameter '{name}' {detail}")


def illegal_chars(name: str) -> BinanceError:
    return BinanceError(-1100, f"Illegal characters found in parameter '{name}'.")


def to_binance(exc: SimError, linear: bool) -> BinanceError:
    """How Binance's spot (or, ``linear``, USDⓈ-M) API answers this engine refusal."""
    kind = exc.kind
    simple = _SIMPLE.get(kind)
    if simple is not None:
        return BinanceError(*simple)
    if kind is ErrorKind.MIN_NOTIONAL:
        if linear and exc.market is not None:
            return BinanceError(
                -4164,
                f"Order's notional must be no smaller than {exc.market.min_notional} "
                "(unless you choose reduce only).",
            )
        return BinanceError(-1013, "Filter failure: NOTIONAL")
    if kind is ErrorKind.WOULD_TRIGGER:
        if linear:
            return BinanceError(-2021, "Order would immediately trigger.")
        return BinanceError(-2010, "Stop price would trigger immediately.")
    if kind is ErrorKind.MISSING_PARAMETER and exc.field == "order_id":
        return BinanceError(
            -1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"
        )
    if kind is ErrorKind.MALFORMED_PARAMETER and exc.field != "quote_quantity":
        return illegal_chars(PARAMS.get(exc.field or "", exc.field or ""))
    field = exc.field or ""
    return bad_param("quoteOrderQty" if field == "quote_quantity" else PARAMS.get(field, field))
