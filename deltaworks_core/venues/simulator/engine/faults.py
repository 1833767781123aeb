"""Per-exchange transport policy: injected faults and the request-weight window
(each dialect weighs its own requests)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

DEFAULT_WEIGHT_LIMIT = 600_000  # per minute; real exchanges allow far less: tests never hit it


@dataclass(slots=True)
class Faults:
    """What goes wrong on purpose; rates are probabilities per request."""

    latency_ms: int = 0
    error_rate: float = 0.0  # HTTP 5xx
    timeout_rate: float = 0.0  # the response never comes (the client times out)
    burst_429: int = 0  # the next N requests answer HTTP 429
    drop_order_response: float = 0.0  # order placed, then the response is never sent
    timeout_delay_ms: int = 15_000  # how long a "timed out" request hangs before closing


@dataclass(slots=True)
class Transport:
    """Fault decisions (seeded, so a run is repeatable) and the request-weight window."""

    seed: int
    faults: Faults = field(default_factory=Faults)
    weight_limit: int = DEFAULT_WEIGHT_LIMIT
    _rng: random.Random = field(init=False)
    _minute: int = -1
    _used: int = 0

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def set_faults(self, **changes: float | int | bool) -> Faults:
        """Change some fault settings (``latency_ms=...``, ``error_rate=...``, ...)."""
        for name, value in changes.items():
            if not hasattr(self.faults, name):
                raise ValueError(f"unknown fault {name!r}; known: {', '.join(Faults.__slots__)}")
            setattr(self.faults, name, float(value) if name == "drop_order_response" else value)
        return self.faults

    def roll(self, rate: float) -> bool:
        return rate > 0 and self._rng.random() < rate

    def take_burst(self) -> bool:
        """True (and one fewer left) while a 429 burst is running."""
        if self.faults.burst_429 > 0:
            self.faults.burst_429 -= 1
            return True
        return False

    def spend(self, weight: int, minute: int) -> tuple[bool, int]:
        """Count ``weight`` in the current minute; (allowed, weight used this minute)."""
        if minute != self._minute:
            self._minute, self._used = minute, 0
        if self._used + weight > self.weight_limit:
            return False, self._used
        self._used += weight
        return True, self._used
