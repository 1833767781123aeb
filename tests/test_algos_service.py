"""Parent orders inside the service: through the real OMS (risk, journal), the algos REST
router, the event bus, and a service restart that rebuilds them from algo_events."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from deltaworks_core.config import RiskLimits
from deltaworks_exec.algos.supervisor import AlgoSupervisor
from deltaworks_exec.clock import SimulatedClock
from deltaworks_exec.marketdata import BookCache
from deltaworks_exec.oms.algo_orders import OmsOrders
from deltaworks_exec.oms.algo_store import BusProgress, FanOut, QuestDBProgress
from deltaworks_exec.oms.bus import EventBus
from deltaworks_exec.oms.journal import Journal
from deltaworks_exec.oms.manager import OrderManager
from deltaworks_exec.venues.engine_venue import EngineVenue
from tests.algo_support import START_MS, SYMBOLS, algo_api, make_venue


class Desk:
    """The parts of the execution service parent orders use, over one simulated exchange."""

    def __init__(self, clock: SimulatedClock, venue: EngineVenue, journal: Journal, bus: EventBus):
        self.clock = clock
        self.venue = venue
        venues = {venue.name: venue}
        self.supervisors: list[AlgoSupervisor] = []
        self.market = BookCache(venues)
        self.oms = OrderManager(
            venues, journal, clock, bus, self.market, RiskLimits(), {venue.name: SYMBOLS}
        )

    async def pump(self) -> None:
        """Venue reports into the OMS, as the service's stream task does."""
        async for event in self.venue.events():
            if event.order is not None:
                await self.oms.on_order(event.order)
            for fill in event.fills:
                await self.oms.on_fill(fill)

    async def idle(self) -> None:
        """Wait (real time) until every running algorithm is parked on the simulated clock."""
        deadline = time.monotonic() + 10
        previous = None
        while time.monotonic() < deadline:
            await asyncio.sleep(0.002)
            wake = self.clock.next_wake_ms()
            state = (wake, len(self.oms.inflight))
            parked = wake is not None and wake > self.clock.now_ms()
            running = any(a.active for s in self.supervisors for a in s.algos.values())
            if state == previous and not state[1] and (parked or not running):
                return
            previous = state
        raise AssertionError("tasks did not settle")

    async def advance(self, seconds: float, step_s: float = 1) -> None:
        for _ in range(round(seconds / step_s)):
            await self.idle()
            await self.clock.advance(step_s)
            self.oms.balances[self.venue.name] = await self.venue.balances()
        await self.idle()


@pytest.fixture
async def journal(questdb_settings) -> AsyncIterator[Journal]:
    journal = Journal(questdb_settings)
    await journal.start()
    yield journal
    await journal.close()


def supervisor(desk: Desk, bus: EventBus, writer, reader) -> AlgoSupervisor:
    algos = AlgoSupervisor(
        {desk.venue.name: desk.venue},
        desk.clock,
        lambda exchange: OmsOrders(desk.oms, exchange),
        FanOut(QuestDBProgress(writer), BusProgress(bus)),
        reader,
    )
    desk.supervisors.append(algos)
    return algos


@pytest.mark.timeout(120)
async def test_algos_through_the_oms_and_the_api(journal, writer, reader, unique) -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock, name=f"svc_{unique}")
    bus = EventBus()
    feed = bus.subscribe()
    desk = Desk(clock, venue, journal, bus)
    desk.oms.balances[venue.name] = await venue.balances()
    pump = asyncio.create_task(desk.pump())
    algos = supervisor(desk, bus, writer, reader)
    app = algo_api(algos, reader)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as api:
        body = {
            "algo": "twap",
            "exchange": venue.name,
            "symbol": "BTC/USDT",
            "side": "buy",
            "quantity": 0.02,
            "params": {"duration_s": 240, "slices": 4, "execution": {"style": "passive"}},
            "algo_id": f"svc{unique}",
        }
        started = await api.post("/algos", json=body)
        assert started.status_code == 201, started.text
        algo_id = started.json()["algo_id"]
        bad = await api.post("/algos", json={**body, "algo_id": None, "params": {"slices": 4}})
        assert bad.status_code == 422 and "duration_s" in bad.text
        assert (await api.get("/algos/nope")).status_code == 404

        await desk.advance(30)
        shown = (await api.get(f"/algos/{algo_id}")).json()
        assert shown["status"] == "running" and len(shown["schedule"]) == 4
        assert shown["orders"][0]["client_order_id"] == f"{algo_id}-0"
        assert desk.oms.by_client_id(f"{algo_id}-0").algo_id == algo_id

        assert (await api.post(f"/algos/{algo_id}/pause")).json()["status"] == "paused"
        await desk.advance(5)
        assert not await venue.open_orders("BTC/USDT")
        assert (await api.post(f"/algos/{algo_id}/pause")).status_code == 409
        assert (await api.post(f"/algos/{algo_id}/resume")).json()["status"] == "running"
        await desk.advance(300, step_s=5)
        final = (await api.get(f"/algos/{algo_id}")).json()
        assert final["status"] == "completed" and final["filled"] == pytest.approx(0.02)
        listed = {a["algo_id"]: a for a in (await api.get("/algos")).json()}
        assert listed[algo_id]["status"] == "completed"

    events = []
    while not feed.empty():
        event = feed.get_nowait()
        if event["type"] == "algo":
            events.append(event["data"])
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[-1]["status"] == "completed"
    pump.cancel()


