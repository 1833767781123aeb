"""The venue-error policy through ccxt and the simulator's HTTP server: dropped responses."""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal

import pytest

from deltaworks_core.venues.factory import create_exchange
from deltaworks_core.venues.simulator import SimClock, running_simulator
from deltaworks_exec.algos.base import AlgoContext, ParentSpec
from deltaworks_exec.algos.twap import Twap, TwapParams
from deltaworks_exec.clock import SimulatedClock
from deltaworks_exec.oms.algo_store import MemoryProgress
from deltaworks_exec.order_sinks import VenueOrders
from deltaworks_exec.venues.ccxt_venue import CcxtVenue
from tests.algo_support import run_to_end

SYMBOL = "ETH/USDT"


@pytest.mark.timeout(120)
async def test_twap_with_dropped_order_responses_sends_each_child_once(settings) -> None:
    config = settings.simulator.model_copy(update={"port": 0})
    now_ms = int(time.time() * 1000)
    with running_simulator(config, settings.exchanges, clock=SimClock(now_ms)) as server:
        engine = server.engine("sim_a")
        client = create_exchange(
            settings, settings.exchange("sim_a"), asynchronous=True, simulator_url=server.base_url
        )
        venue = CcxtVenue("sim_a", client)
        try:
            await venue.connect()
            engine.set_faults(drop_order_response=1.0, timeout_delay_ms=100)  # every one
            clock = SimulatedClock(now_ms)
            progress = MemoryProgress()
            ctx = AlgoContext(venue, clock, VenueOrders(venue), progress)
            spec = ParentSpec("net1", "sim_a", SYMBOL, "buy", 0.06)
            twap = Twap(spec, TwapParams(duration_s=60, slices=6), ctx)
            await twap.start()
            assert await run_to_end(clock, twap) == "completed"
        finally:
            engine.set_faults(drop_order_response=0.0)
            await venue.close()
        trades = engine.my_trades("main", SYMBOL)
    per_child = Counter(engine.order("main", SYMBOL, order_id=t.order_id).client_id for t in trades)
    orders = {engine.order("main", SYMBOL, client_order_id=f"net1-{n}").id for n in range(6)}
    assert len(orders) == 6 and set(per_child) == {f"net1-{n}" for n in range(6)}
    filled = sum(Decimal(t.qty) * engine.market(SYMBOL).step for t in trades)
    assert filled == Decimal("0.06") and twap.filled == Decimal("0.06")
    assert not any("unknown" in e.message for e in progress.events)
