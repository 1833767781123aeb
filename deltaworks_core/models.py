"""Domain records shared by the pipelines and the execution service.

Records are immutable. Quantities are floats as ccxt returns them (compare them
with the market's precision, never with ``==``); timestamps are timezone-aware
UTC datetimes. ``deltaworks_core.venues.normalize`` builds them from ccxt's
unified structures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

WithdrawalKind = Literal["crypto", "fiat"]
WithdrawalStatus = Literal["pending", "ok", "failed", "canceled", "unknown"]
OrderStatus = Literal["open", "closed", "canceled", "expired", "rejected"]
Side = Literal["buy", "sell"]

WITHDRAWAL_KINDS: frozenset[str] = frozenset({"crypto", "fiat"})
WITHDRAWAL_STATUSES: frozenset[str] = frozenset({"pending", "ok", "failed", "canceled", "unknown"})
ORDER_STATUSES: frozenset[str] = frozenset({"open", "closed", "canceled", "expired", "rejected"})
SIDES: frozenset[str] = frozenset({"buy", "sell"})


_ZERO = timedelta(0)


def _check_utc(record: str, name: str, value: datetime | None) -> None:
    # Identity first: this runs for every order update on the OMS's hot path.
    if value is None or value.tzinfo is UTC:
        return
    if value.utcoffset() != _ZERO:
        raise ValueError(f"{record}.{name} must be a timezone-aware UTC datetime, got {value!r}")


def _check_choice(record: str, name: str, value: str, allowed: frozenset[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{record}.{name}: {value!r} is not one of {', '.join(sorted(allowed))}")


def utc_from_ms(ms: int | float) -> datetime:
    """A UTC datetime from a Unix timestamp in milliseconds (exact, no float rounding)."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(ms))


@dataclass(frozen=True, slots=True)
class Holding:
    """One asset's balance in one account of one exchange at snapshot time ``ts``.

    ``total`` is the exchange's figure: for futures it is the margin balance
    (with unrealised PnL), so ``free + used`` need not equal it. ``free`` and
    ``used`` are None where the exchange reports only a total; ``debt`` is
    borrowed plus interest on margin accounts, None elsewhere.
    """

    ts: datetime
    exchange: str
    account_type: str
    asset: str
    free: float | None
    used: float | None
    total: float
    debt: float | None = None

    def __post_init__(self) -> None:
        _check_utc("Holding", "ts", self.ts)


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """A crypto or fiat withdrawal; ``ts`` is when it was applied for (created).

    ``status`` is normalised; ``status_raw`` is the exchange's own value, kept
    so that statuses ccxt does not map (``status == 'unknown'``) stay visible.
    ``fee`` is None when the exchange reports none; ``updated`` is None when the
    exchange gives no update time (Binance crypto withdrawals).
    """

    ts: datetime
    exchange: str
    withdrawal_id: str
    kind: WithdrawalKind
    asset: str
    amount: float
    fee: float | None
    network: str | None
    address: str | None
    tag: str | None
    txid: str | None
    status: WithdrawalStatus
    status_raw: str | None
    internal: bool
    updated: datetime | None = None

    def __post_init__(self) -> None:
        _check_utc("Withdrawal", "ts", self.ts)
        _check_utc("Withdrawal", "updated", self.updated)
        _check_choice("Withdrawal", "kind", self.kind, WITHDRAWAL_KINDS)
        _check_choice("Withdrawal", "status", self.status, WITHDRAWAL_STATUSES)


@dataclass(frozen=True, slots=True)
class Deposit:
    """A crypto or fiat deposit; ``ts`` is when the exchange first saw it (crypto: on chain).

    Fields as on ``Withdrawal``: ``status`` normalised (``ok`` means credited),
    ``status_raw`` the exchange's own value, ``txid`` the transaction that carried it
    (the sending withdrawal's txid when it came from another exchange).
    """

    ts: datetime
    exchange: str
    deposit_id: str
    kind: WithdrawalKind
    asset: str
    amount: float
    fee: float | None
    network: str | None
    address: str | None
    tag: str | None
    txid: str | None
    status: WithdrawalStatus
    status_raw: str | None
    internal: bool
    updated: datetime | None = None

    def __post_init__(self) -> None:
        _check_utc("Deposit", "ts", self.ts)
        _check_utc("Deposit", "updated", self.updated)
        _check_choice("Deposit", "kind", self.kind, WITHDRAWAL_KINDS)
        _check_choice("Deposit", "status", self.status, WITHDRAWAL_STATUSES)


@dataclass(frozen=True, slots=True)
class Order:
    """An order as the exchange reports it; ``status`` is ccxt's unified status."""

    id: str
    client_order_id: str | None
    exchange: str
    symbol: str
    side: Side
    type: str
    time_in_force: str | None
    price: float | None
    amount: float
    filled: float
    remaining: float | None
    average: float | None
    status: OrderStatus
    status_raw: str | None
    ts: datetime
    trigger_price: float | None = None

    def __post_init__(self) -> None:
        _check_utc("Order", "ts", self.ts)
        _check_choice("Order", "side", self.side, SIDES)
        _check_choice("Order", "status", self.status, ORDER_STATUSES)


@dataclass(frozen=True, slots=True)
class Fill:
    """One execution (trade) of one of our orders."""

    ts: datetime
    exchange: str
    fill_id: str
    order_id: str
    client_order_id: str | None
    symbol: str
    side: Side
    price: float
    amount: float
    cost: float
    fee: float | None
    fee_currency: str | None
    taker_or_maker: Literal["taker", "maker"] | None

    def __post_init__(self) -> None:
        _check_utc("Fill", "ts", self.ts)
        _check_choice("Fill", "side", self.side, SIDES)
