"""POV (percentage of volume): trade a fixed share of the market's live volume.

Every ``interval_s`` the parent reads the public trades since its last look (each counted
once, by trade id) and sends what keeps its fills at ``participation`` of all the volume
since its start: with ``others`` the market's volume less its own fills, the target is
``participation / (1 - participation) * others``. Children are IOC limits at the touch
widened by ``aggression_bps`` (capped by ``limit_price``). It ends when filled or after
``duration_s``, then leaves the rest or finishes it at market (``end``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from deltaworks_exec.algos.base import AlgoContext, ParentOrder, ParentSpec
from deltaworks_exec.algos.schedule import End, check_duration
from deltaworks_exec.algos.tape import TapeVolume
from deltaworks_exec.quantities import child_amount, dec, to_step

MAX_PARTICIPATION = 0.5


@dataclass(frozen=True, slots=True)
class PovParams:
    """Share of the volume to take, for at most ``duration_s``."""

    participation: float
    duration_s: float
    interval_s: float = 5.0
    limit_price: float | None = None
    aggression_bps: float = 5.0
    end: End = "leave"

    def __post_init__(self) -> None:
        check_duration(self.duration_s)
        if not 0 < self.participation <= MAX_PARTICIPATION:
            raise ValueError(
                f"participation must be in (0, {MAX_PARTICIPATION}], got {self.participation!r}"
            )
        if not 0 < self.interval_s <= self.duration_s:
            raise ValueError(f"interval_s must be in (0, duration_s], got {self.interval_s!r}")
        if self.limit_price is not None and not self.limit_price > 0:
            raise ValueError(f"limit_price must be positive, got {self.limit_price!r}")
        if self.aggression_bps < 0:
            raise ValueError(f"aggression_bps must not be negative, got {self.aggression_bps!r}")
        if self.end not in ("market", "leave"):
            raise ValueError(f"end must be 'market' or 'leave', got {self.end!r}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PovParams:
        return cls(**data)


class Pov(ParentOrder):
    """Percentage of volume."""

    algo = "pov"

    def __init__(
        self, spec: ParentSpec, params: PovParams, ctx: AlgoContext, start_ms: int | None = None
    ) -> None:
        super().__init__(spec, ctx, start_ms)
        self.pov = params
        self.end_ms = self.start_ms + round(params.duration_s * 1000)
        self.tape = TapeVolume(ctx.venue, spec.symbol, self.start_ms)

    def params(self) -> dict[str, Any]:
        return asdict(self.pov)

    @property
    def market_volume(self) -> float:
        """Every print since the start, ours included."""
        return self.tape.volume

    def due(self, filled: Decimal, remaining: Decimal) -> Decimal:
        """What to send now to be back at the target share of the volume."""
        p = self.pov.participation
        others = max(0.0, self.market_volume - float(filled))
        target = to_step(dec(p / (1 - p) * others), self.rules.amount_increment)
        self.target = min(target, filled + remaining)
        return min(target - filled, remaining)

    async def execute(self) -> None:
        now = self.ctx.clock.now_ms()
        while self.remaining > 0 and now < self.end_ms:
            await self.sleep_until(min(now + round(self.pov.interval_s * 1000), self.end_ms))
            await self.refresh()
            await self.tape.update()
            filled = self.filled
            remaining = to_step(dec(self.spec.quantity), self.rules.amount_increment) - filled
            await self._work(self.due(filled, remaining), remaining)
            now = self.ctx.clock.now_ms()
        await self.refresh()
        await self._finish()

    async def _work(self, due: Decimal, remaining: Decimal) -> None:
        if due <= 0:
            return
        book = await self.ctx.venue.order_book(self.spec.symbol, depth=1)
        buy = self.spec.side == "buy"
        levels = book.asks if buy else book.bids
        if not levels:
            return
        touch = levels[0][0]
        limit = self.pov.limit_price
        if limit is not None and (touch > limit if buy else touch < limit):
            return
        amount = child_amount(due, remaining, self.rules, touch)
        if amount <= 0:
            return
        price = touch * (1 + (1 if buy else -1) * self.pov.aggression_bps / 10_000)
        if limit is not None:
            price = min(price, limit) if buy else max(price, limit)
        await self.send(amount, "limit", price, "IOC")

    async def _finish(self) -> None:
        if self.remaining <= 0:
            return
        if self.pov.end == "market":
            await self.send(self.remaining, "market")
            await self.refresh()
        if self.remaining > 0:
            self.outcome = f"ended with {self.remaining} left"
