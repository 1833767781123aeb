"""``OmsOrders``: the order sink of parent orders inside the service, through the OMS.

Every child goes through the OMS's risk checks, persistence and idempotent
client order ids (the OMS answers a known client id with the first order and
sends nothing). The order ids the algorithm sees are the OMS's service ids.
A risk or venue reject comes back as an order in status ``rejected``; bad
input as ``ccxt.InvalidOrder``; both count as rejects in the algorithm's policy.
"""

from __future__ import annotations

import ccxt

from deltaworks_core.models import Order, OrderStatus, utc_from_ms
from deltaworks_exec.oms.errors import (
    ClientOrderIdConflict,
    OrderInputError,
    OrderStateError,
    UnknownOrderError,
)
from deltaworks_exec.oms.manager import NewOrder, OrderManager
from deltaworks_exec.oms.model import ManagedOrder
from deltaworks_exec.venue import OrderRequest

_STATUS: dict[str, OrderStatus] = {
    "pending_new": "open",
    "new": "open",
    "partially_filled": "open",
    "pending_cancel": "open",
    "filled": "closed",
    "canceled": "canceled",
    "rejected": "rejected",
    "expired": "expired",
}


def as_order(managed: ManagedOrder) -> Order:
    """The OMS's record as the venue-neutral ``Order`` algorithms read."""
    return Order(
        id=managed.order_id,
        client_order_id=managed.client_order_id,
        exchange=managed.exchange,
        symbol=managed.symbol,
        side=managed.side,
        type=managed.type,
        time_in_force=managed.time_in_force,
        price=managed.price,
        amount=managed.amount,
        filled=managed.filled,
        remaining=max(0.0, managed.amount - managed.filled),
        average=managed.average,
        status=_STATUS[managed.status],
        status_raw=managed.status,
        ts=utc_from_ms((managed.ts_us or managed.created_us) // 1000),
        trigger_price=managed.stop_price,
    )


class OmsOrders:
    """``OrderSink`` for parent orders on ``exchange``, through ``manager``."""

    def __init__(self, manager: OrderManager, exchange: str) -> None:
        self.manager = manager
        self.exchange = exchange

    async def submit(
        self, request: OrderRequest, algo_id: str | None = None, user: str | None = None
    ) -> Order:
        new = NewOrder(
            exchange=self.exchange,
            symbol=request.symbol,
            side=request.side,
            type=request.type,
            amount=request.amount,
            price=request.price,
            stop_price=request.stop_price,
            time_in_force=request.time_in_force,
            client_order_id=request.client_order_id,
            algo_id=algo_id,
            user=user,
        )
        try:
            managed, _ = await self.manager.submit(new)
        except (OrderInputError, ClientOrderIdConflict) as exc:
            raise ccxt.InvalidOrder(str(exc)) from None
        return as_order(managed)

    async def cancel(self, symbol: str, order_id: str, user: str | None = None) -> Order:
        try:
            return as_order(await self.manager.cancel(order_id, user))
        except (UnknownOrderError, OrderStateError) as exc:
            raise ccxt.OrderNotFound(str(exc)) from None

    async def fetch_order(
        self, symbol: str, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order | None:
        if order_id is not None:
            try:
                return as_order(self.manager.get(order_id))
            except UnknownOrderError:
                return None
        managed = self.manager.by_client_id(client_order_id or "")
        return None if managed is None else as_order(managed)
