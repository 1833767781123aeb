"""The service's venue streams: a failing stream is logged, counted in /status, and reconnected."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import ccxt
import pytest

from deltaworks_core.config import RiskLimits, Settings
from deltaworks_exec.clock import SimulatedClock
from deltaworks_exec.marketdata import BookCache
from deltaworks_exec.oms.bus import EventBus
from deltaworks_exec.oms.journal import Journal
from deltaworks_exec.oms.manager import NewOrder, OrderManager
from deltaworks_exec.oms.reconcile import Reconciler
from deltaworks_exec.service import ExecService
from deltaworks_exec.venue import VenueEvent
from deltaworks_exec.venues.engine_venue import EngineVenue
from tests.algo_support import START_MS, SYMBOLS, make_venue


class FlakyStream:
    """A real engine venue whose stream connection fails the first ``failures`` times."""

    def __init__(self, venue: EngineVenue, failures: int) -> None:
        self._venue = venue
        self.failures = failures
        self.connects = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._venue, name)

    async def events(self) -> AsyncIterator[VenueEvent]:
        self.connects += 1
        if self.connects <= self.failures:
            raise ccxt.NetworkError("sim_a stream: connection refused")
        async for event in self._venue.events():
            yield event


async def test_stream_failures_are_logged_counted_and_recovered(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    clock = SimulatedClock(START_MS)
    venue = FlakyStream(make_venue(clock), failures=2)
    venues = {venue.name: venue}
    journal = Journal(settings.questdb)
    await journal.start()
    service = ExecService(settings, RiskLimits())
    service.venues = venues  # type: ignore[assignment]
    service.oms = OrderManager(
        venues, journal, clock, EventBus(), BookCache(venues), RiskLimits(), {"sim_a": SYMBOLS}
    )  # type: ignore[arg-type]
    service.reconciler = Reconciler(service.oms)
    service.oms.balances["sim_a"] = await venue.balances()
    caplog.set_level(logging.WARNING, logger="deltaworks_exec.service")
    stream = asyncio.create_task(service._stream(venue))  # type: ignore[arg-type]
    try:
        async with asyncio.timeout(30):
            while venue.connects < 3:
                await asyncio.sleep(0.05)
            order, _ = await service.oms.submit(
                NewOrder("sim_a", "BTC/USDT", "buy", "market", 0.01)
            )
            while not order.fill_ids:  # the fill comes back through the reconnected stream
                await asyncio.sleep(0.05)
    finally:
        stream.cancel()
        await asyncio.gather(stream, return_exceptions=True)
        await journal.close()
    assert service.status()["stream_failures"] == {"sim_a": 2}
    failures = [
        r for r in caplog.records if r.getMessage() == "venue stream failed; polling continues"
    ]
    assert [(r.venue, "connection refused" in r.error) for r in failures] == [("sim_a", True)] * 2
