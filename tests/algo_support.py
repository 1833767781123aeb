"""Shared set-up of the algorithm, routing and arbitrage tests: engines on a simulated clock."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

from fastapi import FastAPI

from deltaworks_core.questdb import QuestDBReader
from deltaworks_core.venues.simulator import ExchangeEngine, SimClock
from deltaworks_exec.algos.base import AlgoContext, ParentOrder
from deltaworks_exec.algos.supervisor import AlgoSupervisor
from deltaworks_exec.api.algos import algo_router
from deltaworks_exec.audit.log import AuditLog
from deltaworks_exec.auth.signin import Authenticator
from deltaworks_exec.auth.store import UserStore
from deltaworks_exec.clock import SimulatedClock
from deltaworks_exec.oms.algo_store import MemoryProgress
from deltaworks_exec.order_sinks import VenueOrders
from deltaworks_exec.venues.engine_venue import EngineVenue

DAY_MS = 86_400_000
START_MS = 1_780_000_000_000 // DAY_MS * DAY_MS + 9 * 3_600_000  # a day at 09:00 UTC
SYMBOLS = ("BTC/USDT", "ETH/USDT")


def make_venue(
    clock: SimulatedClock, name: str = "sim_a", seed: int = 7, symbols: tuple[str, ...] = SYMBOLS
) -> EngineVenue:
    """A simulated exchange on ``clock`` with the default funded account."""
    engine = ExchangeEngine(name, symbols, seed=seed, clock=SimClock(clock.now_ms()), withdrawals=1)
    return EngineVenue(engine, clock)


def tape_volume(venue: EngineVenue, symbol: str, start_ms: int, end_ms: int) -> float:
    """Every print of the engine's tape of ``symbol`` in [start, end] (ours included)."""
    engine = venue.engine
    step = float(engine.market(symbol).step)
    trades = engine.trades(symbol, 1000)
    assert trades[0].time < start_ms, "the tape kept does not reach back to the start"
    return sum(t.qty for t in trades if start_ms <= t.time <= end_ms) * step


def make_context(venue: EngineVenue, clock: SimulatedClock) -> tuple[AlgoContext, MemoryProgress]:
    progress = MemoryProgress()
    return AlgoContext(venue, clock, VenueOrders(venue), progress), progress


async def run_to_end(clock: SimulatedClock, algo: ParentOrder, limit_s: float = 86_400) -> str:
    """Advance simulated time wake-up by wake-up until ``algo`` ends (or ``limit_s`` passes).

    While the algorithm waits for real I/O (an HTTP venue) time stands still.
    """
    deadline = clock.now_ms() + round(limit_s * 1000)
    io_deadline = time.monotonic() + 60
    await clock.advance(0)  # let a task just started reach its first sleep
    while algo.status not in ("completed", "canceled", "failed"):
        wake = clock.next_wake_ms()
        if wake is None and algo.active and time.monotonic() < io_deadline:
            await asyncio.sleep(0.005)
            continue
        if wake is None or wake > deadline:
            break
        await clock.advance_to(wake)
    return algo.status


async def drive(clock: SimulatedClock, task: asyncio.Task, limit_ms: int) -> None:
    """Advance simulated time wake-up by wake-up until ``task`` is done or ``limit_ms``."""
    await clock.advance(0)
    while not task.done() and (wake := clock.next_wake_ms()) is not None and wake <= limit_ms:
        await clock.advance_to(wake)


def algo_api(algos: AlgoSupervisor, reader: QuestDBReader) -> FastAPI:
    """The algorithms' router alone, signed in as the development admin and audited."""
    app = FastAPI()
    app.include_router(algo_router())
    app.state.service = SimpleNamespace(algos=algos)
    app.state.authenticator = Authenticator(UserStore(reader), None, development=True)
    app.state.audit = AuditLog(reader)
    return app
