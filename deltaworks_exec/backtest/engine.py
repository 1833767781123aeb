"""The fast backtest: one tight loop over recorded events, straight into the simulator engine.

Per event it updates the last price, lets the engine fill resting orders (only
while the strategy has some), calls the strategy and sends what it decided.
Orders and cancels reach the engine after the latency model's delay, fills
reach the strategy after the callback that caused them: the same sequence the
live-style runner (``live.py``) produces through the ``Venue`` interface, so
decisions and fills are identical, without per-event asyncio.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from decimal import Decimal

from deltaworks_core.venues.simulator import (
    ATOMS_PER_UNIT,
    ExchangeEngine,
    Fill,
    Order,
    OrderType,
    SimError,
)
from deltaworks_exec.backtest.algo_host import AlgoHost
from deltaworks_exec.backtest.context import Cancel, RunContext, Timer
from deltaworks_exec.backtest.data import MarketData
from deltaworks_exec.backtest.result import RunResult
from deltaworks_exec.backtest.setup import BacktestConfig, Progress, RunSetup
from deltaworks_exec.backtest.venue_engine import ACCOUNT
from deltaworks_exec.clock import SimulatedClock
from deltaworks_exec.strategies.api import Bar, FillEvent, Strategy, Trade

CHUNK = 1 << 15
_TYPES = {"market": OrderType.MARKET, "limit": OrderType.LIMIT}


def fill_event(venue: str, order: Order, fill: Fill) -> FillEvent:
    """The strategy's view of an engine fill (the engine venue's conversions)."""
    m = fill.market
    return FillEvent(
        ts_ms=fill.time,
        venue=venue,
        symbol=m.symbol,
        client_order_id=order.client_id,
        side="buy" if fill.buyer else "sell",
        price=float(fill.price * m.tick),
        amount=float(fill.qty * m.step),
        fee=float(Decimal(fill.commission) / ATOMS_PER_UNIT),
        fee_currency=fill.commission_asset,
        liquidity="maker" if fill.maker else "taker",
    )


class Backtest:
    """Runs one strategy over ``data`` with the costs of ``config``."""

    def __init__(self, data: MarketData, config: BacktestConfig | None = None) -> None:
        self.setup = RunSetup(data, config or BacktestConfig())

    def run(self, strategy: Strategy, progress: Progress | None = None) -> RunResult:
        """Replay every event; ``progress(n)`` is called with the events done so far."""
        return asyncio.run(self.arun(strategy, progress))

    async def arun(self, strategy: Strategy, progress: Progress | None = None) -> RunResult:
        """``run`` inside a running event loop (the loop only matters while algorithms work)."""
        setup = self.setup
        setup.new_run()
        ctx = setup.context(strategy)
        self._host = AlgoHost(setup.engines, SimulatedClock(setup.data.start_ms))
        for venue, engine in setup.engines.items():
            engine.add_listener(self._listener(ctx, venue))
        started = time.perf_counter()
        ctx.last.update(setup.first_prices())
        self._equity = setup.equity(ctx)
        strategy.on_start(ctx)
        loop = self._trades if setup.data.kind == "trades" else self._bars
        n = len(setup.ts)
        for lo in range(0, n, CHUNK):
            await loop(ctx, strategy, lo, min(n, lo + CHUNK))
            if progress is not None:
                progress(min(n, lo + CHUNK))
        end = setup.data.end_ms
        self._due(ctx, end)
        await self._host.advance(end)
        await self._host.stop()
        self._sync_all(ctx, end)
        ctx.deliver()
        self._equity.sample(end, final=True)
        strategy.on_stop(ctx)
        elapsed = time.perf_counter() - started
        events = self._host.progress.events
        return setup.result(strategy, ctx, self._equity, "backtest", elapsed, events)

    def _listener(self, ctx: RunContext, venue: str):
        def on_change(order: Order, fill: Fill | None) -> None:
            if fill is not None:
                ctx.record_fill(fill_event(venue, order, fill))
            if not order.is_open:
                ctx.closed(order.client_id)

        return on_change

    # -- the hot loops ---------------------------------------------------------------------------

    async def _trades(self, ctx: RunContext, strategy: Strategy, lo: int, hi: int) -> None:
        setup = self.setup
        ts_l, sid_l = setup.ts, setup.stream_ids
        px_l, amt_l = setup.columns["price"], setup.columns["amount"]
        keys, last, on_trade, equity = setup.streams, ctx.last, strategy.on_trade, self._equity
        host, books, depth = self._host, setup.liquidity, strategy.book_depth
        algos, requests, inbox, open_orders = host.algos, ctx.algo_requests, ctx.inbox, ctx.open
        for k in range(lo, hi):
            ts = ts_l[k]
            if ts >= ctx.next_due:
                self._due(ctx, ts)
            if algos and host.active:
                await host.advance(ts)
                ctx.deliver()
            if ts >= equity.next_ms:
                equity.sample(ts)
            venue, symbol = key = keys[sid_l[k]]
            ctx.move_to(ts)
            if open_orders:
                self._sync(ctx, venue, ts)
            last[key] = price = px_l[k]
            on_trade(ctx, Trade(venue, symbol, ts, price, amt_l[k], False))
            if depth:
                strategy.on_book(ctx, books[key].order_book(symbol, ts, depth))
            if requests:
                await host.start_requested(ctx)
            if ctx.next_due <= ts:
                self._due(ctx, ts)
            if inbox:
                ctx.deliver()

    async def _bars(self, ctx: RunContext, strategy: Strategy, lo: int, hi: int) -> None:
        setup = self.setup
        ts_l, sid_l, c = setup.ts, setup.stream_ids, setup.columns
        o_l, h_l, l_l, c_l, v_l = c["open"], c["high"], c["low"], c["close"], c["volume"]
        keys, last, on_bar, equity = setup.streams, ctx.last, strategy.on_bar, self._equity
        host, books, depth = self._host, setup.liquidity, strategy.book_depth
        algos, requests, inbox, open_orders = host.algos, ctx.algo_requests, ctx.inbox, ctx.open
        for k in range(lo, hi):
            ts = ts_l[k]
            if ts >= ctx.next_due:
                self._due(ctx, ts)
            if algos and host.active:
                await host.advance(ts)
                ctx.deliver()
            if ts >= equity.next_ms:
                equity.sample(ts)
            venue, symbol = key = keys[sid_l[k]]
            ctx.move_to(ts)
            if open_orders:
                self._sync(ctx, venue, ts)
            last[key] = close = c_l[k]
            bar = Bar(venue, symbol, ts - 60_000, o_l[k], h_l[k], l_l[k], close, v_l[k])
            on_bar(ctx, bar)
            if depth:
                strategy.on_book(ctx, books[key].order_book(symbol, ts, depth))
            if requests:
                await host.start_requested(ctx)
            if ctx.next_due <= ts:
                self._due(ctx, ts)
            if inbox:
                ctx.deliver()

    # -- around the loop ------------------------------------------------------------------------

    def _engine(self, venue: str, at: int) -> ExchangeEngine:
        engine = self.setup.engines[venue]
        if at > engine.now_ms():
            engine.set_time(at)
        return engine

    def _sync(self, ctx: RunContext, venue: str, ts: int) -> None:
        """Let resting orders of ``venue`` trade against the market up to ``ts``."""
        if venue in ctx.open.values():
            self._engine(venue, ts)
            ctx.deliver()

    def _sync_all(self, ctx: RunContext, ts: int) -> None:
        for venue in sorted(set(ctx.open.values())):
            self._sync(ctx, venue, ts)

    def _due(self, ctx: RunContext, until: int) -> None:
        """Timers, orders and cancels whose time has come, in time order."""
        while (item := ctx.pop_due(until)) is not None:
            at, what, venue = item
            ctx.move_to(at)
            if isinstance(what, Timer):
                ctx.fire(at, what)
            elif isinstance(what, Cancel):
                engine = self._engine(venue, at)
                symbol = ctx.symbol_of[what.client_order_id]
                with contextlib.suppress(SimError):  # already done: nothing to cancel
                    engine.cancel_order(ACCOUNT, symbol, client_order_id=what.client_order_id)
            else:
                engine = self._engine(venue, at)
                try:
                    engine.place_order(
                        ACCOUNT,
                        what.symbol,
                        what.side,
                        _TYPES[what.type],
                        repr(what.amount),
                        None if what.price is None else repr(what.price),
                        client_order_id=what.client_order_id,
                    )
                except SimError as exc:
                    ctx.rejected(at, what.client_order_id, exc.message)
            ctx.deliver()
