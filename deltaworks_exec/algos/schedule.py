"""Scheduled parent orders (TWAP, VWAP): a list of slices, each a time and a cumulative target.

At each slice the parent sends what is due: the slice's cumulative target
minus what is filled (catch-up when behind), capped by ``cap_room`` (VWAP's
participation cap against the live volume; the end order too), sized by
``quantities.child_amount``. Children are
either aggressive (IOC limit at the touch widened by ``aggression_bps``) or
passive (GTC limit at the own side's best, canceled at the next slice); style
``auto`` chooses by urgency: passive while the parent is on schedule (nothing due
beyond the slice's own share), aggressive once it is behind (what a passive child
left) and for the last slice. The
limit price caps every child; a slice whose touch is beyond the limit sends
nothing. At the end the rest is finished with a market order (or an IOC at
the limit price when one is set) or left, as ``end`` says. After a restart,
slices whose successor is already due are skipped: the next one catches up.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any, Literal, Protocol

from deltaworks_exec.algos.base import AlgoContext, ParentOrder, ParentSpec
from deltaworks_exec.quantities import child_amount, is_dust

MAX_SLICES = 10_000
MAX_DURATION_S = 7 * 86_400
Style = Literal["aggressive", "passive", "auto"]
End = Literal["market", "leave"]


@dataclass(frozen=True, slots=True)
class Slice:
    """When to act and what should be done by then."""

    time_ms: int
    target: Decimal


@dataclass(frozen=True, slots=True)
class Execution:
    """How children are priced and how the parent ends (shared by TWAP and VWAP)."""

    limit_price: float | None = None
    style: Style = "aggressive"
    aggression_bps: float = 5.0
    end: End = "market"

    def __post_init__(self) -> None:
        if self.style not in ("aggressive", "passive", "auto"):
            raise ValueError(f"style must be 'aggressive', 'passive' or 'auto', got {self.style!r}")
        if self.end not in ("market", "leave"):
            raise ValueError(f"end must be 'market' or 'leave', got {self.end!r}")
        if self.limit_price is not None and not self.limit_price > 0:
            raise ValueError(f"limit_price must be positive, got {self.limit_price!r}")


def check_duration(duration_s: float) -> None:
    """A scheduled order lasts (0, ``MAX_DURATION_S``] seconds."""
    if not 0 < duration_s <= MAX_DURATION_S:
        raise ValueError(f"duration_s must be in (0, {MAX_DURATION_S}], got {duration_s!r}")


def schedule_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Parameters of a scheduled order from JSON: ``execution`` becomes an ``Execution``."""
    fields = dict(data)
    fields["execution"] = Execution(**fields.get("execution", {}))
    return fields


class ScheduleParams(Protocol):
    """What every scheduled order's parameters carry (a dataclass: TWAP's, VWAP's)."""

    @property
    def duration_s(self) -> float: ...

    @property
    def execution(self) -> Execution: ...


class ScheduledOrder(ParentOrder):
    """A parent order that follows a schedule of slices for ``duration_s`` from its start."""

    def __init__(
        self,
        spec: ParentSpec,
        settings: ScheduleParams,
        ctx: AlgoContext,
        start_ms: int | None = None,
    ) -> None:
        super().__init__(spec, ctx, start_ms)
        self.settings = settings
        self.execution = settings.execution
        self.end_ms = self.start_ms + round(settings.duration_s * 1000)

    def params(self) -> dict[str, Any]:
        return asdict(self.settings)  # type: ignore[call-overload]  # a dataclass

    @abstractmethod
    def schedule(self) -> list[Slice]:
        """The slices, a pure function of the parameters, ``algo_id`` and ``start_ms``."""

    async def execute(self) -> None:
        slices = self.schedule()
        previous = Decimal(0)
        for i, current in enumerate(slices):
            later = slices[i + 1] if i + 1 < len(slices) else None
            if later is not None and later.time_ms <= self.ctx.clock.now_ms():
                continue  # resumed late: a later slice catches up
            await self.sleep_until(current.time_ms)
            await self.refresh()
            await self.cancel_children()
            await self.observe_market()
            target = self.live_target(i, slices)
            self.target = target
            due = target - self.filled
            room = self.cap_room()
            if room is not None:
                due = min(due, room)
            on_schedule = later is not None and due <= target - previous
            await self._work(due, passive=self._passive(on_schedule))
            previous = target
        await self.sleep_until(self.end_ms)
        await self.refresh()
        await self.cancel_children()
        await self.observe_market()
        await self._finish()

    async def observe_market(self) -> None:
        """Read what the market did since the last look, once per slice and before the end
        order (VWAP: the volume it traded), for ``live_target`` and ``cap_room``."""

    def live_target(self, index: int, slices: list[Slice]) -> Decimal:
        """What should be filled by the end of slice ``index``: the schedule's target (VWAP
        with ``live`` re-plans it from the volume the market traded so far)."""
        return slices[index].target

    def cap_room(self) -> Decimal | None:
        """How much more may be filled now under a participation cap (``None``: no cap)."""
        return None

    def _beyond_limit(self, price: float) -> bool:
        limit = self.execution.limit_price
        if limit is None:
            return False
        return price > limit if self.spec.side == "buy" else price < limit

    def _passive(self, on_schedule: bool) -> bool:
        """Whether this slice's child rests at the own side (style, or urgency for auto)."""
        style = self.execution.style
        return style == "passive" or (style == "auto" and on_schedule)

    async def _work(self, due: Decimal, passive: bool) -> None:
        if due <= 0:
            return
        book = await self.ctx.venue.order_book(self.spec.symbol, depth=1)
        if not book.bids or not book.asks:
            return
        buy = self.spec.side == "buy"
        touch = book.asks[0][0] if buy else book.bids[0][0]
        if self._beyond_limit(touch):
            self.publish(f"slice skipped: touch {touch} beyond limit")
            return
        amount = child_amount(due, self.remaining, self.rules, touch)
        if amount <= 0:
            return
        limit = self.execution.limit_price
        if passive:
            price = book.bids[0][0] if buy else book.asks[0][0]
            await self.send(amount, "limit", price, "GTC")
            return
        sign = 1 if buy else -1
        price = touch * (1 + sign * self.execution.aggression_bps / 10_000)
        if limit is not None:
            price = min(price, limit) if buy else max(price, limit)
        await self.send(amount, "limit", price, "IOC")

    async def _finish(self) -> None:
        remaining = self.remaining
        if remaining <= 0:
            return
        room = self.cap_room()
        amount = remaining if room is None else min(remaining, room)
        price = await self.reference_price()
        if self.execution.end == "leave" or is_dust(amount, self.rules, price):
            self.outcome = f"ended with {remaining} left"
            return
        limit = self.execution.limit_price
        if limit is None:
            await self.send(amount, "market")
        elif not self._beyond_limit(price):
            await self.send(amount, "limit", limit, "IOC")
        await self.refresh()
        if self.remaining > 0:
            self.outcome = f"ended with {self.remaining} left"
