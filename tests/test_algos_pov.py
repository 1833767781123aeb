"""POV: its fills stay within a tolerance of the target share of the market's live volume."""

from __future__ import annotations

import pytest

from deltaworks_core.market_model import MarketModel
from deltaworks_core.venues.factory import create_exchange
from deltaworks_core.venues.simulator import ExchangeEngine, SimClock, running_simulator
from deltaworks_exec.algos.base import ParentSpec
from deltaworks_exec.algos.pov import Pov, PovParams
from deltaworks_exec.algos.registry import create
from deltaworks_exec.clock import SimulatedClock
from deltaworks_exec.venues.ccxt_venue import CcxtVenue
from deltaworks_exec.venues.engine_venue import EngineVenue
from tests.algo_support import START_MS, make_context, run_to_end, tape_volume

SYMBOL = "BTC/USDT"


@pytest.mark.parametrize("participation", [0.05, 0.2])
async def test_pov_keeps_its_share_of_the_live_volume(participation: float) -> None:
    clock = SimulatedClock(START_MS)
    engine = ExchangeEngine(
        "sim_a", [SYMBOL], seed=11, clock=SimClock(START_MS), withdrawals=1,
        market_model=MarketModel(),
    )  # fmt: skip
    venue = EngineVenue(engine, clock)
    ctx, _ = make_context(venue, clock)
    spec = ParentSpec(f"pov{int(participation * 100)}", venue.name, SYMBOL, "buy", 50.0)
    pov = Pov(spec, PovParams(participation=participation, duration_s=600), ctx)
    await pov.start()
    assert await run_to_end(clock, pov) == "completed"

    total = tape_volume(venue, SYMBOL, START_MS, START_MS + 600_000)
    share = float(pov.filled) / total
    assert share == pytest.approx(participation, rel=0.15)  # the last interval is not caught up
    assert pov.outcome is not None and "left" in pov.outcome  # 50 BTC is far more than 10 min


async def test_pov_stops_once_filled_and_is_known_by_name() -> None:
    clock = SimulatedClock(START_MS)
    engine = ExchangeEngine("sim_a", [SYMBOL], seed=3, clock=SimClock(START_MS), withdrawals=1)
    venue = EngineVenue(engine, clock)
    ctx, _ = make_context(venue, clock)
    spec = ParentSpec("povsmall", venue.name, SYMBOL, "sell", 0.01)
    pov = create("pov", spec, {"participation": 0.3, "duration_s": 3600}, ctx)
    await pov.start()
    assert await run_to_end(clock, pov) == "completed"
    assert float(pov.filled) == pytest.approx(0.01)
    assert clock.now_ms() < START_MS + 600_000  # done long before its duration
    with pytest.raises(ValueError, match="participation"):
        PovParams(participation=0.9, duration_s=60)


@pytest.mark.timeout(60)
async def test_public_trades_through_ccxt_are_the_simulators_tape(settings) -> None:
    config = settings.simulator.model_copy(update={"port": 0})
    with running_simulator(config, settings.exchanges, clock=SimClock(START_MS)) as server:
        engine = server.engine("sim_a")
        engine.place_order("main", SYMBOL, "buy", "market", 0.01)  # ours are on the tape too
        client = create_exchange(
            settings, settings.exchange("sim_a"), asynchronous=True, simulator_url=server.base_url
        )
        venue = CcxtVenue("sim_a", client)
        try:
            await venue.connect()
            trades = await venue.public_trades(SYMBOL, START_MS - 30_000)
        finally:
            await venue.close()
        tape = [t for t in engine.trades(SYMBOL, 1000) if t.time >= START_MS - 30_000]
    step = float(engine.market(SYMBOL).step)
    assert [t.ts_ms for t in trades] == [t.time for t in tape]
    assert [t.amount for t in trades] == pytest.approx([t.qty * step for t in tape])
    assert len({t.id for t in trades}) == len(trades) == 32  # 31 seconds and our fill
