"""Pure functions from ccxt's unified structures to Delta Works records.

They handle what real exchanges send: zero balances, futures balances where
``free + used`` is not ``total``, balances with only a total, missing fees,
withdrawal statuses ccxt does not map, absent update times. A missing required
field raises ``ValueError`` naming the structure and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from deltaworks_core.models import (
    ORDER_STATUSES,
    Deposit,
    Fill,
    Holding,
    Order,
    Withdrawal,
    utc_from_ms,
)

# Keys of a ccxt balance structure that are not currency codes.
_BALANCE_KEYS = frozenset({"info", "timestamp", "datetime", "free", "used", "total", "debt"})
_WITHDRAWAL_STATUSES = frozenset({"pending", "ok", "failed", "canceled"})
# Where exchanges keep their own status in ccxt's ``info`` (Binance REST, Binance
# user-data stream, OKX, Bybit).
_RAW_STATUS_KEYS = ("status", "X", "state", "orderStatus")


def _float(value: Any, what: str, key: str) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{what}: field {key!r} must be a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: field {key!r} must be a number, got {value!r}") from None


def _number(value: Any, what: str, key: str) -> float | None:
    return None if value is None or value == "" else _float(value, what, key)


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return str(value)


def _required(data: Mapping[str, Any], key: str, what: str) -> Any:
    value = data.get(key)
    if value is None or value == "":
        raise ValueError(f"{what}: required field {key!r} is missing")
    return value


def _required_number(data: Mapping[str, Any], key: str, what: str) -> float:
    return _float(_required(data, key, what), what, key)


def _timestamp(data: Mapping[str, Any], key: str, what: str) -> datetime:
    return utc_from_ms(_required_number(data, key, what))


def _raw_status(data: Mapping[str, Any]) -> str | None:
    info = data.get("info")
    if isinstance(info, Mapping):
        for key in _RAW_STATUS_KEYS:
            if info.get(key) not in (None, ""):
                return str(info[key])
    return _text(data.get("status"))


def _fee(data: Mapping[str, Any], what: str) -> tuple[float | None, str | None]:
    fee = data.get("fee")
    if not isinstance(fee, Mapping):
        return None, None
    cost = _number(fee.get("cost"), what, "fee.cost")
    if cost is None:
        return None, None
    return cost, _text(fee.get("currency"))


def holdings_from_balance(
    balance: Mapping[str, Any], exchange: str, account_type: str, ts: datetime
) -> list[Holding]:
    """One ``Holding`` per asset of a ccxt balance structure, skipping all-zero assets.

    ``total`` is ccxt's total as given (futures: margin balance), never
    recomputed from ``free + used``; it is derived only when ccxt has none.
    """
    what = f"balance of {exchange}/{account_type}"
    holdings = []
    for asset, entry in balance.items():
        if asset in _BALANCE_KEYS or not isinstance(entry, Mapping):
            continue
        free = _number(entry.get("free"), what, f"{asset}.free")
        used = _number(entry.get("used"), what, f"{asset}.used")
        total = _number(entry.get("total"), what, f"{asset}.total")
        debt = _number(entry.get("debt"), what, f"{asset}.debt")
        if total is None:
            if free is None and used is None:
                continue
            total = (free or 0.0) + (used or 0.0)
        if not any((free, used, total, debt)):
            continue
        holdings.append(
            Holding(
                ts=ts,
                exchange=exchange,
                account_type=account_type,
                asset=asset,
                free=free,
                used=used,
                total=total,
                debt=debt,
            )
        )
    return holdings


def _transaction(tx: Mapping[str, Any], exchange: str, kind: str, type_: str) -> dict[str, Any]:
    """The fields deposits and withdrawals share, from a ccxt transaction structure."""
    what = f"{type_} from {exchange}"
    if tx.get("type") not in (None, type_):
        raise ValueError(f"{what}: field 'type' is {tx['type']!r}, expected {type_!r}")
    status = tx.get("status")
    updated = _number(tx.get("updated"), what, "updated")
    return {
        "ts": _timestamp(tx, "timestamp", what),
        "exchange": exchange,
        "kind": kind,
        "asset": str(_required(tx, "currency", what)),
        "amount": _required_number(tx, "amount", what),
        "fee": _fee(tx, what)[0],
        "network": _text(tx.get("network")),
        "address": _text(tx.get("address")),
        "tag": _text(tx.get("tag")),
        "txid": _text(tx.get("txid")),
        "status": status if status in _WITHDRAWAL_STATUSES else "unknown",
        "status_raw": _raw_status(tx),
        "internal": bool(tx.get("internal")),
        "updated": utc_from_ms(updated) if updated is not None else None,
    }


def withdrawal_from_transaction(tx: Mapping[str, Any], exchange: str, kind: str) -> Withdrawal:
    """A ``Withdrawal`` from a ccxt transaction structure (``fetch_withdrawals``).

    Statuses outside ccxt's pending/ok/failed/canceled become ``'unknown'``;
    ``status_raw`` always holds the exchange's own value.
    """
    fields = _transaction(tx, exchange, kind, "withdrawal")
    withdrawal_id = str(_required(tx, "id", f"withdrawal from {exchange}"))
    return Withdrawal(withdrawal_id=withdrawal_id, **fields)


def deposit_from_transaction(tx: Mapping[str, Any], exchange: str, kind: str) -> Deposit:
    """A ``Deposit`` from a ccxt transaction structure (``fetch_deposits``), statuses as
    for withdrawals."""
    fields = _transaction(tx, exchange, kind, "deposit")
    return Deposit(deposit_id=str(_required(tx, "id", f"deposit from {exchange}")), **fields)


def order_from_ccxt(order: Mapping[str, Any], exchange: str) -> Order:
    """An ``Order`` from a ccxt order structure (``fetch_order``, ``watch_orders``, ...).

    ccxt's ``canceling`` (cancel requested, not confirmed) counts as ``open``.
    """
    what = f"order from {exchange}"
    status = _required(order, "status", what)
    if status == "canceling":
        status = "open"
    if status not in ORDER_STATUSES:
        allowed = ", ".join(sorted(ORDER_STATUSES))
        raise ValueError(f"{what}: field 'status' is {status!r}, expected one of {allowed}")
    trigger_price = next(
        (
            _number(order.get(key), what, key)
            for key in ("triggerPrice", "stopPrice", "stopLossPrice", "takeProfitPrice")
            if order.get(key) is not None
        ),
        None,
    )
    return Order(
        id=str(_required(order, "id", what)),
        client_order_id=_text(order.get("clientOrderId")),
        exchange=exchange,
        symbol=str(_required(order, "symbol", what)),
        side=_required(order, "side", what),
        type=str(_required(order, "type", what)),
        time_in_force=_text(order.get("timeInForce")),
        price=_number(order.get("price"), what, "price"),
        amount=_required_number(order, "amount", what),
        filled=_required_number(order, "filled", what),
        remaining=_number(order.get("remaining"), what, "remaining"),
        average=_number(order.get("average"), what, "average"),
        status=status,
        status_raw=_raw_status(order),
        ts=_timestamp(order, "timestamp", what),
        trigger_price=trigger_price,
    )


def fill_from_trade(
    trade: Mapping[str, Any], exchange: str, *, client_order_id: str | None = None
) -> Fill:
    """A ``Fill`` from a ccxt trade structure (``fetch_my_trades``, ``watch_my_trades``).

    ccxt's trade carries no client order id: callers that know it pass it.
    """
    what = f"trade from {exchange}"
    price = _required_number(trade, "price", what)
    amount = _required_number(trade, "amount", what)
    cost = _number(trade.get("cost"), what, "cost")
    fee, fee_currency = _fee(trade, what)
    return Fill(
        ts=_timestamp(trade, "timestamp", what),
        exchange=exchange,
        fill_id=str(_required(trade, "id", what)),
        order_id=str(_required(trade, "order", what)),
        client_order_id=client_order_id,
        symbol=str(_required(trade, "symbol", what)),
        side=_required(trade, "side", what),
        price=price,
        amount=amount,
        cost=cost if cost is not None else price * amount,
        fee=fee,
        fee_currency=fee_currency,
        taker_or_maker=trade.get("takerOrMaker"),
    )
