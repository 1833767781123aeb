"""Resting orders of one side of one order book: price levels in a sorted list of ticks."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque

from .orders import Order


class BookSide:
    """Price-time priority queue of resting orders; keys sort best first (bids negated)."""

    __slots__ = ("buy", "keys", "levels")

    def __init__(self, buy: bool) -> None:
        self.buy = buy
        self.levels: dict[int, deque[Order]] = {}
        self.keys: list[int] = []

    def add(self, order: Order) -> None:
        k = -order.price if self.buy else order.price
        queue = self.levels.get(k)
        if queue is None:
            queue = self.levels[k] = deque()
            insort(self.keys, k)
        queue.append(order)

    def remove(self, order: Order) -> None:
        k = -order.price if self.buy else order.price
        queue = self.levels[k]
        queue.remove(order)
        if not queue:
            self._drop(k)

    def pop_front(self, k: int) -> None:
        """Remove the first order of level ``k`` (after it filled completely)."""
        queue = self.levels[k]
        queue.popleft()
        if not queue:
            self._drop(k)

    def _drop(self, k: int) -> None:
        del self.levels[k]
        del self.keys[bisect_left(self.keys, k)]

    def best(self) -> int | None:
        """Best price in ticks, or None when empty."""
        if not self.keys:
            return None
        k = self.keys[0]
        return -k if self.buy else k

    def depth(self, limit: int) -> list[tuple[int, int]]:
        """(price ticks, total remaining steps) for the best ``limit`` levels."""
        out = []
        for k in self.keys[:limit]:
            out.append((-k if self.buy else k, sum(o.qty - o.filled for o in self.levels[k])))
        return out
