"""Recorded-looking market data and a limit-order strategy for the backtest tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from deltaworks_exec.strategies.api import Context, FillEvent, Strategy, Trade
from deltaworks_exec.venue import OrderBook

START_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def trades(
    n: int, seed: int = 1, start_ms: int = START_MS, price: float = 60_000.0
) -> pd.DataFrame:
    """A random walk of ``n`` BTC/USDT-like trades, 1-200 ms apart."""
    rng = np.random.default_rng(seed)
    ts = start_ms + np.cumsum(rng.integers(1, 200, n))
    px = np.round(price * np.exp(np.cumsum(rng.normal(0, 2e-4, n))), 2)
    amount = np.round(rng.uniform(0.0001, 0.05, n), 5)
    return pd.DataFrame({"ts": ts, "price": px, "amount": amount})


def candles(
    n: int, seed: int = 2, start_ms: int = START_MS, price: float = 3_000.0
) -> pd.DataFrame:
    """``n`` consecutive 1m ETH/USDT-like candles."""
    rng = np.random.default_rng(seed)
    close = price * np.exp(np.cumsum(rng.normal(0, 1.5e-3, n)))
    open_ = np.concatenate([[price], close[:-1]])
    spread = np.abs(rng.normal(0, 1e-3, n)) * close
    return pd.DataFrame(
        {
            "ts": pd.to_datetime(start_ms + 60_000 * np.arange(n), unit="ms", utc=True),
            "open": open_.round(2),
            "high": (np.maximum(open_, close) + spread).round(2),
            "low": (np.minimum(open_, close) - spread).round(2),
            "close": close.round(2),
            "volume": rng.uniform(1, 50, n).round(3),
        }
    )


class LimitQuoter(Strategy):
    """Rests a bid a few bps under the market, re-quotes it on a timer, sells what fills.

    Exercises timers, resting orders, maker fills, cancels and reactions to fills.
    """

    name = "limit_quoter"

    def __init__(self, symbol: str, offset_bps: float = 3.0, every_s: float = 4.0) -> None:
        self.symbol = symbol
        self.offset_bps, self.every_ms = offset_bps, round(every_s * 1000)
        self.last = 0.0
        self.bid: str | None = None
        self.fills: list[FillEvent] = []

    def on_start(self, ctx: Context) -> None:
        ctx.schedule(ctx.now_ms + self.every_ms, "quote")

    def on_trade(self, ctx: Context, trade: Trade) -> None:
        self.last = trade.price

    def on_timer(self, ctx: Context, tag: str) -> None:
        if self.bid is not None:
            ctx.cancel(self.bid)
        price = self.last * (1 - self.offset_bps / 10_000)
        self.bid = ctx.submit(self.symbol, "buy", 0.01, price=price)
        ctx.schedule(ctx.now_ms + self.every_ms, tag)

    def on_fill(self, ctx: Context, fill: FillEvent) -> None:
        self.fills.append(fill)
        if fill.side == "buy":
            ctx.submit(self.symbol, "sell", ctx.position(self.symbol))


class BookScalper(Strategy):
    """Trades on book events only: buys when the ask drops below its recent low, sells when
    the bid is back above the entry. Records every book it sees."""

    name = "book_scalper"
    book_depth = 5

    def __init__(self, symbol: str, window: int = 30) -> None:
        self.symbol, self.window = symbol, window
        self.asks: list[float] = []
        self.books: list[OrderBook] = []
        self.entry: float | None = None

    def on_book(self, ctx: Context, book: OrderBook) -> None:
        self.books.append(book)
        ask, bid = book.asks[0][0], book.bids[0][0]
        recent = self.asks[-self.window :]
        self.asks.append(ask)
        if self.entry is None and len(recent) == self.window and ask < min(recent):
            self.entry = ask
            ctx.submit(self.symbol, "buy", 0.02)
        elif self.entry is not None and bid > self.entry and ctx.position(self.symbol) > 0:
            self.entry = None
            ctx.submit(self.symbol, "sell", ctx.position(self.symbol))
