"""Request and response bodies of the REST API (validated by pydantic: 422 names the field)."""

from __future__ import annotations

from typing import get_type_hints

from pydantic import BaseModel, ConfigDict, Field, StrictBool, create_model

from deltaworks_core.models import Fill, Side
from deltaworks_core.numbers import Amount, Price
from deltaworks_exec.oms.states import OrderState
from deltaworks_exec.venue import OrderType, TimeInForce


class OrderIn(BaseModel):
    """A new order. ``client_order_id`` makes the request idempotent."""

    model_config = ConfigDict(extra="forbid")

    exchange: str = Field(min_length=1, examples=["sim_a"])
    symbol: str = Field(min_length=3, examples=["BTC/USDT"])
    side: Side
    type: OrderType = "limit"
    amount: Amount
    price: Price | None = None
    stop_price: Price | None = None
    time_in_force: TimeInForce | None = None
    client_order_id: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.:/-]{1,36}$",
        description="1-36 characters of A-Z a-z 0-9 _ . : / -",
    )
    algo_id: str | None = Field(default=None, max_length=64)


class OrderOut(BaseModel):
    """An order's current state."""

    order_id: str
    client_order_id: str
    exchange: str
    symbol: str
    side: str
    type: str
    amount: float
    price: float | None
    stop_price: float | None
    time_in_force: str | None
    status: OrderState
    filled: float
    average: float | None
    venue_order_id: str | None
    algo_id: str | None
    reason: str | None = Field(description="CODE: message, for rejects and resolutions")
    reason_code: str | None
    seq: int
    user: str | None = Field(
        description="Who made the last request acting on the order (submit, cancel, kill switch)"
    )
    created: str
    updated: str


class OrderEventOut(BaseModel):
    ts: str
    seq: int
    status: str
    filled: float | None
    average: float | None
    venue_order_id: str | None
    reason: str | None
    user_name: str | None = Field(description="Who caused this transition")


_FILL = get_type_hints(Fill)
_STORED_FILL = {  # the ``fills`` columns the API shows, typed as ``Fill`` types them
    "fill_id": _FILL["fill_id"],
    "price": _FILL["price"],
    "amount": _FILL["amount"],
    "cost": _FILL["cost"] | None,  # a NULL column when the venue reported none
    "fee": _FILL["fee"],
    "fee_currency": _FILL["fee_currency"],
    "liquidity": _FILL["taker_or_maker"],
}
FillOut = create_model(
    "FillOut",
    __doc__="One stored fill of an order: the fields of ``Fill``, ``ts`` in ISO 8601 (UTC).",
    ts=(str, ...),
    **{name: (kind, ...) for name, kind in _STORED_FILL.items()},
)


class OrderDetail(BaseModel):
    """One order with its persisted transitions and fills."""

    order: OrderOut
    events: list[OrderEventOut]
    fills: list[FillOut]


class BalanceOut(BaseModel):
    asset: str
    free: float
    used: float
    total: float


class PositionOut(BaseModel):
    asset: str
    total: float
    open_buy: float
    open_sell: float


class KillSwitchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    engaged: StrictBool  # "yes" or 1 must not engage the kill switch by coercion
    reason: str | None = Field(default=None, max_length=200)


class KillSwitchOut(BaseModel):
    engaged: bool
    canceled: int = 0


class ErrorOut(BaseModel):
    detail: str
