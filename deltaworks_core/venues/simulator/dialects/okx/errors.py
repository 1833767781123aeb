"""OKX's error layout: ``{"code": ..., "msg": ..., "data": [...]}``, per order ``sCode``/``sMsg``.

A request OKX refuses as a whole answers ``code``/``msg`` with an empty ``data``; the order
endpoints answer per order (``code`` "1" when every order failed, "2" when some did), each
item with its own ``sCode`` and ``sMsg``. The engine's neutral ``SimError`` kinds become
OKX's codes here.
"""

from __future__ import annotations

from ...engine import ErrorKind, SimError

ALL_FAILED = ("1", "All operations failed")
SOME_FAILED = ("2", "Bulk operation partially succeeded")


class OkxError(Exception):
    """A refusal OKX answers with ``code`` and ``msg`` (and HTTP ``status`` on REST)."""

    def __init__(self, code: str, msg: str, status: int = 400) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.status = status

    @classmethod
    def auth(cls, code: str, msg: str) -> OkxError:
        return cls(code, msg, status=401)


def param_error(name: str) -> OkxError:
    return OkxError("51000", f"Parameter {name} error")


def param_missing(name: str) -> OkxError:
    return OkxError("50014", f"Parameter {name} can not be empty.")


def too_many_requests() -> OkxError:
    return OkxError("50011", "Too Many Requests", status=429)


def unknown_instrument() -> OkxError:
    return OkxError("51001", "Instrument ID does not exist.")


def order_error(exc: SimError, *, buy: bool | None = None) -> OkxError:
    """OKX's per-order code and message for a refused engine call."""
    kind = exc.kind
    field = {"price": "px", "quantity": "sz", "stop_price": "triggerPx"}.get(
        exc.field or "", exc.field or "sz"
    )
    if kind is ErrorKind.UNKNOWN_SYMBOL:
        return unknown_instrument()
    if kind in (ErrorKind.INVALID_SIDE,):
        return param_error("side")
    if kind in (ErrorKind.INVALID_ORDER_TYPE, ErrorKind.INVALID_TIME_IN_FORCE):
        return param_error("ordType")
    if kind is ErrorKind.MISSING_PARAMETER:
        return param_missing(field)
    if kind in (ErrorKind.MALFORMED_PARAMETER, ErrorKind.INVALID_PRICE):
        return param_error(field)
    if kind is ErrorKind.INVALID_QUANTITY:
        return OkxError("51121", "Order quantity must be a multiple of the lot size.")
    if kind is ErrorKind.MIN_NOTIONAL:
        return OkxError("51020", "Your order should meet or exceed the minimum order amount.")
    if kind is ErrorKind.DUPLICATE_CLIENT_ID:
        return OkxError("51016", "Duplicated clOrdId")
    if kind in (ErrorKind.INSUFFICIENT_BALANCE, ErrorKind.INSUFFICIENT_MARGIN):
        return OkxError("51008", "Order failed. Insufficient balance or margin in account.")
    if kind is ErrorKind.REDUCE_ONLY_REJECTED:
        return OkxError(
            "51169", "Order failed because you don't have any positions in this direction."
        )
    if kind is ErrorKind.WOULD_TAKE:
        return OkxError("51000", "Parameter ordType error")
    if kind in (ErrorKind.UNKNOWN_ORDER,):
        return OkxError("51603", "Order does not exist")
    if kind is ErrorKind.CANCEL_REJECTED:
        return OkxError(
            "51400",
            "Order cancellation failed as the order has been filled, canceled or does not exist.",
        )
    if kind is ErrorKind.AMEND_REJECTED:
        return OkxError(
            "51503",
            "Order modification failed as the order has been filled, canceled or does not exist.",
        )
    return OkxError("51000", f"Parameter {field} error")
