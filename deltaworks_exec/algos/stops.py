"""Stop-loss, take-profit and trailing stop as parent orders.

Native where the venue has the order type (``native=True``, the default, and
not for trailing stops): one stop child rests on the venue, which triggers it
on its trade price. Otherwise, or when the venue answers ``NotSupported`` or
rejects the stop (e.g. it would trigger at once), the service emulates it:
it polls the venue's last trade price every ``poll_s`` and, when the trigger
fires, sends a market order (or a GTC limit at ``limit_price``). After a
restart a stop child already sent is adopted; an emulated trailing stop starts
following prices again from the restart. Pause cancels the resting stop (or
the order it became); resume arms the stop again (or re-sends that order for
what remains).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import ccxt

from deltaworks_exec.algos.base import AlgoContext, ParentOrder, ParentSpec
from deltaworks_exec.algos.triggers import MIN_POLL_S, StopKind, Trigger
from deltaworks_exec.venue import OrderType


@dataclass(frozen=True, slots=True)
class StopParams:
    kind: StopKind
    trigger_price: float | None = None
    trail_bps: float | None = None
    limit_price: float | None = None
    native: bool = True
    poll_s: float = 1.0

    def __post_init__(self) -> None:
        Trigger(self.kind, "sell", self.trigger_price, self.trail_bps)  # validates
        if not self.poll_s >= MIN_POLL_S:
            raise ValueError(f"poll_s must be at least {MIN_POLL_S}, got {self.poll_s}")
        if self.limit_price is not None and not self.limit_price > 0:
            raise ValueError(f"limit_price must be positive, got {self.limit_price}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StopParams:
        return cls(**data)


class StopOrder(ParentOrder):
    """A stop that becomes a market or limit order when its trigger fires."""

    algo = "stop"

    def __init__(
        self, spec: ParentSpec, params: StopParams, ctx: AlgoContext, start_ms: int | None = None
    ) -> None:
        super().__init__(spec, ctx, start_ms)
        self.stop = params
        self.trigger = Trigger(params.kind, spec.side, params.trigger_price, params.trail_bps)
        self.triggered_at: float | None = None

    def params(self) -> dict[str, Any]:
        return asdict(self.stop)

    def _fired(self) -> bool:
        """True once the stop has triggered: a fill, or an order sent after the trigger."""
        return any(o.filled > 0 or o.type in ("market", "limit") for o in self.children.values())

    async def execute(self) -> None:
        if self.open_children:
            pass  # resumed after a restart: the stop (or the order it became) still works
        elif not self._fired():
            if not await self._native():
                await self._emulate()
        elif self.remaining > 0:
            await self._after_trigger()  # resumed after a pause that canceled that order
        while True:
            await self.refresh()
            if not self.open_children:
                break
            await self.ctx.clock.sleep(self.stop.poll_s)
        if self.remaining > 0:
            self.outcome = f"ended with {self.remaining} left"

    async def _native(self) -> bool:
        p = self.stop
        if not p.native or p.kind == "trailing":
            return False
        type_: OrderType
        if p.kind == "stop_loss":
            type_ = "stop_loss_limit" if p.limit_price else "stop_loss"
        else:
            type_ = "take_profit_limit" if p.limit_price else "take_profit"
        tif = "GTC" if p.limit_price else None
        try:
            order = await self.send(
                self.remaining, type_, p.limit_price, tif, stop_price=p.trigger_price
            )
        except ccxt.NotSupported:
            return False
        return order is not None

    async def _emulate(self) -> None:
        p = self.stop
        while True:
            price = await self.ctx.venue.last_price(self.spec.symbol)
            if self.trigger.observe(price):
                break
            await self.ctx.clock.sleep(p.poll_s)
        self.triggered_at = price
        self.publish(f"triggered at {price} (level {self.trigger.level()})")
        await self._after_trigger()

    async def _after_trigger(self) -> None:
        p = self.stop
        if p.limit_price is None:
            await self.send(self.remaining, "market")
        else:
            await self.send(self.remaining, "limit", p.limit_price, "GTC")
