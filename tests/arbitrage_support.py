"""Helpers of the arbitrage tests: the simulator's books as tops, the next opportunity."""

from __future__ import annotations

import asyncio
import math
import time
from datetime import UTC, datetime

from deltaworks_core.venues.simulator import ExchangeEngine, SimulatorServer
from deltaworks_exec.arbitrage.scanner import Opportunity, Top, find_opportunities
from deltaworks_exec.marketdata import BookCache

SYMBOL = "BTC/USDT"
VENUES = ("sim_a", "sim_b")
TAKER_FEE = 0.001
FAULTS_OFF = {"error_rate": 0.0, "timeout_rate": 0.0, "drop_order_response": 0.0}


def top(engine: ExchangeEngine) -> Top:
    depth = engine.order_book(SYMBOL, 1)
    tick, step = float(depth.market.tick), float(depth.market.step)
    (bid, bid_size), (ask, ask_size) = depth.bids[0], depth.asks[0]
    return Top(bid * tick, bid_size * step, ask * tick, ask_size * step, TAKER_FEE)


def next_opportunity(simulator: SimulatorServer, min_edge_bps: float = 2.0) -> Opportunity:
    """Move simulated time 10 s at a time until the two books cross by ``min_edge_bps``."""
    engines = {name: simulator.engine(name) for name in VENUES}
    for _ in range(3000):
        tops = {name: top(engine) for name, engine in engines.items()}
        found = find_opportunities(datetime.now(UTC), SYMBOL, tops, min_edge_bps)
        if found:
            return max(found, key=lambda o: o.net_edge_bps)
        engines["sim_a"].advance(10)
    raise AssertionError("no opportunity in 8 simulated hours")


async def books_caught_up(market: BookCache, simulator: SimulatorServer) -> None:
    """Wait until the streamed books show each venue's current top: they follow a moved
    simulated clock by a push, a few milliseconds later."""
    deadline = time.monotonic() + 10
    for name in VENUES:
        want = top(simulator.engine(name))
        while True:
            quote = await market.quote(name, SYMBOL)
            if (
                quote is not None
                and math.isclose(quote.bid, want.bid, rel_tol=1e-12)
                and (math.isclose(quote.ask, want.ask, rel_tol=1e-12))
            ):
                break
            assert time.monotonic() < deadline, f"the {name} book stream is behind: {quote}"
            await asyncio.sleep(0.02)
