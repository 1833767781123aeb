"""Request and response bodies of the REST API (validated by pydantic: 422 names the field)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

OrderTypeIn = Literal[
    "market", "limit", "stop_loss", "stop_loss_limit", "take_profit", "take_profit_limit"
]
OrderStatusOut = Literal[
    "pending_new",
    "new",
    "partially_filled",
    "filled",
    "pending_cancel",
    "canceled",
    "rejected",
    "expired",
]


class OrderIn(BaseModel):
    """A new order. ``client_order_id`` makes the request idempotent."""

    model_config = ConfigDict(extra="forbid")

    exchange: str = Field(min_length=1, examples=["sim_a"])
    symbol: str = Field(min_length=3, examples=["BTC/USDT"])
    side: Literal["buy", "sell"]
    type: OrderTypeIn = "limit"
    amount: float = Field(gt=0)
    price: float | None = Field(default=None, gt=0)
    stop_price: float | None = Field(default=None, gt=0)
    time_in_force: Literal["GTC", "IOC", "FOK", "PO"] | None = None
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
    status: OrderStatusOut
    filled: float
    average: float | None
    venue_order_id: str | None
    algo_id: str | None
    reason: str | None = Field(description="CODE: message, for rejects and resolutions")
    reason_code: str | None
    seq: int
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


class FillOut(BaseModel):
    ts: str
    fill_id: str
    price: float
    amount: float
    cost: float | None
    fee: float | None
    fee_currency: str | None
    liquidity: str | None


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
