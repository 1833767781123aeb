"""The synthetic market around the user orders: quotes, public trades and klines.

Without a market model everything here is a pure function of (seed, exchange, symbol,
time): one trade per second at the process price, quote ladders on a fixed price grid
around the mid, and 1m klines aggregated from those trades. With one (see
``deltaworks_core.market_model``) trade sizes follow its volume curve, trades print at the
touch their aggressor takes, and the mid carries the impact of the orders received.
"""

from __future__ import annotations

import math

import numpy as np

from deltaworks_core.market_model import MarketModel

from .markets import Market
from .prices import PriceProcess, key, mix, mix_array
from .reaction import Impact, VolumeCurve

STEP_MS = 1000
LOT_NOTIONAL = 2_000.0  # quote value of a typical synthetic order
SIZE_BUCKET_STEPS = 10  # ladder sizes refresh every 10 s
MEAN_TRADE_LOTS = 0.27  # a trade is 5% to 49% of a lot


class Synthetic:
    """Synthetic market of one symbol on one exchange."""

    __slots__ = (
        "_k_flow",
        "_k_size",
        "_k_trade",
        "curve",
        "daily_volume",
        "gap",
        "impact",
        "inv_tick",
        "lot",
        "market",
        "model",
        "process",
    )

    def __init__(
        self, seed: int, exchange: str, market: Market, model: MarketModel | None = None
    ) -> None:
        self.market = market
        venue = exchange + (":perp" if market.linear else "")
        self.process = PriceProcess(seed, market.base, venue, market.ref_price)
        self.inv_tick = 1.0 / float(market.tick)
        self.lot = max(1, int(LOT_NOTIONAL / market.ref_price / float(market.step)))
        self.gap = max(1, round(market.ref_price * 0.00002 * self.inv_tick))
        self._k_size = key(seed, exchange, market.symbol, "size")
        self._k_trade = key(seed, exchange, market.symbol, "trade")
        self._k_flow = key(seed, exchange, market.symbol, "flow")
        self.daily_volume = self.lot * MEAN_TRADE_LOTS * 86_400  # steps
        self.model = model
        burst_key = key(seed, exchange, market.symbol, "burst")
        self.curve = VolumeCurve(model, burst_key) if model else None
        self.impact = Impact(model, self.daily_volume) if model else None

    def mid(self, t_ms: int) -> float:
        """Mid price in (fractional) ticks."""
        mid = self.process.price(t_ms) * self.inv_tick
        return mid * math.exp(self.impact.log_at(t_ms)) if self.impact else mid

    def undisturbed_mid(self, t_ms: int) -> float:
        """The mid without the impact of the orders received (what it would have been)."""
        return self.process.price(t_ms) * self.inv_tick

    @staticmethod
    def half_spread(mid: float) -> float:
        return max(1.0, mid * 0.00003)

    def trade(self, step: int) -> tuple[int, int, bool]:
        """The synthetic trade at the start of ``step``: (price ticks, qty steps, buyer maker)."""
        h = mix(self._k_trade ^ step)
        buyer_maker = bool(h >> 63)
        mid = self.mid(step * STEP_MS)
        if self.curve is None:
            return round(mid), max(1, self.lot * (5 + h % 45) // 100), buyer_maker
        size = self.lot * (5 + h % 45) / 100 * self.curve.factor(step * STEP_MS)
        half = self.half_spread(mid)
        price = math.floor(mid - half) if buyer_maker else math.ceil(mid + half)
        return price, max(1, round(size)), buyer_maker

    def trades_at(self, steps: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``trade`` of every step of a sorted int64 array: (prices, quantities, buyer maker)."""
        h = mix_array(np.uint64(self._k_trade) ^ steps.astype(np.uint64))
        buyer_maker = (h >> np.uint64(63)).astype(bool)
        lots = 5 + (h % np.uint64(45)).astype(np.int64)
        if self.curve is None:
            qty = np.maximum(1, self.lot * lots // 100)
            return self.ticks_at(steps), qty, buyer_maker
        qty = np.maximum(1, np.rint(self.lot * lots / 100 * self.curve.factors(steps * STEP_MS)))
        mid = self._mids(steps)
        half = np.maximum(1.0, mid * 0.00003)
        prices = np.where(buyer_maker, np.floor(mid - half), np.ceil(mid + half))
        return prices.astype(np.int64), qty.astype(np.int64), buyer_maker

    def _mids(self, steps: np.ndarray) -> np.ndarray:
        t_ms = steps * STEP_MS
        mid = self.process.prices(t_ms) * self.inv_tick
        return mid * np.exp(self.impact.log_array(t_ms)) if self.impact else mid

    def ticks_at(self, steps: np.ndarray) -> np.ndarray:
        """The mid in ticks at the start of every step of a sorted int64 array."""
        return np.rint(self._mids(steps)).astype(np.int64)

    def flow(self, step: int) -> int:
        """Steps of quantity the market trades through a crossed resting order in ``step``."""
        flow = self.lot * (30 + mix(self._k_flow ^ step) % 120) // 100
        if self.curve is not None:
            flow = round(flow * self.curve.factor(step * STEP_MS))
        return max(1, flow)

    def _sizes(self, prices: np.ndarray, bucket: int) -> np.ndarray:
        """Quantity in steps of every level of a ladder (``prices`` best first): a hash of
        the price and the 10 s bucket, deeper levels larger."""
        h = mix_array(
            np.uint64(self._k_size)
            ^ mix_array(prices.astype(np.uint64) * np.uint64(1_000_003) ^ np.uint64(bucket))
        )
        depth_factor = 1 + np.arange(len(prices), dtype=np.int64) // 10
        return np.maximum(
            1, self.lot * (20 + (h % np.uint64(180)).astype(np.int64)) // 100 * depth_factor
        )

    def _ladder(self, prices: np.ndarray, bucket: int) -> list[list[int]]:
        return np.column_stack((prices, self._sizes(prices, bucket))).tolist()

    def ladders(self, step: int, levels: int) -> tuple[list[list[int]], list[list[int]]]:
        """Bid and ask ladders ``[[price ticks, qty steps], ...]`` best first."""
        mid = self.mid(step * STEP_MS)
        half = self.half_spread(mid)
        bid0 = max(1, math.floor(mid - half))
        ask0 = max(bid0 + 1, math.ceil(mid + half))
        bucket = step // SIZE_BUCKET_STEPS
        gap = self.gap
        deeper = np.arange(1, levels, dtype=np.int64)
        bid_prices = ((bid0 - 1) // gap - deeper + 1) * gap
        bid_prices = np.concatenate(([bid0], bid_prices[bid_prices > 0]))
        ask_prices = np.concatenate(([ask0], (ask0 // gap + deeper) * gap))
        return self._ladder(bid_prices, bucket), self._ladder(ask_prices, bucket)

    def kline(self, minute: int, last_step: int) -> tuple | None:
        """1m kline (open, high, low, close, volume, quote volume, trades, taker buy volume,
        taker buy quote volume) from the synthetic trades of ``minute`` up to ``last_step``."""
        first = minute * 60_000 // STEP_MS
        end = min(first + 60_000 // STEP_MS, last_step + 1)
        if end <= first:
            return None
        o = h = lo = c = 0
        vol = qvol = tb = tbq = 0
        for step in range(first, end):
            price, qty, buyer_maker = self.trade(step)
            if step == first:
                o = h = lo = price
            h = max(h, price)
            lo = min(lo, price)
            c = price
            vol += qty
            qvol += qty * price
            if not buyer_maker:
                tb += qty
                tbq += qty * price
        return o, h, lo, c, vol, qvol, end - first, tb, tbq
