"""Bracket: an entry, then a take-profit and a stop-loss as one-cancels-the-other exits.

Child 0 is the entry (limit GTC at ``entry_price``, or market). Once it has
ended, the filled quantity is protected by a take-profit (GTC limit on the
book, child 1) and a stop-loss: native (a stop child resting on the venue) when
``native_stop``, otherwise emulated on the venue's last trade price (on
trigger, the take-profit is canceled and the rest sold at market). As soon as
either exit has a fill, the other is canceled (Binance's OCO rule). Pause
cancels the exits; resume sends them again for what is still open. The
parent's ``filled`` counts the entry only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from deltaworks_core.models import Order, Side
from deltaworks_exec.algos.base import AlgoContext, AlgoError, ParentOrder, ParentSpec
from deltaworks_exec.algos.triggers import MIN_POLL_S, Trigger
from deltaworks_exec.quantities import dec, to_step

ENTRY = 0


@dataclass(frozen=True, slots=True)
class BracketParams:
    take_profit: float
    stop_loss: float
    entry_price: float | None = None
    native_stop: bool = False
    poll_s: float = 1.0

    def __post_init__(self) -> None:
        prices = (self.take_profit, self.stop_loss, self.entry_price or 1.0)
        if not all(p > 0 for p in prices):
            raise ValueError("take_profit, stop_loss and entry_price must be positive")
        if not self.poll_s >= MIN_POLL_S:
            raise ValueError(f"poll_s must be at least {MIN_POLL_S}, got {self.poll_s}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BracketParams:
        return cls(**data)


class Bracket(ParentOrder):
    """Entry plus OCO exits."""

    algo = "bracket"

    def __init__(
        self, spec: ParentSpec, params: BracketParams, ctx: AlgoContext, start_ms: int | None = None
    ) -> None:
        super().__init__(spec, ctx, start_ms)
        buy = spec.side == "buy"
        if (
            (params.take_profit <= params.stop_loss)
            if buy
            else (params.take_profit >= params.stop_loss)
        ):
            raise AlgoError(
                f"a {spec.side} bracket needs take_profit {'above' if buy else 'below'} stop_loss"
            )
        self.bracket = params
        self.exit_side: Side = "sell" if buy else "buy"
        self.trigger = Trigger("stop_loss", self.exit_side, params.stop_loss)

    def params(self) -> dict[str, Any]:
        return asdict(self.bracket)

    def counted(self) -> list[Order]:
        return [o for o in self.children.values() if o.side == self.spec.side]

    def _exited(self) -> Decimal:
        exits = (o for o in self.children.values() if o.side == self.exit_side)
        return to_step(sum((dec(o.filled) for o in exits), Decimal(0)), self.rules.amount_increment)

    def exits(self, type_: str | None = None) -> list[Order]:
        """Exit children in sending order: ``limit`` take-profits, ``stop_loss`` native stops,
        ``market`` orders of a triggered emulated stop."""
        return [
            o
            for _, o in sorted(self.children.items())
            if o.side == self.exit_side and type_ in (None, o.type)
        ]

    async def execute(self) -> None:
        p = self.bracket
        if ENTRY not in self.children:
            entry_type = "market" if p.entry_price is None else "limit"
            tif = None if p.entry_price is None else "GTC"
            if await self.send(self.remaining, entry_type, p.entry_price, tif) is None:
                raise AlgoError("entry order rejected")
        while self.children[ENTRY].status == "open":
            await self.ctx.clock.sleep(p.poll_s)
            await self.refresh()
        quantity = self.filled
        if quantity <= 0:
            self.outcome = "entry ended unfilled"
            return
        await self._arm(quantity)
        await self._watch_exits(quantity)

    async def _arm(self, quantity: Decimal) -> None:
        """Send the exits that are missing: at the start, or on resume after a pause."""
        p = self.bracket
        rest = quantity - self._exited()
        if rest <= 0 or any(o.status == "open" for o in self.exits()):
            return
        if self.exits("market"):  # the emulated stop had fired: finish it
            await self.send(rest, "market", side=self.exit_side)
            return
        stopped = any(o.filled > 0 for o in self.exits("stop_loss"))
        if not stopped:
            await self.send(rest, "limit", p.take_profit, "GTC", side=self.exit_side)
        took_profit = any(o.filled > 0 for o in self.exits("limit"))
        if p.native_stop and not took_profit:
            await self.send(rest, "stop_loss", stop_price=p.stop_loss, side=self.exit_side)

    async def _watch_exits(self, quantity: Decimal) -> None:
        while True:
            await self.refresh()
            legs = self.exits()
            done = [leg for leg in legs if leg.filled > 0]
            native_stop = any(o.status == "open" for o in self.exits("stop_loss"))
            if done:
                for leg in legs:
                    if leg.status == "open" and leg not in done:
                        await self.cancel_child(leg)
                if all(leg.status != "open" for leg in done):
                    self.outcome = f"exit {done[-1].client_order_id} filled"
                    return
            elif not native_stop and self.trigger.observe(
                await self.ctx.venue.last_price(self.spec.symbol)
            ):
                await self.cancel_children()
                await self.refresh()
                rest = quantity - self._exited()
                if rest > 0:
                    await self.send(rest, "market", side=self.exit_side)
                self.outcome = "stop-loss triggered"
                return
            elif all(leg.status != "open" for leg in legs):
                self.outcome = "exits ended without a fill"
                return
            await self.ctx.clock.sleep(self.bracket.poll_s)
