"""Order sinks: where parent orders, routing and arbitrage send their orders.

``OrderSink`` is the interface (the OMS in the service); ``VenueOrders`` is a
sink straight to a venue, for tests and backtests. It carries the service's
rule for venue errors: after a ``NetworkError`` on submit, look the order up by
client order id; re-send the same id only when the venue does not know it, at
most ``attempts`` times in all.
"""

from __future__ import annotations

from typing import Protocol

import ccxt

from deltaworks_core.models import Order
from deltaworks_exec.venue import OrderRequest, Venue


class OrderSink(Protocol):
    """Where a parent order sends its children: the OMS in the service, a venue in tests.

    ``submit`` must be idempotent by ``request.client_order_id`` or at least
    never send twice after a ``NetworkError`` without looking the id up first.
    """

    async def submit(
        self, request: OrderRequest, algo_id: str | None = None, user: str | None = None
    ) -> Order: ...

    async def cancel(self, symbol: str, order_id: str, user: str | None = None) -> Order: ...

    async def fetch_order(
        self, symbol: str, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order | None: ...


class VenueOrders:
    """The ``OrderSink`` of a parent order that talks to its venue directly."""

    def __init__(self, venue: Venue, attempts: int = 3) -> None:
        self.venue = venue
        self.attempts = attempts

    async def submit(
        self, request: OrderRequest, algo_id: str | None = None, user: str | None = None
    ) -> Order:
        for _ in range(self.attempts - 1):
            try:
                return await self.venue.submit(request)
            except ccxt.NetworkError:
                found = await self._lookup(request)
                if found is not None:
                    return found
        return await self.venue.submit(request)  # a last NetworkError reaches the caller

    async def _lookup(self, request: OrderRequest) -> Order | None:
        try:
            return await self.venue.fetch_order(
                request.symbol, client_order_id=request.client_order_id
            )
        except ccxt.NetworkError:
            return None

    async def cancel(self, symbol: str, order_id: str, user: str | None = None) -> Order:
        return await self.venue.cancel(symbol, order_id)

    async def fetch_order(
        self, symbol: str, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order | None:
        return await self.venue.fetch_order(symbol, order_id, client_order_id)
