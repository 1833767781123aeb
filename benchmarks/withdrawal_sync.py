"""Withdrawal sync benchmark: full backfill of a large history against incremental sensor ticks.

A private QuestDB and a simulator with one exchange holding 100,000 crypto (plus
10,000 fiat) withdrawals over a year. The full backfill fetches and upserts the
whole history with the asset's own code (windows of 90 days, every page). An
incremental sync is one ``withdrawal_sync`` sensor evaluation (through Dagster)
plus the runs it requests, with 0 and then 10 new withdrawals. Exchange requests
are counted at ccxt's HTTP layer.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ccxt
import dagster as dg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deltaworks_core.config import ExchangeSettings, load_settings
from deltaworks_core.questdb import ManagedQuestDB, QuestDBReader, migrate
from deltaworks_core.questdb.server import private_server_settings
from deltaworks_core.venues.simulator import SimClock, running_simulator
from deltaworks_pipelines.assets.withdrawals import fetch_withdrawals, write_withdrawals
from deltaworks_pipelines.definitions import WITHDRAWALS_JOB, build_definitions

HISTORY = 100_000
DAYS = 365
EXCHANGE = "bench_sync"


class RequestCounter:
    """Counts HTTP requests made by every ccxt exchange of the process."""

    def __init__(self) -> None:
        self.count = 0
        self._original: Callable[..., Any] = ccxt.Exchange.fetch

        def counting(exchange: Any, *args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return self._original(exchange, *args, **kwargs)

        ccxt.Exchange.fetch = counting  # type: ignore[method-assign]

    def take(self) -> int:
        count, self.count = self.count, 0
        return count


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def main() -> None:
    counter = RequestCounter()
    with tempfile.TemporaryDirectory() as folder:
        server = ManagedQuestDB(private_server_settings(Path(folder)), die_with_parent=True)
        server.start()
        try:
            with QuestDBReader(server.settings) as reader:
                migrate(reader)
            base = load_settings()
            settings = base.model_copy(
                update={
                    "questdb": server.settings,
                    "exchanges": (ExchangeSettings(name=EXCHANGE),),
                    "simulator": base.simulator.model_copy(
                        update={"withdrawals_per_exchange": HISTORY, "history_days": DAYS}
                    ),
                }
            )
            clock = SimClock(int(time.time() * 1000))
            free_port = settings.simulator.model_copy(update={"port": 0})
            with running_simulator(free_port, settings.exchanges, clock=clock) as sim:
                run(settings, sim, clock, counter)
        finally:
            server.stop()


def run(settings: Any, sim: Any, clock: SimClock, counter: RequestCounter) -> None:
    defs = build_definitions(settings, simulator_url=sim.base_url)
    start_ms = clock.now_ms() - (DAYS + 1) * 86_400_000

    def backfill() -> int:
        with dg.build_resources(defs.resources) as resources:
            with resources.exchanges.client(EXCHANGE) as client:
                found = fetch_withdrawals(client, start_ms, clock.now_ms() + 1)
            return len(write_withdrawals(resources.questdb, found))

    full_s, rows = timed(backfill)
    full_requests = counter.take()
    assert rows == HISTORY + HISTORY // 10, rows  # every crypto and fiat record, once
    print(f"full backfill: {rows:,} withdrawals in {full_s:.2f} s, {full_requests} requests")

    with dg.DagsterInstance.ephemeral() as instance:
        sensor = defs.resolve_sensor_def("withdrawal_sync")

        def tick(cursor: str | None) -> tuple[float, Any, int]:
            with dg.build_sensor_context(
                instance=instance, cursor=cursor, resources=defs.resources, definitions=defs
            ) as context:
                seconds, result = timed(lambda: sensor.evaluate_tick(context))
            return seconds, result, counter.take()

        _, first, _ = tick(None)  # rebuilds the cursor from QuestDB
        idle_s, idle, idle_requests = tick(first.cursor)
        print(
            f"incremental, 0 new: {idle_s * 1000:.1f} ms, {idle_requests} requests, "
            f"{len(idle.run_requests)} runs requested"
        )

        engine = sim.engine(EXCHANGE)
        for n in range(10):
            engine.add_withdrawal("USDT", 100.0 + n, pending_ms=600_000)
        clock.advance(1)
        new_tick_s, new, new_tick_requests = tick(idle.cursor)

        def execute_requested() -> None:
            for request in new.run_requests:
                result = defs.resolve_job_def(WITHDRAWALS_JOB).execute_in_process(
                    partition_key=request.partition_key,
                    instance=instance,
                    run_config={"loggers": {"console": {"config": {"log_level": "WARNING"}}}},
                )
                assert result.success

        runs_s, _ = timed(execute_requested)
        run_requests = counter.take()
        new_s = new_tick_s + runs_s
        print(
            f"incremental, 10 new: sensor {new_tick_s * 1000:.1f} ms ({new_tick_requests} "
            f"requests, {len(new.run_requests)} runs requested) + runs {runs_s * 1000:.1f} ms "
            f"({run_requests} requests) = {new_s * 1000:.1f} ms"
        )
    ratio_idle = full_s / idle_s
    print(
        f"full / incremental (0 new): {ratio_idle:,.0f}x; full / incremental (10 new, "
        f"with runs): {full_s / new_s:,.1f}x; measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    print(
        json.dumps(
            {
                "full_s": round(full_s, 3),
                "incremental_s": round(idle_s, 4),
                "incremental_requests_idle": idle_requests,
                "ratio": round(ratio_idle, 1),
                "incremental_new_s": round(new_s, 4),
                "incremental_new_requests": new_tick_requests + run_requests,
            }
        )
    )


if __name__ == "__main__":
    main()
