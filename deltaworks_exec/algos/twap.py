"""TWAP: equal slices over a duration, optionally randomised in size and time.

Sizes and times are drawn from a generator seeded by ``algo_id``, so a
restarted TWAP recomputes the very same schedule. Catch-up, limit, child
style and end behaviour are those of ``schedule.ScheduledOrder``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from deltaworks_exec.algos.base import AlgoContext, ParentSpec
from deltaworks_exec.algos.schedule import (
    MAX_SLICES,
    Execution,
    ScheduledOrder,
    Slice,
    check_duration,
    schedule_fields,
)
from deltaworks_exec.quantities import dec, to_step


@dataclass(frozen=True, slots=True)
class TwapParams:
    """``slices`` or ``interval_s`` (one of them); randomisation as a fraction (0..1)."""

    duration_s: float
    slices: int | None = None
    interval_s: float | None = None
    randomize_size: float = 0.0
    randomize_time: float = 0.0
    execution: Execution = field(default_factory=Execution)

    def __post_init__(self) -> None:
        check_duration(self.duration_s)
        if (self.slices is None) == (self.interval_s is None):
            raise ValueError("give exactly one of slices and interval_s")
        if self.slices is not None and self.slices < 1:
            raise ValueError(f"slices must be at least 1, got {self.slices!r}")
        if self.interval_s is not None and not 0 < self.interval_s <= self.duration_s:
            raise ValueError(f"interval_s must be in (0, duration_s], got {self.interval_s!r}")
        if self.count > MAX_SLICES:
            raise ValueError(f"at most {MAX_SLICES} slices, got {self.count}")
        for name in ("randomize_size", "randomize_time"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"{name} must be in [0, 1), got {getattr(self, name)!r}")

    @property
    def count(self) -> int:
        if self.slices is not None:
            return self.slices
        return max(1, int(self.duration_s // self.interval_s))  # type: ignore[operator]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TwapParams:
        return cls(**schedule_fields(data))


class Twap(ScheduledOrder):
    """Time-weighted average price."""

    algo = "twap"

    def __init__(
        self, spec: ParentSpec, params: TwapParams, ctx: AlgoContext, start_ms: int | None = None
    ) -> None:
        super().__init__(spec, params, ctx, start_ms)
        self.twap = params

    def adapt_plan(self, total: Decimal, minimum: Decimal) -> str | None:
        """Fewer slices when equal slices would be below the market's minimum child."""
        fits = int(total // minimum)
        if fits >= self.twap.count:
            return None
        before = self.twap.count
        self.twap = self.settings = replace(self.twap, slices=max(1, fits), interval_s=None)
        return f"slices reduced from {before} to {self.twap.count}: the smallest child is {minimum}"

    def schedule(self) -> list[Slice]:
        p = self.twap
        n = p.count
        rng = random.Random(self.spec.algo_id)
        interval_ms = p.duration_s * 1000 / n
        weights = [1 + p.randomize_size * rng.uniform(-1, 1) for _ in range(n)]
        jitter = [p.randomize_time * rng.uniform(-0.5, 0.5) for _ in range(n)]
        total = to_step(self.spec.quantity, self.rules.amount_increment)
        weight_sum = dec(sum(weights))
        slices = []
        cumulative = 0.0
        for i in range(n):
            cumulative += weights[i]
            offset = (i + (jitter[i] if i else 0.0)) * interval_ms
            share = total * dec(cumulative) / weight_sum
            target = total if i == n - 1 else to_step(share, self.rules.amount_increment)
            slices.append(Slice(self.start_ms + round(offset), target))
        return slices
