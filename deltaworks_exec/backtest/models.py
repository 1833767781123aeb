"""Execution cost models of a backtest: fees, slippage (book depth around the price), latency.

Slippage is modelled as the book a market order walks: ``DepthSlippage`` puts
``levels`` price levels ``level_bps`` apart behind a half spread, each holding
``level_notional`` of quote value, so a large order pays more and may fill only
partly; ``FixedSlippage`` is one bottomless level ``bps`` away from the price.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FeeModel:
    """Maker and taker fee rates in basis points of the notional."""

    maker_bps: float = 10.0
    taker_bps: float = 10.0

    def __post_init__(self) -> None:
        if self.maker_bps < 0 or self.taker_bps < 0:
            raise ValueError(f"fees must not be negative: {self}")

    def ppm(self) -> tuple[int, int]:
        """(maker, taker) in millionths, as the simulator's engine counts them."""
        return round(self.maker_bps * 100), round(self.taker_bps * 100)


@dataclass(frozen=True, slots=True)
class DepthSlippage:
    """A synthetic book around the reference price: spread, level spacing and level size."""

    half_spread_bps: float = 1.0
    level_bps: float = 1.0
    level_notional: float = 25_000.0
    levels: int = 20

    def __post_init__(self) -> None:
        if self.half_spread_bps < 0 or self.level_bps <= 0:
            raise ValueError(f"spread must be >= 0 and level spacing > 0: {self}")
        if self.level_notional <= 0 or self.levels < 1:
            raise ValueError(f"levels need a positive size and count: {self}")

    def ladders(
        self, price: float, tick: float, step: float
    ) -> tuple[list[list[int]], list[list[int]]]:
        """(bids, asks) as ``[[price ticks, qty steps], ...]`` best first."""
        size = max(1, int(self.level_notional / price / step))
        bids: list[list[int]] = []
        asks: list[list[int]] = []
        for i in range(self.levels):
            offset = (self.half_spread_bps + i * self.level_bps) / 10_000
            bid = math.floor(price * (1 - offset) / tick + 1e-9)
            ask = math.ceil(price * (1 + offset) / tick - 1e-9)
            if bid > 0 and (not bids or bid < bids[-1][0]):
                bids.append([bid, size])
            if not asks or ask > asks[-1][0]:
                asks.append([ask, size])
        return bids, asks


@dataclass(frozen=True, slots=True)
class FixedSlippage:
    """Every market order fills in full ``bps`` away from the reference price."""

    bps: float = 0.0

    def __post_init__(self) -> None:
        if self.bps < 0:
            raise ValueError(f"slippage must not be negative, got {self.bps} bps")

    def ladders(
        self, price: float, tick: float, step: float
    ) -> tuple[list[list[int]], list[list[int]]]:
        unlimited = 1 << 62
        offset = self.bps / 10_000
        bid = max(1, math.floor(price * (1 - offset) / tick + 1e-9))
        ask = math.ceil(price * (1 + offset) / tick - 1e-9)
        return [[bid, unlimited]], [[ask, unlimited]]


SlippageModel = DepthSlippage | FixedSlippage


@dataclass(frozen=True, slots=True)
class Latency:
    """Time between the strategy's decision and the venue acting on it (orders and cancels)."""

    order_ms: int = 0

    def __post_init__(self) -> None:
        if self.order_ms < 0:
            raise ValueError(f"latency must not be negative, got {self.order_ms} ms")
