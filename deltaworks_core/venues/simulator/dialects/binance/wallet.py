"""Binance wallet endpoints: deposit history and addresses, withdrawals, fiat orders, and
spot trading fees.

``capital/deposit/hisrec`` pages like the withdrawal history (90-day windows, ``offset``
and ``limit``); ``fiat/orders`` serves deposits (``transactionType=0``) and withdrawals
(``1``) by page; ``capital/withdraw/apply`` sends coins, to another simulated exchange
when the address is one of its deposit addresses.
"""

from __future__ import annotations

from ...engine import ErrorKind, ExchangeEngine, SimError
from . import rendering as responses
from .errors import BinanceError, bad_param
from .routes import (
    FIAT_DEFAULT_DAYS,
    MAX_FIAT_ROWS,
    MAX_WITHDRAWALS,
    Params,
    Route,
    _int,
    _w,
    fiat_withdraw_history,
    history_window,
)
from .vocabulary import market_by_id

# neutral refusals of a withdrawal -> Binance's wallet codes
_WITHDRAW_ERRORS = {
    ErrorKind.INSUFFICIENT_BALANCE: (-4026, "You have insufficient balance."),
    ErrorKind.WITHDRAWAL_TOO_SMALL: (
        -4028,
        "The amount of withdrawal must be greater than the Commission.",
    ),
    ErrorKind.UNKNOWN_ASSET: (-4018, "We don't have this asset."),
    ErrorKind.UNKNOWN_NETWORK: (-4019, "Current asset is not open for withdrawal."),
    ErrorKind.MALFORMED_PARAMETER: (-1100, "Illegal characters found in parameter 'amount'."),
}


def deposit_history(
    engine: ExchangeEngine,
    start: int | None = None,
    end: int | None = None,
    *,
    coin: str | None = None,
    offset: int = 0,
    limit: int = MAX_WITHDRAWALS,
) -> list[dict]:
    """``capital/deposit/hisrec``: at most 90 days (the last 90 by default), newest first."""
    start, end = history_window(engine, start, end)
    limit = max(1, min(limit, MAX_WITHDRAWALS))
    rows = engine.deposits(start, end, coin=coin, offset=offset, limit=limit)
    return [responses.deposit(d) for d in rows]


def fiat_deposit_history(
    engine: ExchangeEngine,
    begin: int | None = None,
    end: int | None = None,
    page: int = 1,
    rows: int = 100,
) -> tuple[list[dict], int]:
    """``fiat/orders`` deposits (the last 30 days by default), newest first; the total."""
    end = engine.now_ms() if end is None else end
    begin = end - FIAT_DEFAULT_DAYS * 86_400_000 if begin is None else begin
    size = max(1, min(rows, MAX_FIAT_ROWS))
    found, total = engine.fiat_deposits(begin, end, offset=(max(1, page) - 1) * size, limit=size)
    return [responses.fiat_order(d) for d in found], total


def _deposit_history(engine: ExchangeEngine, account: str, params: Params) -> object:
    return deposit_history(
        engine,
        _int(params, "startTime"),
        _int(params, "endTime"),
        coin=params.get("coin") or None,
        offset=_int(params, "offset", 0),
        limit=_int(params, "limit", MAX_WITHDRAWALS),
    )


def _fiat_orders(engine: ExchangeEngine, account: str, params: Params) -> object:
    kind = params.get("transactionType")
    if kind not in ("0", "1"):
        raise bad_param("transactionType")
    history = fiat_deposit_history if kind == "0" else fiat_withdraw_history
    rows, total = history(
        engine,
        _int(params, "beginTime"),
        _int(params, "endTime"),
        _int(params, "page", 1),
        _int(params, "rows", 100),
    )
    return {"code": "000000", "message": "success", "data": rows, "total": total, "success": True}


def _deposit_address(engine: ExchangeEngine, account: str, params: Params) -> object:
    coin = params.get("coin")
    if not coin:
        raise bad_param("coin")
    try:
        found = engine.deposit_address(account, coin, params.get("network") or None)
    except SimError as exc:
        raise _wallet_error(exc) from None
    return responses.deposit_address(found)


def _withdraw(engine: ExchangeEngine, account: str, params: Params) -> object:
    for name in ("coin", "address", "amount"):
        if not params.get(name):
            raise bad_param(name)
    try:
        withdrawal = engine.withdraw(
            account,
            params["coin"],
            params["amount"],
            params["address"],
            network=params.get("network") or None,
            tag=params.get("addressTag") or None,
        )
    except SimError as exc:
        raise _wallet_error(exc) from None
    return {"id": withdrawal.id}


def _wallet_error(exc: SimError) -> BinanceError:
    code, msg = _WITHDRAW_ERRORS.get(exc.kind, (-1000, exc.message))
    return BinanceError(code, msg)


def _trade_fee(engine: ExchangeEngine, account: str, params: Params) -> object:
    symbol = params.get("symbol")
    markets = (
        [market_by_id(engine, symbol, False)]
        if symbol
        else [m for m in engine.markets.values() if not m.linear]
    )
    return [responses.trade_fee(engine, m) for m in markets]


def wallet_routes() -> dict[tuple[str, str], Route]:
    """The (HTTP method, path) table of this module's endpoints."""
    return {
        ("GET", "/sapi/v1/capital/deposit/hisrec"): Route(_deposit_history, _w(1), "SIGNED"),
        ("GET", "/sapi/v1/capital/deposit/address"): Route(_deposit_address, _w(10), "SIGNED"),
        ("POST", "/sapi/v1/capital/withdraw/apply"): Route(_withdraw, _w(600), "SIGNED", "uid"),
        ("GET", "/sapi/v1/fiat/orders"): Route(_fiat_orders, _w(90_000), "SIGNED", "uid"),
        ("GET", "/sapi/v1/asset/tradeFee"): Route(_trade_fee, _w(1), "SIGNED"),
    }
