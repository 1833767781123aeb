"""Holdings snapshot benchmark: 10 simulated exchanges of mixed profiles, 100 ms per request.

Five Binance-dialect exchanges (spot, margin and futures wallets: three balance calls)
and five OKX-dialect ones (spot, margin, future and funding account types: two wallets,
the unified trading account read once). The snapshot of all exchanges (every balance
and ticker request on the exchanges resource's thread pool, one thread per request, as
the holdings asset does) against the same requests made one at a time. The simulator
runs in a process of its own, as a remote exchange would: its CPU is not the client's.
One untimed snapshot first loads markets and fills the client pool, as in a long-running
process (markets are cached for an hour). Each mode runs three times (medians reported); every
snapshot is written to a private QuestDB and the snapshots' row counts compared.
"""

from __future__ import annotations

import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from multiprocessing.synchronize import Event
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import dagster as dg

from deltaworks_core.config import ExchangeSettings, SimulatorSettings, load_settings
from deltaworks_core.questdb import ManagedQuestDB, QuestDBReader, migrate
from deltaworks_core.questdb.server import private_server_settings
from deltaworks_core.venues.profiles import Wallet, profile_for
from deltaworks_core.venues.simulator import running_simulator
from deltaworks_pipelines.assets.holdings import SYMBOLS, TABLE, snapshot
from deltaworks_pipelines.resources import ExchangesResource, QuestDBResource

EXCHANGES = 10
LATENCY_MS = 100
REPEATS = 3
PROFILE_MIX = (
    {"ccxt_id": "binance", "account_types": ("spot", "margin", "future")},
    {"ccxt_id": "okx", "account_types": ("spot", "margin", "future", "funding")},
)


def wallets_of(exchange: ExchangeSettings) -> list[Wallet]:
    """The distinct wallets a snapshot reads for ``exchange`` (one balance call each)."""
    return profile_for(exchange.ccxt_id).wallets_for(exchange.account_types)


def _serve(
    settings: SimulatorSettings,
    exchanges: Sequence[ExchangeSettings],
    url: multiprocessing.SimpleQueue,
    stop: Event,
) -> None:
    with running_simulator(settings, exchanges) as sim:
        for exchange in exchanges:
            sim.engine(exchange.name).set_faults(latency_ms=LATENCY_MS)
        url.put(sim.base_url)
        stop.wait()


@contextmanager
def simulator_process(
    settings: SimulatorSettings, exchanges: Sequence[ExchangeSettings]
) -> Iterator[str]:
    """The simulator, ``LATENCY_MS`` per request, in a child process; yields its URL."""
    context = multiprocessing.get_context("spawn")
    url, stop = context.SimpleQueue(), context.Event()
    child = context.Process(target=_serve, args=(settings, exchanges, url, stop), daemon=True)
    child.start()
    try:
        yield url.get()
    finally:
        stop.set()
        child.join(timeout=10)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        server = ManagedQuestDB(private_server_settings(Path(folder)), die_with_parent=True)
        server.start()
        try:
            with QuestDBReader(server.settings) as reader:
                migrate(reader)
            base = load_settings()
            names = [f"bench_h{n}" for n in range(EXCHANGES)]
            configured = tuple(
                ExchangeSettings(name=name, **PROFILE_MIX[n % len(PROFILE_MIX)])
                for n, name in enumerate(names)
            )
            settings = base.model_copy(
                update={
                    "questdb": server.settings,
                    "exchanges": configured,
                    "simulator": base.simulator.model_copy(update={"withdrawals_per_exchange": 0}),
                }
            )
            free_port = settings.simulator.model_copy(update={"port": 0})
            with simulator_process(free_port, settings.exchanges) as url, ExitStack() as stack:
                requests = sum(len(wallets_of(e)) + 1 for e in configured)  # + tickers
                resource = ExchangesResource.from_settings(settings, url)
                own = {
                    "exchanges": ExchangesResource(
                        **{**resource.model_dump(), "max_workers": requests}
                    ),
                    "questdb": QuestDBResource.from_settings(server.settings),
                }
                resources = stack.enter_context(dg.build_resources(own))
                exchanges, questdb = resources.exchanges, resources.questdb
                snapshot(exchanges, names, exchanges.max_workers)  # warm: markets, clients
                timings: dict[str, list[float]] = {"parallel": [], "sequential": []}
                for _ in range(REPEATS):
                    for label, workers in (("parallel", exchanges.max_workers), ("sequential", 1)):
                        started = time.perf_counter()
                        frame = snapshot(exchanges, names, workers)
                        timings[label].append(time.perf_counter() - started)
                        questdb.writer.write_dataframe(TABLE, frame, symbols=SYMBOLS)
                        print(
                            f"{label}: {len(frame)} balances of {EXCHANGES} exchanges "
                            f"({requests} requests) in {timings[label][-1]:.3f} s "
                            f"({workers} worker(s))"
                        )
                questdb.reader.wait_visible(TABLE)
                counts = questdb.reader.query(
                    "SELECT ts, count() AS n FROM holdings GROUP BY ts ORDER BY ts"
                )
                assert len(counts) == 2 * REPEATS, counts
                assert len({c["n"] for c in counts}) == 1, counts
        finally:
            server.stop()
    parallel_s = statistics.median(timings["parallel"])
    sequential_s = statistics.median(timings["sequential"])
    ratio = sequential_s / parallel_s
    print(f"medians of {REPEATS}: parallel {parallel_s:.3f} s, sequential {sequential_s:.3f} s")
    print(f"sequential / parallel: {ratio:.1f}x")
    print(
        json.dumps(
            {
                "parallel_s": round(parallel_s, 3),
                "sequential_s": round(sequential_s, 3),
                "ratio": round(ratio, 1),
                "exchanges": EXCHANGES,
                "profiles": sorted({m["ccxt_id"] for m in PROFILE_MIX}),
                "requests": requests,
                "latency_ms": LATENCY_MS,
            }
        )
    )


if __name__ == "__main__":
    main()
