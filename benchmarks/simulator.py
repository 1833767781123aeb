"""Simulator benchmark: in-process matching engine events/s and ccxt order round trips/s.

Run from the repository root: ``.venv/bin/python benchmarks/simulator.py``. The last line
is one JSON object ``{"engine_events_per_s": ..., "ccxt_roundtrips_per_s": ...,
"okx_roundtrips_per_s": ...}`` (ccxt round trips through the Binance and OKX dialects).

Engine events are what a matching engine reports: order accepted, order added to the
book, order cancelled, and one execution per side of every match. The mix, on a simulated
clock: a market maker posts five small asks inside the spread and one bid away from the
touch; a taker IOC order sweeps the five asks; the maker cancels the bid (8 requests,
23 events per round).
"""

from __future__ import annotations

import json
import time
from decimal import Decimal

from deltaworks_core.config import settings_from_dict
from deltaworks_core.venues.factory import create_exchange
from deltaworks_core.venues.simulator import ExchangeEngine, SimClock, running_simulator

EPOCH_MS = 1_764_000_000_000
ENGINE_ROUNDS = 5_000
LADDER = 5
CCXT_ROUNDS = 300
REPEATS = 5  # best of five short runs: the engine's speed, not other processes' noise


def bench_engine() -> tuple[float, float]:
    """(events per wall-clock second, events per CPU second) of one run."""
    engine = ExchangeEngine(
        "bench", ["BTC/USDT"], seed=1, clock=SimClock(EPOCH_MS), epoch_ms=EPOCH_MS, withdrawals=0
    )
    for name in ("main", "mm"):
        engine.add_account(name)
        engine.set_balance(name, "USDT", "1000000000")
        engine.set_balance(name, "BTC", "100000")
    book = engine.order_book("BTC/USDT", 1)
    bid, ask = book.bids[0][0], book.asks[0][0]
    tick = book.market.tick
    inside = (bid + ask) // 2
    quotes = [str(Decimal(bid - 50 - i % 200) * tick) for i in range(1000)]
    ladder = [str(Decimal(inside + i) * tick) for i in range(LADDER)]
    sweep = ladder[-1]
    place, cancel = engine.place_order, engine.cancel_order
    start_events = engine.events
    started, cpu_started = time.perf_counter(), time.process_time()
    for i in range(ENGINE_ROUNDS):
        resting = place("mm", "BTC/USDT", "buy", "LIMIT", "0.01", quotes[i % 1000])
        for level in ladder:  # a market maker posts asks inside the spread
            place("mm", "BTC/USDT", "sell", "LIMIT", "0.001", level)
        place("main", "BTC/USDT", "buy", "LIMIT", "0.005", sweep, time_in_force="IOC")
        cancel("mm", "BTC/USDT", resting.id)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    events = engine.events - start_events
    return events / elapsed, events / cpu


def bench_ccxt(ccxt_id: str) -> float:
    """create_order + cancel_order round trips a second through ``ccxt.<ccxt_id>`` (the
    simulator speaking that exchange's dialect; its rate limits scaled out of the way)."""
    settings = settings_from_dict(
        {
            "simulator": {"host": "127.0.0.1", "port": 1, "withdrawals_per_exchange": 0},
            "exchanges": [
                {"name": "bench", "ccxt_id": ccxt_id, "mode": "simulated", "symbols": ["BTC/USDT"]}
            ],
        }
    )
    settings = settings.model_copy(
        update={"simulator": settings.simulator.model_copy(update={"port": 0})}
    )
    with running_simulator(
        settings.simulator, settings.exchanges, clock=SimClock(EPOCH_MS)
    ) as server:
        exchange = create_exchange(
            settings, settings.exchange("bench"), simulator_url=server.base_url
        )
        exchange.enableRateLimit = False
        exchange.load_markets()
        price = exchange.fetch_order_book("BTC/USDT", 5)["bids"][0][0] * 0.9
        price = float(exchange.price_to_precision("BTC/USDT", price))
        started = time.perf_counter()
        for _ in range(CCXT_ROUNDS):
            order = exchange.create_order("BTC/USDT", "limit", "buy", 0.001, price)
            exchange.cancel_order(order["id"], "BTC/USDT")
        return CCXT_ROUNDS / (time.perf_counter() - started)


def main() -> None:
    runs = [bench_engine() for _ in range(REPEATS)]
    engine_rate = max(wall for wall, _ in runs)
    cpu_rate = max(cpu for _, cpu in runs)
    print(
        f"engine: {engine_rate:,.0f} events/s wall clock, {cpu_rate:,.0f} per CPU second "
        f"(best of {REPEATS} runs of {ENGINE_ROUNDS * (LADDER + 3):,} requests)"
    )
    ccxt_rate, okx_rate = bench_ccxt("binance"), bench_ccxt("okx")
    print(
        f"ccxt over HTTP: {ccxt_rate:,.1f} (Binance dialect), {okx_rate:,.1f} (OKX dialect) "
        "create_order+cancel_order round trips/s"
    )
    print(
        json.dumps(
            {
                "engine_events_per_s": round(engine_rate),
                "ccxt_roundtrips_per_s": round(ccxt_rate, 1),
                "okx_roundtrips_per_s": round(okx_rate, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
