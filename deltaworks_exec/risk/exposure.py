"""What open orders have working per exchange and asset, kept incrementally (O(1) per change)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Protocol

from deltaworks_exec.risk.checks import Exposure
from deltaworks_exec.venue import MarketRules, OrderIntent

# (exchange, base, quote, side, remaining base, reserved quote)
_Contribution = tuple[str, str, str, str, float, float]


class WorkingOrder(OrderIntent, Protocol):
    """An order intent with what the OMS knows of it so far."""

    @property
    def order_id(self) -> str: ...

    @property
    def exchange(self) -> str: ...

    @property
    def filled(self) -> float: ...

    @property
    def average(self) -> float | None: ...


class ExposureBook:
    """Open-order counts and reservations, updated whenever an order changes."""

    def __init__(self, rules: Callable[[str, str], MarketRules]) -> None:
        self._rules = rules
        self._orders: dict[str, _Contribution] = {}
        self._count: dict[str, int] = defaultdict(int)
        self._base: dict[tuple[str, str, str], float] = defaultdict(float)
        self._quote: dict[tuple[str, str], float] = defaultdict(float)

    def update(self, order: WorkingOrder, working: bool) -> None:
        """Account for ``order`` as it is now (call after every change); ``working`` says
        whether it counts (open, and stored)."""
        old = self._orders.pop(order.order_id, None)
        if old is not None:
            self._apply(old, -1)
        if working:
            rules = self._rules(order.exchange, order.symbol)
            remaining = max(order.amount - order.filled, 0.0)
            price = order.price or order.stop_price or order.average or 0.0
            reserved = remaining * price
            new = (order.exchange, rules.base, rules.quote, order.side, remaining, reserved)
            self._orders[order.order_id] = new
            self._apply(new, 1)

    def _apply(self, c: _Contribution, sign: int) -> None:
        exchange, base, quote, side, remaining, reserved = c
        self._count[exchange] += sign
        self._base[(exchange, base, side)] += sign * remaining
        if side == "buy":
            self._quote[(exchange, quote)] += sign * reserved

    def exposure(self, exchange: str, rules: MarketRules) -> Exposure:
        """Open orders of ``exchange`` and what they reserve in ``rules``' base and quote."""
        return Exposure(
            open_orders=self._count[exchange],
            buy_base=self._base[(exchange, rules.base, "buy")],
            buy_quote=self._quote[(exchange, rules.quote)],
            sell_base=self._base[(exchange, rules.base, "sell")],
        )
