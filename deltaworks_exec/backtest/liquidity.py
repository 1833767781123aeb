"""Recorded market data in place of the simulator's synthetic market.

The simulator's engine asks a market's liquidity source for the trade at the
start of each second (``trade``), the volume that can trade through resting
orders in that second (``flow``), the quote ladders (``ladders``) and the mid
(``mid``). ``ReplayLiquidity`` answers from a recorded tape, as a function of
time and only from data at or before that time (no look-ahead), so a venue
driven in real time and a fast backtest see the same market whenever they ask.

* ``trade(s)``: the last recorded price strictly before second ``s`` starts.
* ``flow(s)``: the recorded volume of second ``s - 1`` (what traded through).
* ``ladders``: the slippage model's book around the last price at the engine's time;
  ``touch``: its best bid and ask at any time (transaction-cost analysis).
* ``order_book``: what a strategy's ``on_book`` gets: the recorded book (the last snapshot
  at or before the time) when the data has recorded books, else the slippage model's.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate

from deltaworks_core.clock import Clock
from deltaworks_core.venues.simulator import ExchangeEngine, Market
from deltaworks_exec.backtest.books import RecordedBooks
from deltaworks_exec.backtest.models import SlippageModel
from deltaworks_exec.venue import OrderBook

STEP_MS = 1000


class ReplayLiquidity:
    """The market of one symbol on one venue, replayed from ``(ts_ms, price, amount)`` points."""

    def __init__(
        self,
        market: Market,
        clock: Clock,
        ts_ms: Sequence[int],
        prices: Sequence[float],
        amounts: Sequence[float],
        slippage: SlippageModel,
        books: RecordedBooks | None = None,
    ) -> None:
        if not ts_ms:
            raise ValueError(f"no market data for {market.symbol}")
        self.market = market
        self.clock = clock
        self.slippage = slippage
        self.books = books
        self.lot = 1
        self._ts = list(ts_ms)
        self._prices = list(prices)
        self._cumulative = [0.0, *accumulate(amounts)]
        self._tick = float(market.tick)
        self._step = float(market.step)
        self._version = -1
        self._prices_changed: Callable[[], None] | None = None

    def attach(self, engine: ExchangeEngine) -> None:
        """Replace the synthetic market of ``engine``'s market with this one."""
        self._prices_changed = engine.attach_liquidity(self.market.symbol, self)

    def _index(self, t_ms: int) -> int:
        """Index of the last point at or before ``t_ms`` (-1 when none)."""
        return bisect_right(self._ts, t_ms) - 1

    def price_at(self, t_ms: int) -> float:
        """The last recorded price at or before ``t_ms`` (the first one before the data starts)."""
        return self._prices[max(0, self._index(t_ms))]

    def mid(self, t_ms: int) -> float:
        """Mid in ticks; a new price since the cached ladders makes the book rebuild them."""
        i = self._index(t_ms)
        if i != self._version and self._prices_changed is not None:
            self._version = i
            self._prices_changed()  # the engine caches ladders per second: the price moved
        return self._prices[max(0, i)] / self._tick

    def trade(self, step: int) -> tuple[int, int, bool]:
        i = max(0, self._index(step * STEP_MS - 1))
        return round(self._prices[i] / self._tick), 1, False

    def flow(self, step: int) -> int:
        lo = bisect_right(self._ts, (step - 1) * STEP_MS - 1)
        hi = bisect_right(self._ts, step * STEP_MS - 1)
        volume = self._cumulative[hi] - self._cumulative[lo]
        return int(volume / self._step + 1e-9)

    def ladders(self, step: int, levels: int) -> tuple[list[list[int]], list[list[int]]]:
        price = self.price_at(self.clock.now_ms())
        bids, asks = self.slippage.ladders(price, self._tick, self._step)
        return bids[:levels], asks[:levels]

    def touch(self, t_ms: int) -> tuple[float, float]:
        """Best bid and ask of the book an order meets at ``t_ms`` (the slippage model's)."""
        bids, asks = self.slippage.ladders(self.price_at(t_ms), self._tick, self._step)
        return bids[0][0] * self._tick, asks[0][0] * self._tick

    def order_book(self, symbol: str, t_ms: int, depth: int) -> OrderBook:
        """The replayed market's book at ``t_ms`` as a feed would publish it: the recorded
        levels when there are any, else the slippage model's ladders; the strategy's own
        resting orders are not in it."""
        recorded = self.books.at(t_ms) if self.books is not None else None
        if recorded is not None:
            return OrderBook(symbol, t_ms, recorded[0][:depth], recorded[1][:depth])
        bids, asks = self.slippage.ladders(self.price_at(t_ms), self._tick, self._step)
        m = self.market
        return OrderBook(
            symbol=symbol,
            ts_ms=t_ms,
            bids=[(float(p * m.tick), float(q * m.step)) for p, q in bids[:depth]],
            asks=[(float(p * m.tick), float(q * m.step)) for p, q in asks[:depth]],
        )

    def kline(self, minute: int, last_step: int) -> None:
        """Klines of replayed data are the data itself: the engine serves none."""
        return None
