"""The service's order record and the rows it writes to QuestDB."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from deltaworks_core.models import Fill, Side
from deltaworks_exec.oms.states import OrderState
from deltaworks_exec.venue import OrderRequest, OrderType, TimeInForce

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

ORDER_EVENT_SYMBOLS = (
    "exchange",
    "symbol",
    "side",
    "type",
    "time_in_force",
    "status",
    "user_name",
)
FILL_SYMBOLS = ("exchange", "symbol", "side", "fee_currency", "liquidity")


def to_us(ts: datetime) -> int:
    """Microseconds since the epoch of an aware or naive-UTC datetime (exact)."""
    return (ts.replace(tzinfo=UTC) - _EPOCH) // _MICROSECOND


def from_us(ts_us: int) -> datetime:
    """A UTC datetime from microseconds since the epoch."""
    return _EPOCH + ts_us * _MICROSECOND


@dataclass(slots=True)
class ManagedOrder:
    """One order as the OMS tracks it; ``seq`` counts its persisted transitions."""

    order_id: str
    client_order_id: str
    exchange: str
    symbol: str
    side: Side
    type: OrderType
    amount: float
    price: float | None = None
    stop_price: float | None = None
    time_in_force: TimeInForce | None = None
    status: OrderState = "pending_new"
    filled: float = 0.0
    average: float | None = None
    venue_order_id: str | None = None
    algo_id: str | None = None
    reason: str | None = None
    seq: int = 0
    ts_us: int = 0
    created_us: int = 0
    fill_ids: set[str] = field(default_factory=set, repr=False)
    fills_amount: float = 0.0
    venue_created_ms: int | None = None  # the venue's clock: where its fill history starts
    user: str | None = None  # who made the last request acting on the order (submit, cancel)

    def request(self) -> OrderRequest:
        """The venue request for this order."""
        return OrderRequest(
            client_order_id=self.client_order_id,
            symbol=self.symbol,
            side=self.side,
            type=self.type,
            amount=self.amount,
            price=self.price,
            stop_price=self.stop_price,
            time_in_force=self.time_in_force,
        )

    def event_row(self) -> dict[str, Any]:
        """The ``order_events`` row for the current state."""
        return {
            "ts_us": self.ts_us,
            "order_id": self.order_id,
            "seq": self.seq,
            "client_order_id": self.client_order_id,
            "exchange": self.exchange,
            "symbol": self.symbol,
            "side": self.side,
            "type": self.type,
            "time_in_force": self.time_in_force,
            "status": self.status,
            "price": self.price,
            "stop_price": self.stop_price,
            "amount": self.amount,
            "filled": self.filled,
            "average": self.average,
            "venue_order_id": self.venue_order_id,
            "algo_id": self.algo_id,
            "reason": self.reason,
            "user_name": self.user,
        }

    def public(self) -> dict[str, Any]:
        """The order as the API and event stream show it."""
        return {
            "order_id": self.order_id,
            "client_order_id": self.client_order_id,
            "exchange": self.exchange,
            "symbol": self.symbol,
            "side": self.side,
            "type": self.type,
            "amount": self.amount,
            "price": self.price,
            "stop_price": self.stop_price,
            "time_in_force": self.time_in_force,
            "status": self.status,
            "filled": self.filled,
            "average": self.average,
            "venue_order_id": self.venue_order_id,
            "algo_id": self.algo_id,
            "reason": self.reason,
            "reason_code": self.reason.split(":", 1)[0] if self.reason else None,
            "seq": self.seq,
            "user": self.user,
            "created": from_us(self.created_us).isoformat(),
            "updated": from_us(self.ts_us).isoformat(),
        }


def fill_row(fill: Fill, order: ManagedOrder) -> dict[str, Any]:
    """The ``fills`` row of one execution of ``order``."""
    return {
        "ts_us": to_us(fill.ts),
        "exchange": fill.exchange,
        "fill_id": fill.fill_id,
        "order_id": order.order_id,
        "client_order_id": order.client_order_id,
        "venue_order_id": fill.order_id,
        "symbol": fill.symbol,
        "side": fill.side,
        "price": fill.price,
        "amount": fill.amount,
        "cost": fill.cost,
        "fee": fill.fee,
        "fee_currency": fill.fee_currency,
        "liquidity": fill.taker_or_maker,
    }


def fill_public(row: dict[str, Any]) -> dict[str, Any]:
    """A fill row as the API and event stream show it."""
    out = {k: v for k, v in row.items() if k != "ts_us"}
    out["ts"] = from_us(row["ts_us"]).isoformat()
    return out
