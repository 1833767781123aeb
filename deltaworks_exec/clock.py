"""The execution service's discrete-event clock; ``Clock`` and ``WallClock`` live in
``deltaworks_core.clock`` (re-exported here for the service's modules)."""

from __future__ import annotations

import asyncio
import heapq
import itertools

from deltaworks_core.clock import Clock, WallClock, clock_datetime

__all__ = ["Clock", "SimulatedClock", "WallClock", "clock_datetime"]


class SimulatedClock:
    """Discrete-event time: ``sleep`` parks the caller until ``advance`` passes its wake-up.

    Waiters wake in time order (ties in the order they slept); ``advance_to``
    lets every task woken at an instant run before time moves on, so the same
    inputs always give the same interleaving.
    """

    def __init__(self, start_ms: int) -> None:
        self._now_ms = start_ms
        self._waiters: list[tuple[int, int, asyncio.Future[None]]] = []
        self._sequence = itertools.count()

    def now_ms(self) -> int:
        return self._now_ms

    async def sleep(self, seconds: float) -> None:
        wake_ms = self._now_ms + max(0, round(seconds * 1000))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiters, (wake_ms, next(self._sequence), future))
        await future

    def next_wake_ms(self) -> int | None:
        """When the earliest sleeper wakes, or ``None``."""
        while self._waiters and self._waiters[0][2].done():
            heapq.heappop(self._waiters)
        return self._waiters[0][0] if self._waiters else None

    async def advance_to(self, target_ms: int) -> None:
        """Move time forward to ``target_ms``, waking sleepers due on the way, in order."""
        while (wake := self.next_wake_ms()) is not None and wake <= target_ms:
            self._now_ms = max(self._now_ms, wake)
            _, _, future = heapq.heappop(self._waiters)
            future.set_result(None)
            await _settle()
        self._now_ms = max(self._now_ms, target_ms)
        await _settle()

    async def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``."""
        await self.advance_to(self._now_ms + round(seconds * 1000))


async def _settle(rounds: int = 20) -> None:
    """Let tasks made runnable by a wake-up run until they block again."""
    for _ in range(rounds):
        await asyncio.sleep(0)
