"""VWAP: slices follow a historical intraday volume profile, with a participation cap.

The profile (average volume per bucket at this time of day over the last N
days, ``oms.volume_profile.load_profile``) is fixed at creation and persisted with the
parameters, so a restarted VWAP follows the same schedule. Slices every
``slice_s`` seconds aim at the profile's cumulative share by the slice's end.
``participation`` caps the parent's fills at that share of the volume the market
actually traded since the start (``p / (1 - p)`` of the others' volume, read from the
venue's public trades less the parent's own fills, as POV counts it): each slice and
the end order send at most what keeps it there, so what the cap holds back is caught
up by later slices when the market trades more, or left over at the end (a child may
exceed it by the market's minimum order: a remainder below it is sent along). With
``live`` the targets follow the market's actual volume: at each slice the share due is
(volume traded so far + the profile's volume for the slice) over (volume traded so far +
the profile's volume for the rest), the volume traded read the same way; a burst is
joined when it happens instead of being spread over the interval. Limit, child style and
end behaviour as in ``schedule``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
from deltaworks_exec.algos.tape import TapeVolume
from deltaworks_exec.quantities import dec, to_step


@dataclass(frozen=True, slots=True)
class VwapParams:
    """``volumes``: expected market volume per ``bucket_s`` bucket, covering ``duration_s``."""

    duration_s: float
    volumes: tuple[float, ...]
    bucket_s: int = 60
    slice_s: float | None = None
    participation: float | None = None
    live: bool = False
    execution: Execution = field(default_factory=Execution)

    def __post_init__(self) -> None:
        check_duration(self.duration_s)
        if not self.bucket_s > 0:
            raise ValueError(f"bucket_s must be positive, got {self.bucket_s!r}")
        buckets = -(-round(self.duration_s * 1000) // (self.bucket_s * 1000))
        if len(self.volumes) != buckets:
            raise ValueError(
                f"volumes must have one entry per {self.bucket_s} s bucket of the duration "
                f"({buckets}), got {len(self.volumes)}"
            )
        if any(v < 0 for v in self.volumes) or sum(self.volumes) <= 0:
            raise ValueError("volumes must be non-negative with a positive sum")
        if self.participation is not None and not 0 < self.participation <= 1:
            raise ValueError(f"participation must be in (0, 1], got {self.participation!r}")
        if self.slice_s is not None and not 0 < self.slice_s <= self.duration_s:
            raise ValueError(f"slice_s must be in (0, duration_s], got {self.slice_s!r}")
        if self.duration_s / (self.slice_s or self.bucket_s) > MAX_SLICES:
            raise ValueError(f"at most {MAX_SLICES} slices: use a longer slice_s")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VwapParams:
        fields = schedule_fields(data)
        fields["volumes"] = tuple(fields["volumes"])
        return cls(**fields)


class Vwap(ScheduledOrder):
    """Volume-weighted average price."""

    algo = "vwap"

    def __init__(
        self, spec: ParentSpec, params: VwapParams, ctx: AlgoContext, start_ms: int | None = None
    ) -> None:
        super().__init__(spec, params, ctx, start_ms)
        self.vwap = params
        tape = params.live or params.participation is not None
        self.tape = TapeVolume(ctx.venue, spec.symbol, self.start_ms) if tape else None

    def expected_volume(self, from_ms: int, to_ms: int) -> float:
        """Profile volume expected between two offsets from the start (uniform in a bucket)."""
        bucket_ms = self.vwap.bucket_s * 1000
        total = 0.0
        for i, volume in enumerate(self.vwap.volumes):
            lo, hi = max(from_ms, i * bucket_ms), min(to_ms, (i + 1) * bucket_ms)
            if hi > lo:
                total += volume * (hi - lo) / bucket_ms
        return total

    def schedule(self) -> list[Slice]:
        p = self.vwap
        duration_ms = self.end_ms - self.start_ms
        slice_ms = round((p.slice_s or p.bucket_s) * 1000)
        total = to_step(self.spec.quantity, self.rules.amount_increment)
        step = self.rules.amount_increment
        all_volume = dec(sum(p.volumes))
        slices = []
        for offset in range(0, duration_ms, slice_ms):
            end = min(offset + slice_ms, duration_ms)
            share = dec(self.expected_volume(0, end)) / all_volume
            target = total if end == duration_ms else to_step(total * share, step)
            slices.append(Slice(self.start_ms + offset, target))
        return slices

    async def observe_market(self) -> None:
        if self.tape is not None:
            await self.tape.update()

    def cap_room(self) -> Decimal | None:
        """What the participation cap still allows against the market's volume so far."""
        p = self.vwap.participation
        if p is None or p >= 1 or self.tape is None:
            return None
        filled = self.filled
        others = max(0.0, self.tape.volume - float(filled))
        allowed = to_step(dec(p / (1 - p) * others), self.rules.amount_increment)
        return max(Decimal(0), allowed - filled)

    def live_target(self, index: int, slices: list[Slice]) -> Decimal:
        current = slices[index]
        if self.tape is None or index + 1 == len(slices):
            return current.target
        traded = max(0.0, self.tape.volume - float(self.filled))
        now = current.time_ms - self.start_ms
        ahead = self.expected_volume(now, slices[index + 1].time_ms - self.start_ms)
        rest = self.expected_volume(now, self.end_ms - self.start_ms)
        if traded + rest <= 0:
            return current.target
        total = to_step(self.spec.quantity, self.rules.amount_increment)
        share = dec((traded + ahead) / (traded + rest))
        return min(total, to_step(total * share, self.rules.amount_increment))
