"""The live-style runner: the same strategy, driven in real time through ``Venue`` and ``Clock``.

Recorded events are published as time passes on a ``SimulatedClock``. Each
order, cancel and timer of the strategy becomes an asyncio task that waits on
the clock (the latency, or until the timer) and then calls
``await venue.submit(...)`` / ``cancel`` on an ``EngineVenue`` (the venue the
execution algorithms use) over the same replayed engine; fills come back on
the venue's event stream, read by one task per venue. Nothing here calls the
engine directly, so comparing with ``engine.Backtest`` shows that the fast
path takes the same decisions and gets the same fills (the parity test).
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import ccxt

from deltaworks_exec.backtest.algo_host import AlgoHost, settle
from deltaworks_exec.backtest.context import Cancel, Due, Timer
from deltaworks_exec.backtest.data import MarketData
from deltaworks_exec.backtest.result import RunResult
from deltaworks_exec.backtest.setup import BacktestConfig, RunSetup
from deltaworks_exec.clock import SimulatedClock
from deltaworks_exec.strategies.api import Bar, FillEvent, Strategy, Trade
from deltaworks_exec.venue import OrderRequest
from deltaworks_exec.venues.engine_venue import EngineVenue


class LiveRunner:
    """Runs one strategy against ``EngineVenue``s on a simulated clock, event by event."""

    def __init__(self, data: MarketData, config: BacktestConfig | None = None) -> None:
        self.setup = RunSetup(data, config or BacktestConfig())

    async def run(self, strategy: Strategy) -> RunResult:
        setup = self.setup
        setup.new_run()
        self.clock = SimulatedClock(setup.data.start_ms)
        self.venues = {name: EngineVenue(e, self.clock) for name, e in setup.engines.items()}
        self.ctx = ctx = setup.context(strategy)
        host = AlgoHost(setup.engines, self.clock, self.venues)
        self.tasks: set[asyncio.Task[None]] = set()
        self._fresh = False
        ctx.sink = self._spawn
        started = time.perf_counter()
        for name, venue in self.venues.items():
            self._start(self._consume(name, venue))
        await settle()
        ctx.last.update(setup.first_prices())
        equity = setup.equity(ctx)
        c = setup.columns
        try:
            strategy.on_start(ctx)
            for k, ts in enumerate(setup.ts):
                await self._advance(ts)
                equity.sample(ts)
                venue, symbol = key = setup.streams[setup.stream_ids[k]]
                ctx.move_to(ts)
                await self._catch_up(venue)
                if setup.data.kind == "trades":
                    ctx.last[key] = price = c["price"][k]
                    strategy.on_trade(ctx, Trade(venue, symbol, ts, price, c["amount"][k], False))
                else:
                    ctx.last[key] = close = c["close"][k]
                    o, h, lo, v = c["open"][k], c["high"][k], c["low"][k], c["volume"][k]
                    strategy.on_bar(ctx, Bar(venue, symbol, ts - 60_000, o, h, lo, close, v))
                if strategy.book_depth:
                    book = setup.liquidity[key].order_book(symbol, ts, strategy.book_depth)
                    strategy.on_book(ctx, book)
                if ctx.algo_requests:
                    await host.start_requested(ctx)
                await self._advance(ts)
            end = setup.data.end_ms
            await self._advance(end)
            await host.stop()
            for name in sorted(set(ctx.open.values())):
                await self._catch_up(name)
            equity.sample(end, final=True)
            strategy.on_stop(ctx)
        finally:
            for task in self.tasks:
                task.cancel()
            for task in list(self.tasks):
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        elapsed = time.perf_counter() - started
        return setup.result(strategy, ctx, equity, "live", elapsed, host.progress.events)

    def _start(self, coro) -> None:
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _advance(self, ts: int) -> None:
        """Let new tasks start waiting, then move the clock to ``ts``, waking them in order
        (``advance_to`` lets every woken task run before it returns)."""
        if self._fresh:
            self._fresh = False
            await settle()
        await self.clock.advance_to(ts)

    async def _catch_up(self, venue: str) -> None:
        """With orders resting on ``venue``, ask it (it catches up and streams the fills)."""
        if venue in self.ctx.open.values():
            await self.venues[venue].open_orders()
            await settle()

    # -- tasks ---------------------------------------------------------------------------------

    def _spawn(self, at: int, what: Due, venue: str) -> None:
        self._fresh = True
        self._start(self._act(at, what, venue))

    async def _act(self, at: int, what: Due, venue: str) -> None:
        """Wait until ``at`` on the clock, then send the order or cancel, or fire the timer."""
        await self.clock.sleep((at - self.clock.now_ms()) / 1000)
        ctx = self.ctx
        ctx.move_to(at)
        if isinstance(what, Timer):
            ctx.fire(at, what)
        elif isinstance(what, Cancel):
            await self._cancel(venue, what.client_order_id)
        else:
            await self._submit(at, venue, what)

    async def _submit(self, at: int, venue: str, request: OrderRequest) -> None:
        try:
            await self.venues[venue].submit(request)
        except ccxt.BaseError as exc:
            self.ctx.rejected(at, request.client_order_id, f"{type(exc).__name__}: {exc}")

    async def _cancel(self, venue: str, client_order_id: str) -> None:
        symbol = self.ctx.symbol_of[client_order_id]
        order = await self.venues[venue].fetch_order(symbol, client_order_id=client_order_id)
        if order is not None and order.status == "open":
            with contextlib.suppress(ccxt.OrderNotFound):  # it ended meanwhile
                await self.venues[venue].cancel(symbol, order.id)

    async def _consume(self, name: str, venue: EngineVenue) -> None:
        """Book the venue's fills and order ends into the context, then hand fills over."""
        ctx = self.ctx
        async for event in venue.events():
            for fill in event.fills:
                ctx.record_fill(
                    FillEvent(
                        ts_ms=round(fill.ts.timestamp() * 1000),
                        venue=name,
                        symbol=fill.symbol,
                        client_order_id=fill.client_order_id or "",
                        side=fill.side,
                        price=fill.price,
                        amount=fill.amount,
                        fee=fill.fee or 0.0,
                        fee_currency=fill.fee_currency or "",
                        liquidity=fill.taker_or_maker or "taker",
                    )
                )
            if event.order is not None and event.order.status != "open":
                ctx.closed(event.order.client_order_id or "")
            ctx.deliver()


def run_live(
    data: MarketData, strategy: Strategy, config: BacktestConfig | None = None
) -> RunResult:
    """``LiveRunner(data, config).run(strategy)`` in a fresh event loop."""
    return asyncio.run(LiveRunner(data, config).run(strategy))
