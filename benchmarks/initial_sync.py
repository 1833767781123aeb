"""Initial sync benchmark: a year of withdrawals on two exchanges, direct against Dagster backfill.

A private QuestDB and a simulator with two exchanges of 50,000 crypto (plus 5,000
fiat) withdrawals each over a year, every request delayed by 50 ms.

(a) direct: the asset's paging function over the whole year for both exchanges
    at once (one thread each), one ILP write per exchange.
(b) backfill: a Dagster asset backfill of ``withdrawals`` over every day of the
    year on both exchanges, on an instance configured as the deployment's
    (``deltaworks_pipelines.instance``: run queue, pools), driven by the daemon's
    own iterations: the backfill daemon's (``execute_backfill_iteration``)
    queues the runs, the run queue's (``QueuedRunCoordinatorDaemon``) launches
    them (each its own process, through the code location's gRPC server). Like
    the daemon, which ticks every 30 s, the loop does not iterate while the
    backfill's runs are in progress; it polls their status (a cheap read) so
    that completion is seen within a second. Timed from the backfill's
    submission to its completion.

Before the JSON line it prints where the backfill's time went: when each run was
created and when its process started (the run queue launches them side by side,
through the code server, which starts first), how long each
run ran (fetch, ILP writes, committed windows, the materialization events of its
366 partitions), and the last run's end to the backfill's completion.

The last line is ``{"direct_s", "backfill_s", "runs", "ratio"}``, ratio = backfill / direct.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# On a loaded machine the code server can take longer than gRPC's 60 s default to start
# a run; read when Dagster is imported.
os.environ.setdefault("DAGSTER_GRPC_TIMEOUT_SECONDS", "600")

import dagster as dg
from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill
from dagster._core.storage.dagster_run import IN_PROGRESS_RUN_STATUSES as IN_PROGRESS
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import ModuleTarget
from dagster._daemon.backfill import execute_backfill_iteration
from dagster._daemon.run_coordinator.queued_run_coordinator_daemon import (
    QueuedRunCoordinatorDaemon,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deltaworks_core.config import CONFIG_ENV_VAR, ExchangeSettings, Settings, load_settings
from deltaworks_core.questdb import ManagedQuestDB, QuestDBReader, migrate
from deltaworks_core.questdb.server import private_server_settings
from deltaworks_core.venues.simulator import SimClock, SimulatorServer, running_simulator
from deltaworks_pipelines.assets.withdrawals import (
    SYMBOLS,
    TABLE,
    fetch_withdrawals,
    withdrawals_frame,
)
from deltaworks_pipelines.definitions import build_definitions
from deltaworks_pipelines.instance import dagster_env
from deltaworks_pipelines.partitions import ExchangeDay, utc_today

REPO = Path(__file__).resolve().parent.parent
HISTORY = 50_000
DAYS = 365
LATENCY_MS = 50
EXCHANGES = ("bench_a", "bench_b")
POLL_S = 0.5
FINISHED = {
    BulkActionStatus.COMPLETED,
    BulkActionStatus.COMPLETED_SUCCESS,
    BulkActionStatus.COMPLETED_FAILED,
    BulkActionStatus.FAILED,
    BulkActionStatus.CANCELED,
}


def timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def settings_toml(settings: Settings, sim: SimulatorServer) -> str:
    """The configuration the code location (and every run process) loads."""
    q = settings.questdb
    lines = [
        "[questdb]",
        "managed = false",
        f'host = "{q.host}"',
        f"http_port = {q.http_port}",
        f"pg_port = {q.pg_port}",
        "[simulator]",
        f'host = "{settings.simulator.host}"',
        f"port = {sim.port}",
        "[pipelines]",
        f'partitions_start_date = "{utc_today() - timedelta(days=DAYS + 30)}"',
    ]
    for name in EXCHANGES:
        lines += ["[[exchanges]]", f'name = "{name}"']
    return "\n".join(lines) + "\n"


def direct(settings: Settings, sim: SimulatorServer, reader: QuestDBReader) -> float:
    """Both exchanges' year through the paging function, one thread per exchange."""
    defs = build_definitions(settings, simulator_url=sim.base_url)
    end_ms = sim.engine(EXCHANGES[0]).now_ms() + 1
    start_ms = end_ms - (DAYS + 1) * 86_400_000

    with dg.build_resources(defs.resources) as resources:

        def sync(name: str) -> int:
            with resources.exchanges.client(name) as client:
                found = fetch_withdrawals(client, start_ms, end_ms)
            frame = withdrawals_frame(found, datetime.now(UTC))
            resources.questdb.writer.write_dataframe(TABLE, frame, symbols=SYMBOLS)
            return len(frame)

        def both() -> list[int]:
            with ThreadPoolExecutor(len(EXCHANGES)) as pool:
                rows = list(pool.map(sync, EXCHANGES))
            resources.questdb.reader.wait_visible(TABLE)
            return rows

        seconds, rows = timed(both)
    assert rows == [HISTORY + HISTORY // 10] * len(EXCHANGES), rows
    return seconds


def backfill(settings: Settings, folder: Path) -> tuple[float, int]:
    """A backfill of every day of the year on both exchanges, as the daemon runs it."""
    os.environ.update(dagster_env(folder))  # the deployment's instance and run creation
    today = utc_today()
    days = [today - timedelta(days=n) for n in range(DAYS, -1, -1)]
    keys = [str(ExchangeDay(name, day).key) for name in EXCHANGES for day in days]
    logger = logging.getLogger("initial_sync.backfill")
    with (
        QueuedRunCoordinatorDaemon(interval_seconds=POLL_S) as run_queue,
        dg.DagsterInstance.get() as instance,
        WorkspaceProcessContext(
            instance,
            ModuleTarget(
                module_name="deltaworks_pipelines.definitions",
                attribute="defs",
                working_directory=str(REPO),
                location_name="deltaworks",
            ),
        ) as workspace,
    ):
        asset_graph = workspace.create_request_context().asset_graph
        backfill_id = f"initialsync{uuid.uuid4().hex[:8]}"
        started = time.perf_counter()
        instance.add_backfill(
            PartitionBackfill.from_asset_partitions(
                backfill_id=backfill_id,
                asset_graph=asset_graph,
                partition_names=keys,
                asset_selection=[dg.AssetKey(TABLE)],
                backfill_timestamp=time.time(),
                tags={},
                dynamic_partitions_store=instance,
                all_partitions=False,
                title="initial sync benchmark",
                description=None,
                run_config=None,
            )
        )
        tags = {"dagster/backfill": backfill_id}
        while instance.get_backfill(backfill_id).status not in FINISHED:
            list(execute_backfill_iteration(workspace, logger))  # queues the runs
            list(run_queue.run_iteration(workspace))  # launches them
            while instance.get_runs_count(
                filters=dg.RunsFilter(tags=tags, statuses=list(IN_PROGRESS))
            ):
                time.sleep(POLL_S)
            time.sleep(POLL_S)
        seconds = time.perf_counter() - started
        finished = time.time()
        status = instance.get_backfill(backfill_id).status
        runs = instance.get_runs(filters=dg.RunsFilter(tags=tags))
        assert status in {BulkActionStatus.COMPLETED, BulkActionStatus.COMPLETED_SUCCESS}, status
        assert all(run.status == dg.DagsterRunStatus.SUCCESS for run in runs)
        materialized = set(instance.get_materialized_partitions(dg.AssetKey(TABLE)))
        assert set(keys) <= materialized
        print_breakdown(instance, runs, finished - seconds, finished)
    return seconds, len(runs)


def print_breakdown(
    instance: dg.DagsterInstance, runs: list[dg.DagsterRun], submitted: float, finished: float
) -> None:
    """Where the backfill's time went, from the run records and their step events."""
    records = instance.get_run_records(filters=dg.RunsFilter(run_ids=[r.run_id for r in runs]))
    starts = [r.start_time for r in records if r.start_time]
    ends = [r.end_time for r in records if r.end_time]
    print(f"submission to the first run's start: {min(starts) - submitted:.1f} s")
    for record in records:
        created = record.create_timestamp.timestamp() - submitted
        print(
            f"run {record.dagster_run.run_id[:8]}: created {created:.1f} s after submission, "
            f"its process started {record.start_time - submitted:.1f} s after submission, "
            f"ran {record.end_time - record.start_time:.1f} s"
        )
    print(f"last run's end to the backfill's completion: {finished - max(ends):.1f} s")


def main() -> None:
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as tmp:
        folder = Path(tmp)
        server = ManagedQuestDB(private_server_settings(folder / "questdb"), die_with_parent=True)
        server.start()
        try:
            with QuestDBReader(server.settings) as reader:
                migrate(reader)
                base = load_settings()
                settings = base.model_copy(
                    update={
                        "questdb": server.settings,
                        "exchanges": tuple(ExchangeSettings(name=n) for n in EXCHANGES),
                        "simulator": base.simulator.model_copy(
                            update={"withdrawals_per_exchange": HISTORY, "history_days": DAYS}
                        ),
                    }
                )
                clock = SimClock(int(time.time() * 1000))
                free_port = settings.simulator.model_copy(update={"port": 0})
                with running_simulator(free_port, settings.exchanges, clock=clock) as sim:
                    for name in EXCHANGES:
                        sim.engine(name).set_faults(latency_ms=LATENCY_MS)
                    config = folder / "deltaworks.toml"
                    config.write_text(settings_toml(settings, sim))
                    os.environ[CONFIG_ENV_VAR] = str(config)
                    direct_s = direct(settings, sim, reader)
                    print(f"direct: {direct_s:.2f} s for {len(EXCHANGES)} exchanges")
                    reader.execute(f"TRUNCATE TABLE {TABLE}")
                    backfill_s, runs = backfill(settings, folder)
                    print(f"backfill: {backfill_s:.2f} s in {runs} runs")
                    rows = reader.scalar(f"SELECT count() FROM {TABLE}")
                    assert rows == len(EXCHANGES) * (HISTORY + HISTORY // 10), rows
        finally:
            server.stop()
    print(f"measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f}")
    print(
        json.dumps(
            {
                "direct_s": round(direct_s, 2),
                "backfill_s": round(backfill_s, 2),
                "runs": runs,
                "ratio": round(backfill_s / direct_s, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
