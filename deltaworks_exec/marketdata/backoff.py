"""Exponential reconnect delays that start over after a success."""

from __future__ import annotations

import random


class Backoff:
    """``initial_s``, doubling after every failure up to ``max_s``, with up to 20 % jitter."""

    def __init__(self, initial_s: float, max_s: float) -> None:
        self._initial_s = initial_s
        self._max_s = max_s
        self._next_s = initial_s

    def next_delay(self) -> float:
        """The delay before the next attempt; the one after it doubles."""
        delay = self._next_s
        self._next_s = min(self._next_s * 2, self._max_s)
        return delay * (1 + random.random() * 0.2)

    def reset(self) -> None:
        """A connection worked: the next failure waits ``initial_s`` again."""
        self._next_s = self._initial_s