@pytest.mark.timeout(120)
async def test_service_restart_resumes_algorithms(journal, writer, reader, unique) -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock, name=f"rst_{unique}")
    bus = EventBus()
    desk = Desk(clock, venue, journal, bus)
    desk.oms.balances[venue.name] = await venue.balances()
    pump = asyncio.create_task(desk.pump())
    first = supervisor(desk, bus, writer, reader)
    params = {"duration_s": 300, "slices": 5}
    algo = await first.start("twap", venue.name, "ETH/USDT", "sell", 0.5, params, f"r{unique}")
    await desk.advance(70)
    await first.detach()  # shutdown: children stay, nothing recorded
    assert algo.next_child == 2
    await desk.advance(100)
    reader.wait_visible("algo_events")

    second = supervisor(desk, bus, writer, reader)
    (rebuilt,) = [a for a in await second.recover() if a.spec.algo_id == f"r{unique}"]
    assert rebuilt.next_child == 2 and rebuilt.start_ms == START_MS
    await desk.advance(200, step_s=5)
    assert rebuilt.status == "completed" and float(rebuilt.filled) == pytest.approx(0.5)
    fills = await venue.fills("ETH/USDT")
    per_client = {f.client_order_id for f in fills}
    assert per_client == {f"r{unique}-{n}" for n in range(rebuilt.next_child)}
    assert sum(f.amount for f in fills) == pytest.approx(0.5)

    reader.wait_visible("algo_events")
    third = supervisor(desk, bus, writer, reader)  # another restart: an ended record
    record = await third.get(f"r{unique}")
    assert record.status == "completed" and not record.active
    assert record.children.keys() == rebuilt.children.keys()
    assert float(record.filled) == pytest.approx(0.5)
    pump.cancel()


async def test_bad_requests_name_the_problem(journal, writer, reader, unique) -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock, name=f"bad_{unique}")
    desk = Desk(clock, venue, journal, EventBus())
    algos = supervisor(desk, EventBus(), writer, reader)
    cases = [
        ("vwap", "BTC/USDT", {"slices": 3}, "duration_s"),
        ("twap", "NOPE/USDT", {"duration_s": 60, "slices": 3}, "no market"),
        ("twap", "BTC/USDT", {"duration_s": 60, "slices": 10**9}, "at most"),
        ("twap", "BTC/USDT", {"duration_s": "60", "slices": 3}, "TypeError"),
        ("vwap", "BTC/USDT", {"duration_s": 60, "bucket_s": 60}, "no 1m candles"),
        ("stop", "BTC/USDT", {"kind": "sideways"}, "kind"),
        ("iceberg", "BTC/USDT", {"price": 1.0}, "display"),
    ]
    for algo, symbol, params, problem in cases:
        with pytest.raises(ValueError, match=problem):
            await algos.start(algo, venue.name, symbol, "buy", 0.01, params)
    assert not algos.algos


async def test_a_damaged_record_does_not_stop_recovery(journal, writer, reader, unique) -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock, name=f"dmg_{unique}")
    desk = Desk(clock, venue, journal, EventBus())
    damaged = {
        "ts": datetime.fromtimestamp(START_MS / 1000, UTC),
        "algo_id": f"d{unique}",
        "seq": 1,
        "algo": "twap",
        "status": "running",
        "exchange": venue.name,
        "symbol": "BTC/USDT",
        "side": "buy",
        "quantity": 1.0,
        "filled": 0.0,
        "params": "{}",
    }
    writer.write_rows(
        "algo_events", [damaged], symbols=("algo", "status", "exchange", "symbol", "side")
    )
    algos = supervisor(desk, EventBus(), writer, reader)
    params = {"duration_s": 60, "slices": 2}
    await algos.start("twap", venue.name, "BTC/USDT", "buy", 0.002, params, f"g{unique}")
    await algos.detach()
    reader.wait_visible("algo_events")

    recovered = await supervisor(desk, EventBus(), writer, reader).recover()
    ids = {algo.spec.algo_id for algo in recovered}
    assert f"g{unique}" in ids and f"d{unique}" not in ids
