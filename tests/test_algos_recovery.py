"""Crash and restart during a TWAP: resumes from algo_events, never duplicates a child."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from decimal import Decimal

import pytest

from deltaworks_exec.algos.base import AlgoContext, ParentSpec
from deltaworks_exec.algos.registry import create, restore
from deltaworks_exec.clock import SimulatedClock
from deltaworks_exec.oms.algo_store import AlgoEvent, QuestDBProgress, history, latest_events
from deltaworks_exec.order_sinks import VenueOrders
from tests.algo_support import START_MS, make_venue


class PowerCut(BaseException):
    """The process dies: nothing after this point runs, nothing is cleaned up."""


class CutAfter:
    """Persists events to QuestDB until the ``cut``-th, then the process dies (the event
    being published when the power goes is lost)."""

    def __init__(self, sink: QuestDBProgress, cut: int) -> None:
        self.sink = sink
        self.left = cut

    def publish(self, event: AlgoEvent) -> None:
        self.left -= 1
        if self.left < 0:
            raise PowerCut
        self.sink.publish(event)


async def settle(clock: SimulatedClock, task_done, limit_ms: int) -> None:
    await clock.advance(0)
    while not task_done() and (wake := clock.next_wake_ms()) is not None and wake <= limit_ms:
        await clock.advance_to(wake)


@pytest.mark.timeout(120)
async def test_twap_survives_repeated_crashes_without_duplicate_children(
    writer, reader, unique
) -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    algo_id = f"rc{unique}"
    rng = random.Random(5)
    quantity = Decimal("0.06")
    params = {"duration_s": 1200, "slices": 20, "randomize_size": 0.3}
    end_ms = START_MS + 1_300_000
    spec = ParentSpec(algo_id, venue.name, "BTC/USDT", "buy", float(quantity))

    def context(cut: int) -> AlgoContext:
        sink = CutAfter(QuestDBProgress(writer), cut)
        return AlgoContext(venue, clock, VenueOrders(venue), sink)

    algo = create("twap", spec, params, context(rng.randint(2, 5)))
    await algo.start()
    restarts = 0
    while True:
        await settle(clock, lambda a=algo: a.status == "completed" or a._task.done(), end_ms)
        if algo.status == "completed":
            break
        with pytest.raises(PowerCut):  # the task died mid-flight
            await asyncio.wait_for(algo._task, 1)
        restarts += 1
        reader.wait_visible("algo_events")
        (last,) = latest_events(reader, algo_id)
        algo = await restore(last, context(rng.randint(2, 5) if restarts < 6 else 10_000))
    assert restarts == 6

    fills = await venue.fills("BTC/USDT")
    orders_by_client: dict[str, set[str]] = defaultdict(set)
    for fill in fills:
        orders_by_client[fill.client_order_id].add(fill.order_id)
    assert all(len(ids) == 1 for ids in orders_by_client.values())
    assert sum(Decimal(repr(f.amount)) for f in fills) == quantity
    assert algo.filled == quantity
    reader.wait_visible("algo_events")
    events = history(reader, algo_id)
    assert events[-1].status == "completed" and events[-1].filled == pytest.approx(0.06)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert sum(e.message == "recovered" for e in events) == restarts
