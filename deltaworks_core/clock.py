"""Time for the whole project: one ``Clock`` protocol, wall time and a manual clock.

The simulator, the execution service and the backtester all read time through
``Clock``. ``WallClock`` is real time; ``SimClock`` moves only when told
(``set_time``/``advance``), so a run on it is repeatable.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    """What the project knows about time."""

    def now_ms(self) -> int:
        """Milliseconds since the Unix epoch."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""
        ...


def clock_datetime(clock: Clock) -> datetime:
    """The clock's time as a UTC datetime."""
    return datetime.fromtimestamp(clock.now_ms() / 1000, UTC)


class WallClock:
    """Real time."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class SimClock:
    """A clock that moves only through ``set_time`` / ``advance`` (and ``sleep``, which
    advances it: a single caller's wait simply skips the time)."""

    def __init__(self, start_ms: int) -> None:
        self._now = int(start_ms)

    def now_ms(self) -> int:
        return self._now

    def set_time(self, ms: int) -> None:
        """Move to ``ms``; time never goes backwards."""
        if ms < self._now:
            raise ValueError(f"simulated time cannot go backwards ({ms} < {self._now})")
        self._now = int(ms)

    def advance(self, seconds: float) -> None:
        self.set_time(self._now + int(seconds * 1000))

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)
