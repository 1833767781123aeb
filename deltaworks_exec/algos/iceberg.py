"""Iceberg: a large limit order shown a small part at a time.

One child rests at a time, never larger than the display quantity (with
``randomize_display`` each shown part is drawn below it, seeded by the child's
client id, so a restart shows the same sizes). When the shown part is filled
(or ends otherwise), the next one is placed. A remainder below the venue's
minimum is folded in by showing a little less before it; a parent whose rest
cannot be shown within the display quantity ends with it left.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from deltaworks_exec.algos.base import AlgoContext, AlgoError, ParentOrder, ParentSpec
from deltaworks_exec.algos.triggers import MIN_POLL_S
from deltaworks_exec.quantities import minimum_amount, to_step


@dataclass(frozen=True, slots=True)
class IcebergParams:
    price: float
    display: float
    randomize_display: float = 0.0
    poll_s: float = 1.0

    def __post_init__(self) -> None:
        if not self.price > 0 or not self.display > 0:
            raise ValueError("price and display must be positive")
        if not 0 <= self.randomize_display < 1:
            raise ValueError(f"randomize_display must be in [0, 1), got {self.randomize_display}")
        if not self.poll_s >= MIN_POLL_S:
            raise ValueError(f"poll_s must be at least {MIN_POLL_S}, got {self.poll_s}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IcebergParams:
        return cls(**data)


class Iceberg(ParentOrder):
    """Shows at most ``display`` of the parent on the book."""

    algo = "iceberg"

    def __init__(
        self, spec: ParentSpec, params: IcebergParams, ctx: AlgoContext, start_ms: int | None = None
    ) -> None:
        super().__init__(spec, ctx, start_ms)
        self.iceberg = params
        self.minimum = minimum_amount(self.rules, params.price)
        if to_step(params.display, self.rules.amount_increment) < self.minimum:
            raise AlgoError(f"display {params.display} is below the venue minimum {self.minimum}")

    def params(self) -> dict[str, Any]:
        return asdict(self.iceberg)

    def shown(self, n: int) -> Decimal:
        """The size of the ``n``-th shown part (before the parent's remainder caps it)."""
        p = self.iceberg
        draw = random.Random(self.client_id(n)).random() if p.randomize_display else 0.0
        size = to_step(p.display * (1 - p.randomize_display * draw), self.rules.amount_increment)
        return max(size, self.minimum)

    async def execute(self) -> None:
        p = self.iceberg
        while True:
            await self.refresh()
            remaining = self.remaining
            if not self.open_children:
                if remaining <= 0:
                    return
                amount = min(self.shown(self.next_child), remaining)
                if 0 < remaining - amount < self.minimum:
                    amount = remaining - self.minimum
                if amount < self.minimum:
                    self.outcome = f"ended with {remaining} left: below the display's minimum"
                    return
                await self.send(amount, "limit", p.price, "GTC")
                continue
            await self.ctx.clock.sleep(p.poll_s)
