"""When a stop-loss, take-profit or trailing stop fires, from the side of its order.

A sell stop-loss fires when the price falls to the trigger, a sell
take-profit when it rises to it; buys the other way round. A trailing stop
follows the best price since it started by ``trail_bps`` and fires when the
price comes back that far.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from deltaworks_core.models import Side

StopKind = Literal["stop_loss", "take_profit", "trailing"]
MIN_POLL_S = 0.05  # price polling of emulated orders, at most 20 times a second


def fires_on_fall(kind: StopKind, side: Side) -> bool:
    """True when the stop fires on a falling price."""
    return (side == "sell") == (kind in ("stop_loss", "trailing"))


@dataclass(slots=True)
class Trigger:
    """A trigger level, moved along by a trailing stop as prices are observed."""

    kind: StopKind
    side: Side
    price: float | None = None
    trail_bps: float | None = None
    best: float | None = field(default=None)

    def __post_init__(self) -> None:
        if self.kind not in ("stop_loss", "take_profit", "trailing"):
            raise ValueError(f"kind must be stop_loss, take_profit or trailing, got {self.kind!r}")
        if self.kind == "trailing":
            if self.trail_bps is None or not self.trail_bps > 0:
                raise ValueError("a trailing stop needs a positive trail_bps")
        elif self.price is None or not self.price > 0:
            raise ValueError(f"a {self.kind} needs a positive trigger price")

    def level(self) -> float | None:
        """The current trigger price (None for a trailing stop before its first price)."""
        if self.kind != "trailing":
            return self.price
        if self.best is None or self.trail_bps is None:
            return None
        sign = -1 if fires_on_fall(self.kind, self.side) else 1
        return self.best * (1 + sign * self.trail_bps / 10_000)

    def observe(self, price: float) -> bool:
        """Take one trade price; True when it fires."""
        fall = fires_on_fall(self.kind, self.side)
        better = self.best is None or (price > self.best if fall else price < self.best)
        if self.kind == "trailing" and better:
            self.best = price
        level = self.level()
        return level is not None and (price <= level if fall else price >= level)
