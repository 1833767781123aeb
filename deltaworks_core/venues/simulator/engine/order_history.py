"""Order history: every order of an account in a market, open and closed."""

from __future__ import annotations

from .orders import Order
from .state import locked
from .trading import Trading


class OrderHistory(Trading):
    """``all_orders``: the orders of an account in a market, oldest first."""

    @locked
    def all_orders(
        self,
        account: str,
        symbol: str,
        *,
        from_id: int | None = None,
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 500,
    ) -> list[Order]:
        """The account's orders in ``symbol``, open and closed, oldest first: the first
        ``limit`` from order id ``from_id`` or from ``start_ms`` (to ``end_ms``), else the
        ``limit`` newest."""
        self._sync()
        market = self.market(symbol)
        orders = [o for o in self._orders.values() if o.account == account and o.market is market]
        if from_id is not None:
            return [o for o in orders if o.id >= from_id][:limit]
        if start_ms is not None or end_ms is not None:
            lo = start_ms if start_ms is not None else 0
            hi = end_ms if end_ms is not None else self._t
            return [o for o in orders if lo <= o.time <= hi][:limit]
        return orders[-limit:]
