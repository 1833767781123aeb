"""Clocks: a simulated clock that moves only when told, and wall time."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time in epoch milliseconds."""

    def now_ms(self) -> int: ...


class SimClock:
    """A clock that moves only through ``set_time`` / ``advance``."""

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


class WallClock:
    """Wall time (server mode)."""

    def now_ms(self) -> int:
        return int(time.time() * 1000)
