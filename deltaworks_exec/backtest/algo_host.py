"""Execution algorithms (TWAP, iceberg, ...) started by strategies, run on the replayed venues.

An algorithm is the execution service's own ``ParentOrder`` (``deltaworks_exec.algos``)
working through an ``EngineVenue`` on a ``SimulatedClock``: the very code that
runs live. The host starts the algorithms a strategy asked for and moves the
clock with the replay while any of them is working.
"""

from __future__ import annotations

import asyncio
import contextlib

from deltaworks_core.venues.simulator import ExchangeEngine
from deltaworks_exec.algos.base import TERMINAL, AlgoContext, ParentOrder
from deltaworks_exec.algos.registry import create
from deltaworks_exec.backtest.context import RunContext
from deltaworks_exec.clock import SimulatedClock
from deltaworks_exec.oms.algo_store import MemoryProgress
from deltaworks_exec.order_sinks import VenueOrders
from deltaworks_exec.venues.engine_venue import EngineVenue

SETTLE_ROUNDS = 20


async def settle() -> None:
    """Let every task made runnable run until it blocks again."""
    for _ in range(SETTLE_ROUNDS):
        await asyncio.sleep(0)


class AlgoHost:
    """Runs the parent orders of one run; ``progress`` keeps their ``algo_events``."""

    def __init__(
        self,
        engines: dict[str, ExchangeEngine],
        clock: SimulatedClock,
        venues: dict[str, EngineVenue] | None = None,
    ) -> None:
        self.clock = clock
        self.venues = venues or {name: EngineVenue(e, clock) for name, e in engines.items()}
        self.progress = MemoryProgress()
        self.algos: list[ParentOrder] = []

    @property
    def active(self) -> bool:
        return any(algo.status not in TERMINAL for algo in self.algos)

    async def start_requested(self, ctx: RunContext) -> None:
        """Start (or cancel) what the strategy asked for at ``ctx.now_ms``."""
        await self.clock.advance_to(ctx.now_ms)
        while ctx.algo_requests:
            request = ctx.algo_requests.pop(0)
            if isinstance(request, str):
                for algo in self.algos:
                    if algo.spec.algo_id == request and algo.status not in TERMINAL:
                        await algo.cancel("canceled by the strategy")
                continue
            venue = self.venues[request.venue]
            algo_ctx = AlgoContext(venue, self.clock, VenueOrders(venue), self.progress)
            algo = create(request.algo, request.spec, request.params, algo_ctx)
            self.algos.append(algo)
            await algo.start()
        await settle()

    async def advance(self, ts: int) -> None:
        """Let the algorithms act on everything up to ``ts``."""
        await self.clock.advance_to(ts)

    async def stop(self) -> None:
        """Cancel what still works when the data ends."""
        for algo in self.algos:
            if algo.status not in TERMINAL:
                with contextlib.suppress(Exception):
                    await algo.cancel("data ended")
