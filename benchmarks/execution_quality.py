"""Execution quality of TWAP, VWAP and POV against a naive market order, on a market that
reacts (the simulator's market model: square-root transient impact, permanent impact,
ladders that refill, U-shaped intraday volume with bursts).

Each run buys BTC/USDT over one hour from 00:00 UTC, where the day's volume falls off
fastest, on fresh simulated exchanges of one seed (one exchange per algorithm, so each
meets the same market): TWAP (60 one-minute slices), VWAP (10-second slices following a
per-minute profile averaged over the previous 5 days' candles of the same hour, re-planned
from the live volume: ``live``), POV (at
the cell's share of the volume, looking every 10 seconds, the rest at market at the end)
and the naive baseline (the whole order at market at arrival). Order sizes are 1%, 5%,
20% and 50% of the interval volume the profile expects. Fees: a desk tier of 2 bps maker,
4 bps taker.

Costs in bps of the arrival mid, positive = worse for the buyer, fees included, split
as ``deltaworks_exec.quality.tca`` does but with the simulator's own counterfactual: the
undisturbed mid (the market without the run's orders) separates the order's impact from
the market's drift (timing). Mean and standard error per cell; tracking is the average
price against the interval VWAP of the market's trades without fees. The last line is one
JSON object.

    .venv/bin/python benchmarks/execution_quality.py [--runs 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deltaworks_core.market_model import MarketModel
from deltaworks_core.venues.simulator import ATOMS_PER_UNIT, ExchangeEngine, SimClock
from deltaworks_exec.algos.base import AlgoContext, ParentOrder, ParentSpec
from deltaworks_exec.algos.pov import Pov, PovParams
from deltaworks_exec.algos.twap import Twap, TwapParams
from deltaworks_exec.algos.vwap import Vwap, VwapParams
from deltaworks_exec.clock import SimulatedClock
from deltaworks_exec.oms.algo_store import MemoryProgress
from deltaworks_exec.order_sinks import VenueOrders
from deltaworks_exec.venues.engine_data import interval_vwap
from deltaworks_exec.venues.engine_venue import EngineVenue

DAY_MS = 86_400_000
MINUTE_MS = 60_000
START_MS = 1_780_000_000_000 // DAY_MS * DAY_MS  # a day at 00:00 UTC
DURATION_S = 3600
SYMBOL = "BTC/USDT"
PROFILE_DAYS = 5
SIZES = (0.01, 0.05, 0.20, 0.50)
ALGOS = ("naive", "twap", "vwap", "pov")
MAKER_PPM, TAKER_PPM = 200, 400
MODEL = MarketModel()


@dataclass(frozen=True)
class Cost:
    """One run's costs in bps of arrival (buy), and its price against the interval VWAP."""

    total: float
    spread: float
    impact: float
    timing: float
    fees: float
    vs_interval_vwap: float
    tracking: float  # average price against the interval VWAP, fees excluded


def engine(seed: int) -> ExchangeEngine:
    out = ExchangeEngine(
        f"bench{seed}", [SYMBOL], seed=seed, clock=SimClock(START_MS), withdrawals=1,
        market_model=MODEL,
    )  # fmt: skip
    out.set_fee_rates(MAKER_PPM, TAKER_PPM)
    out.fund_account("main", {"USDT": 100_000_000})
    return out


