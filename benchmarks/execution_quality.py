"""Execution quality of TWAP and VWAP: 50 seeded runs on the simulator's engine.

Each run buys the same quantity of BTC/USDT over 30 minutes on a fresh
simulated exchange (seed = run number) driven on a simulated clock, once with
TWAP (30 one-minute slices) and once with VWAP (profile of 1m candles over the
last 5 days at the same time of day, written to and read back from a private
QuestDB; 10-second slices). Reported in basis points, positive = worse for the
buyer: TWAP against the arrival mid, VWAP against the interval VWAP of the
market's trades. The last line is one JSON object.

    .venv/bin/python benchmarks/execution_quality.py [--runs 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deltaworks_core.questdb import ManagedQuestDB, QuestDBReader, QuestDBWriter, migrate
from deltaworks_core.questdb.server import private_server_settings
from deltaworks_core.venues.simulator import ExchangeEngine, SimClock
from deltaworks_exec.algos.base import AlgoContext, ParentOrder, ParentSpec
from deltaworks_exec.algos.twap import Twap, TwapParams
from deltaworks_exec.algos.vwap import Vwap, VwapParams
from deltaworks_exec.clock import SimulatedClock
from deltaworks_exec.oms.algo_store import MemoryProgress
from deltaworks_exec.oms.volume_profile import load_profile
from deltaworks_exec.order_sinks import VenueOrders
from deltaworks_exec.venues.engine_data import candle_rows, interval_vwap
from deltaworks_exec.venues.engine_venue import EngineVenue

DAY_MS = 86_400_000
START_MS = 1_780_000_000_000 // DAY_MS * DAY_MS + 14 * 3_600_000  # 14:00 UTC
DURATION_S = 1800
SYMBOL = "BTC/USDT"
QUANTITY = 0.5
PROFILE_DAYS = 5


def bps(price: float, reference: float) -> float:
    return (price / reference - 1) * 10_000


def exchange(seed: int, clock: SimulatedClock) -> EngineVenue:
    engine = ExchangeEngine(
        f"bench{seed}", [SYMBOL], seed=seed, clock=SimClock(START_MS), withdrawals=1
    )
    return EngineVenue(engine, clock)


async def run(algo: ParentOrder, clock: SimulatedClock) -> None:
    await algo.start()
    await clock.advance(0)
    while algo.status == "running" and (wake := clock.next_wake_ms()) is not None:
        await clock.advance_to(wake)
    if algo.status != "completed" or algo.average is None:
        raise RuntimeError(f"{algo.spec.algo_id} ended {algo.status}: {algo.message}")


async def twap_run(seed: int) -> float:
    clock = SimulatedClock(START_MS)
    venue = exchange(seed, clock)
    arrival = (await venue.order_book(SYMBOL, 1)).mid
    ctx = AlgoContext(venue, clock, VenueOrders(venue), MemoryProgress())
    spec = ParentSpec(f"twap{seed}", venue.name, SYMBOL, "buy", QUANTITY)
    twap = Twap(spec, TwapParams(duration_s=DURATION_S, slices=30), ctx)
    await run(twap, clock)
    return bps(twap.average, arrival)


async def vwap_run(seed: int, writer: QuestDBWriter, reader: QuestDBReader) -> float:
    clock = SimulatedClock(START_MS)
    venue = exchange(seed, clock)
    rows = [
        row
        for day in range(1, PROFILE_DAYS + 1)
        for row in candle_rows(
            venue.engine,
            SYMBOL,
            START_MS - day * DAY_MS,
            START_MS - day * DAY_MS + DURATION_S * 1000,
        )
    ]
    writer.write_rows("candles", rows, symbols=("exchange", "symbol", "timeframe"))
    reader.wait_visible("candles")
    volumes = load_profile(reader, venue.name, SYMBOL, START_MS, DURATION_S, 60, PROFILE_DAYS)
    ctx = AlgoContext(venue, clock, VenueOrders(venue), MemoryProgress())
    spec = ParentSpec(f"vwap{seed}", venue.name, SYMBOL, "buy", QUANTITY)
    params = VwapParams(duration_s=DURATION_S, volumes=tuple(volumes), slice_s=10)
    vwap = Vwap(spec, params, ctx)
    await run(vwap, clock)
    market = interval_vwap(venue.engine, SYMBOL, START_MS, START_MS + DURATION_S * 1000)
    return bps(vwap.average, market)


async def main(runs: int) -> dict[str, float]:
    twap: list[float] = []
    vwap: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        server = ManagedQuestDB(private_server_settings(Path(folder)), die_with_parent=True)
        server.start()
        try:
            with QuestDBReader(server.settings) as reader, QuestDBWriter(server.settings) as writer:
                migrate(reader)
                started = time.perf_counter()
                for seed in range(runs):
                    twap.append(await twap_run(seed))
                    vwap.append(await vwap_run(seed, writer, reader))
                    print(
                        f"run {seed + 1:>2}/{runs}: TWAP vs arrival {twap[-1]:+7.2f} bps, "
                        f"VWAP vs interval VWAP {vwap[-1]:+6.2f} bps",
                        flush=True,
                    )
                elapsed = time.perf_counter() - started
        finally:
            server.stop()
    result = {
        "runs": runs,
        "quantity": QUANTITY,
        "duration_s": DURATION_S,
        "twap_slippage_bps_mean": statistics.fmean(twap),
        "twap_slippage_bps_sd": statistics.stdev(twap),
        "vwap_dev_bps_mean": statistics.fmean(vwap),
        "vwap_dev_bps_mean_abs": statistics.fmean(abs(v) for v in vwap),
        "vwap_dev_bps_sd": statistics.stdev(vwap),
        "elapsed_s": elapsed,
    }
    print(
        f"TWAP slippage vs arrival: mean {result['twap_slippage_bps_mean']:+.2f} bps, "
        f"sd {result['twap_slippage_bps_sd']:.2f} bps"
    )
    print(
        f"VWAP deviation from interval VWAP: mean abs {result['vwap_dev_bps_mean_abs']:.2f} bps "
        f"(goal < 5), sd {result['vwap_dev_bps_sd']:.2f} bps"
    )
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    if args.runs < 2:
        parser.error("--runs must be at least 2")
    print(json.dumps(asyncio.run(main(args.runs))))
