"""Binance error codes and messages raised by the engine and the server."""

from __future__ import annotations


class BinanceError(Exception):
    """An error Binance would answer with ``{"code": code, "msg": msg}`` and HTTP ``status``."""

    def __init__(self, code: int, msg: str, status: int = 400) -> None:
        super().__init__(f"{code}: {msg}")
        self.code = code
        self.msg = msg
        self.status = status


def invalid_symbol() -> BinanceError:
    return BinanceError(-1121, "Invalid symbol.")


def filter_failure(name: str) -> BinanceError:
    return BinanceError(-1013, f"Filter failure: {name}")


def insufficient_balance() -> BinanceError:
    return BinanceError(-2010, "Account has insufficient balance for requested action.")


def order_not_found() -> BinanceError:
    return BinanceError(-2013, "Order does not exist.")


def unknown_order() -> BinanceError:
    return BinanceError(-2011, "Unknown order sent.")


def bad_param(name: str, detail: str = "was empty/null, or malformed.") -> BinanceError:
    return BinanceError(-1102, f"Mandatory parameter '{name}' {detail}")
