"""Streaming indicators: O(1) per update, no pandas on the hot path."""

from __future__ import annotations

import math


class SMA:
    """Simple moving average over the last ``period`` values (``value`` None until full).

    A running sum over a ring buffer, re-added exactly (``math.fsum``) each time the
    buffer wraps, so rounding error never accumulates.
    """

    __slots__ = ("_buf", "_count", "_i", "_sum", "period", "value")

    def __init__(self, period: int) -> None:
        if period < 1:
            raise ValueError(f"SMA period must be at least 1, got {period}")
        self.period = period
        self._buf = [0.0] * period
        self._i = 0
        self._count = 0
        self._sum = 0.0
        self.value: float | None = None

    def update(self, x: float) -> float | None:
        buf, i = self._buf, self._i
        self._sum += x - buf[i]
        buf[i] = x
        i += 1
        if i == self.period:
            i = 0
            self._sum = math.fsum(buf)
        self._i = i
        if self._count < self.period:
            self._count += 1
            if self._count < self.period:
                return None
        self.value = value = self._sum / self.period
        return value


class RSI:
    """Wilder's relative strength index over ``period`` changes (``value`` None until ready)."""

    __slots__ = ("_avg_gain", "_avg_loss", "_count", "_last", "period", "value")

    def __init__(self, period: int = 14) -> None:
        if period < 1:
            raise ValueError(f"RSI period must be at least 1, got {period}")
        self.period = period
        self._last: float | None = None
        self._avg_gain = 0.0
        self._avg_loss = 0.0
        self._count = 0
        self.value: float | None = None

    def update(self, x: float) -> float | None:
        if self._last is None:
            self._last = x
            return None
        change, self._last = x - self._last, x
        gain, loss = max(change, 0.0), max(-change, 0.0)
        n = self.period
        if self._count < n:
            self._count += 1
            self._avg_gain += gain / n
            self._avg_loss += loss / n
            if self._count < n:
                return None
        else:
            self._avg_gain = (self._avg_gain * (n - 1) + gain) / n
            self._avg_loss = (self._avg_loss * (n - 1) + loss) / n
        if self._avg_loss == 0.0:
            self.value = 100.0 if self._avg_gain > 0.0 else 50.0
        else:
            self.value = 100.0 - 100.0 / (1.0 + self._avg_gain / self._avg_loss)
        return self.value
