"""OKX's per-endpoint rate limits: N requests per window, per IP (public) or per user.

A request over the limit is answered HTTP 429 with code 50011 ("Too Many Requests").
``scale`` multiplies every limit; tests and benchmarks that are not about rate limits
raise it through the engine's transport (``engine.set_rate_limit``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Limit:
    requests: int
    window_ms: int


def per_2s(n: int) -> Limit:
    return Limit(n, 2_000)


def per_s(n: int) -> Limit:
    return Limit(n, 1_000)


@dataclass
class RateLimiter:
    """Sliding windows of request times, one per (caller, endpoint)."""

    scale: float = 1.0
    _seen: dict[tuple[str, str], deque[int]] = field(default_factory=dict)

    def allow(self, caller: str, endpoint: str, limit: Limit, now_ms: int, cost: int = 1) -> bool:
        """Count ``cost`` requests of ``caller`` to ``endpoint`` at ``now_ms``; False if over."""
        times = self._seen.setdefault((caller, endpoint), deque())
        start = now_ms - limit.window_ms
        while times and times[0] <= start:
            times.popleft()
        if len(times) + cost > limit.requests * self.scale:
            return False
        times.extend([now_ms] * cost)
        return True