def profile(market: ExchangeEngine) -> list[float]:
    """Average volume per minute of the interval over the previous days, in BTC."""
    step = float(market.market(SYMBOL).step)
    minutes = DURATION_S // 60
    out = [0.0] * minutes
    for day in range(1, PROFILE_DAYS + 1):
        start = START_MS - day * DAY_MS
        for k in market.klines(SYMBOL, "1m", start_ms=start, limit=minutes):
            out[(k[0] - start) // MINUTE_MS] += k[5] * step / PROFILE_DAYS
    return out


def costs(market: ExchangeEngine, arrival: float) -> Cost:
    """The run's fills against the arrival mid, split with the undisturbed mid."""
    m = market.market(SYMBOL)
    synth = market.liquidity(SYMBOL)
    fills = []
    next_id = 0
    while page := market.my_trades("main", SYMBOL, from_id=next_id, limit=1000):
        fills.extend(page)
        next_id = page[-1].id + 1
    qty = sum(f.qty for f in fills)
    spread = walk = pressure = drift = fees = notional = 0.0
    for f in fills:
        mid = synth.mid(f.time - 1)  # just before the fill moved it
        half = synth.half_spread(mid)
        paid = f.price - mid
        crossing = max(-half, min(half, paid))
        spread += crossing * f.qty
        walk += (paid - crossing) * f.qty
        pressure += (mid - synth.undisturbed_mid(f.time - 1)) * f.qty
        drift += (synth.undisturbed_mid(f.time - 1) - arrival) * f.qty
        commission = f.commission / ATOMS_PER_UNIT
        fees += commission * float(f.price * m.tick) if f.commission_asset == m.base else commission
        notional += f.quote / ATOMS_PER_UNIT
    scale = 10_000 / arrival / qty
    fees_bps = fees / notional * 10_000
    average = notional / (qty * float(m.step) * float(m.tick))  # in ticks
    vwap = interval_vwap(market, SYMBOL, START_MS, START_MS + DURATION_S * 1000) / float(m.tick)
    effective = average * (1 + fees_bps / 10_000)
    return Cost(
        total=(average - arrival) / arrival * 10_000 + fees_bps,
        spread=spread * scale,
        impact=(walk + pressure) * scale,
        timing=drift * scale,
        fees=fees_bps,
        vs_interval_vwap=(effective - vwap) / vwap * 10_000,
        tracking=(average - vwap) / vwap * 10_000,
    )


async def run(algo: str, seed: int, size: float) -> Cost:
    market = engine(seed)
    volumes = profile(market)
    quantity = round(size * sum(volumes), 5)
    clock = SimulatedClock(START_MS)
    venue = EngineVenue(market, clock)
    arrival = market.liquidity(SYMBOL).mid(START_MS)
    if algo == "naive":
        market.place_order("main", SYMBOL, "buy", "market", quantity)
        return costs(market, arrival)
    ctx = AlgoContext(venue, clock, VenueOrders(venue), MemoryProgress())
    spec = ParentSpec(f"{algo}{seed}", venue.name, SYMBOL, "buy", quantity)
    parent: ParentOrder
    if algo == "twap":
        parent = Twap(spec, TwapParams(duration_s=DURATION_S, slices=60), ctx)
    elif algo == "vwap":
        params = VwapParams(duration_s=DURATION_S, volumes=tuple(volumes), slice_s=10, live=True)
        parent = Vwap(spec, params, ctx)
    else:
        params = PovParams(participation=size, duration_s=DURATION_S, interval_s=10, end="market")
        parent = Pov(spec, params, ctx)
    await parent.start()
    await clock.advance(0)
    while parent.status == "running" and (wake := clock.next_wake_ms()) is not None:
        await clock.advance_to(wake)
    if parent.status != "completed" or parent.remaining > 0:
        raise RuntimeError(f"{spec.algo_id} ended {parent.status}: {parent.message}")
    return costs(market, arrival)


def mean_se(values: list[float]) -> tuple[float, float]:
    return statistics.fmean(values), statistics.stdev(values) / math.sqrt(len(values))


def paired(cells: dict[tuple[str, float], list[Cost]], worse: str, better: str, size: float):
    """Mean and standard error of ``worse``'s total cost minus ``better``'s, run by run."""
    return mean_se(
        [w.total - b.total for w, b in zip(cells[worse, size], cells[better, size], strict=True)]
    )


def field(cells: dict[tuple[str, float], list[Cost]], algo: str, size: float) -> Callable:
    return lambda name: mean_se([getattr(c, name) for c in cells[algo, size]])[0]


async def main(runs: int) -> dict[str, float | int]:
    cells: dict[tuple[str, float], list[Cost]] = {(a, s): [] for a in ALGOS for s in SIZES}
    started = time.perf_counter()
    for seed in range(runs):
        for size in SIZES:
            for algo in ALGOS:
                cells[algo, size].append(await run(algo, seed, size))
        print(f"run {seed + 1}/{runs} done ({time.perf_counter() - started:.0f} s)", flush=True)
    print(f"{'size':>5} {'algo':>6} | {'total':>15} {'spread':>7} {'impact':>14} "
          f"{'timing':>14} {'fees':>5} | vs interval VWAP, tracking (mean abs)")  # fmt: skip
    for size in SIZES:
        for algo in ALGOS:
            cell = cells[algo, size]
            total, impact, timing = (
                mean_se([getattr(c, n) for c in cell]) for n in ("total", "impact", "timing")
            )
            spread = statistics.fmean(c.spread for c in cell)
            fees = statistics.fmean(c.fees for c in cell)
            deviation = statistics.fmean(abs(c.vs_interval_vwap) for c in cell)
            tracking = statistics.fmean(abs(c.tracking) for c in cell)
            print(
                f"{size:>5.0%} {algo:>6} | {total[0]:+7.2f} ±{total[1]:5.2f} {spread:+7.2f} "
                f"{impact[0]:+6.2f} ±{impact[1]:5.2f} {timing[0]:+6.2f} ±{timing[1]:5.2f} "
                f"{fees:5.2f} | {deviation:6.2f} {tracking:6.2f}"
            )
    vwap5, naive5 = field(cells, "vwap", 0.05), field(cells, "naive", 0.05)
    vwap20, naive20 = field(cells, "vwap", 0.20), field(cells, "naive", 0.20)
    saving = paired(cells, "naive", "vwap", 0.20)
    twap_vwap = paired(cells, "twap", "vwap", 0.20)
    return {
        "runs_per_cell": runs,
        "duration_s": DURATION_S,
        "fees_maker_bps": MAKER_PPM / 100,
        "fees_taker_bps": TAKER_PPM / 100,
        "vwap_vs_interval_vwap_bps": statistics.fmean(
            abs(c.vs_interval_vwap) for c in cells["vwap", 0.05]
        ),
        "twap_vs_interval_vwap_bps": statistics.fmean(
            abs(c.vs_interval_vwap) for c in cells["twap", 0.05]
        ),
        "vwap_tracking_bps_5pct": statistics.fmean(abs(c.tracking) for c in cells["vwap", 0.05]),
        "twap_tracking_bps_5pct": statistics.fmean(abs(c.tracking) for c in cells["twap", 0.05]),
        "vwap_cost_bps_5pct": vwap5("total"),
        "naive_cost_bps_5pct": naive5("total"),
        "vwap_saving_vs_naive_bps_20pct": saving[0],
        "vwap_saving_vs_naive_se_bps_20pct": saving[1],
        "vwap_impact_bps_20pct": vwap20("impact"),
        "naive_impact_bps_20pct": naive20("impact"),
        "vwap_impact_saving_share_20pct": 1 - vwap20("impact") / naive20("impact"),
        "twap_vs_vwap_bps_20pct": twap_vwap[0],
        "twap_vs_vwap_se_bps_20pct": twap_vwap[1],
        "pov_cost_bps_20pct": field(cells, "pov", 0.20)("total"),
        "elapsed_s": time.perf_counter() - started,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    if args.runs < 2:
        parser.error("--runs must be at least 2")
    print(json.dumps(asyncio.run(main(args.runs))))
