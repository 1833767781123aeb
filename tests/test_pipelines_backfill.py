"""Initial sync: a year of withdrawals on two exchanges backfilled as ranged runs.

Dagster's backfill logic (the function the backfill daemon calls to turn the selected
partitions into runs) splits the backfill; each run is executed with the tags the
daemon gives it. QuestDB and the simulator are real.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.definitions.automation_tick_evaluation_context import (
    build_run_requests_with_backfill_policies,
)
from dagster._core.definitions.events import AssetKeyPartitionKey
from dagster._core.storage.tags import BACKFILL_ID_TAG

from deltaworks_core.config import Settings
from deltaworks_core.questdb import QuestDBReader
from deltaworks_pipelines.definitions import WITHDRAWALS_JOB
from deltaworks_pipelines.partitions import ExchangeDay, utc_today
from deltaworks_pipelines.pools import exchange_pool
from tests.pipelines_support import PipelineEnv, pipeline_env

HISTORY = 50_000  # crypto withdrawals per exchange over the last 365 days
RECORDS = HISTORY + HISTORY // 10  # and a tenth as many fiat ones
WITHDRAWALS = dg.AssetKey("withdrawals")
pytestmark = pytest.mark.timeout(1800)  # a year of history: minutes on a loaded machine


@pytest.fixture(scope="module")
def env(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PipelineEnv]:
    token = uuid.uuid4().hex[:8]
    names = [f"ya{token}", f"yb{token}", f"yc{token}"]
    with pipeline_env(
        settings, names, HISTORY, instance_dir=tmp_path_factory.mktemp("dagster")
    ) as pipeline:
        yield pipeline


def year() -> list[date]:
    today = utc_today()
    return [today - timedelta(days=n) for n in range(366, -1, -1)]


def backfill_runs(
    env: PipelineEnv, names: Sequence[str], days: Sequence[date]
) -> list[dg.RunRequest]:
    """The runs Dagster's backfill daemon launches for these partitions of ``withdrawals``."""
    selected = [
        AssetKeyPartitionKey(WITHDRAWALS, str(ExchangeDay(name, day).key))
        for name in names
        for day in days
    ]
    return list(
        build_run_requests_with_backfill_policies(
            selected, env.defs.resolve_asset_graph(), env.instance
        )
    )


def execute(env: PipelineEnv, request: dg.RunRequest, backfill: str) -> dg.ExecuteInProcessResult:
    return env.defs.resolve_job_def(WITHDRAWALS_JOB).execute_in_process(
        instance=env.instance,
        tags={**request.tags, BACKFILL_ID_TAG: backfill},
        raise_on_error=False,
    )


def metadata(result: dg.ExecuteInProcessResult) -> dict[str, object]:
    (materialization, *_) = result.asset_materializations_for_node("withdrawals")
    return {k: v.value for k, v in materialization.metadata.items()}


def stored(reader: QuestDBReader, exchange: str) -> tuple[int, int]:
    """Rows and distinct withdrawal ids of ``exchange`` in QuestDB."""
    reader.wait_visible("withdrawals")
    row = reader.query(
        "SELECT count() AS n, count_distinct(withdrawal_id) AS ids FROM withdrawals "
        "WHERE exchange = %s",
        (exchange,),
    )[0]
    return row["n"], row["ids"]


def test_a_year_on_two_exchanges_is_one_run_per_exchange(env: PipelineEnv, reader) -> None:
    names = [e.name for e in env.settings.exchanges[:2]]
    requests = backfill_runs(env, names, year())
    assert len(requests) == 2
    ranges = sorted(
        (r.tags["dagster/asset_partition_range_start"], r.tags["dagster/asset_partition_range_end"])
        for r in requests
    )
    assert [ExchangeDay.parse(start).exchange for start, _ in ranges] == sorted(names)
    assert all(ExchangeDay.parse(s).exchange == ExchangeDay.parse(e).exchange for s, e in ranges)

    with ThreadPoolExecutor(len(requests)) as pool:  # the daemon launches both at once
        results = list(pool.map(lambda r: execute(env, r, f"year-{r.tags}"), requests))
    assert all(result.success for result in results)
    for result in results:  # one planned event over the run's days, not one a day
        planned = env.instance.get_records_for_run(
            result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED
        ).records
        assert len(planned) == 1
    for name in names:
        rows, ids = stored(reader, name)
        assert rows == ids == RECORDS
    materialized = env.instance.get_materialized_partitions(WITHDRAWALS)
    assert {str(ExchangeDay(n, d).key) for n in names for d in year()} <= set(materialized)

    # A single day re-runs on its own, fetching it again and duplicating nothing.
    day = utc_today() - timedelta(days=40)
    rerun = env.run(WITHDRAWALS_JOB, names[0], day)
    assert rerun.success
    assert metadata(rerun)["records_written"] > 0
    assert stored(reader, names[0]) == (RECORDS, RECORDS)


def test_an_interrupted_backfill_resumes_from_its_last_committed_window(
    env: PipelineEnv, reader
) -> None:
    name = env.settings.exchanges[2].name
    (request,) = backfill_runs(env, [name], year())
    backfill = f"resume-{uuid.uuid4().hex[:6]}"
    engine = env.sim.engine(name)

    def fail_after_some_windows() -> None:
        while reader.scalar("SELECT count() FROM sync_windows WHERE exchange = %s", (name,)) < 4:
            time.sleep(0.02)
        engine.set_faults(error_rate=1.0)

    breaker = threading.Thread(target=fail_after_some_windows)
    breaker.start()
    try:
        failed = execute(env, request, backfill)
    finally:
        breaker.join()
        engine.set_faults(error_rate=0.0)
    assert not failed.success
    reader.wait_visible("sync_windows")
    committed = reader.scalar("SELECT count() FROM sync_windows WHERE exchange = %s", (name,))
    assert 4 <= committed < 13  # 367 days in windows of 30 days: 13 windows

    resumed = execute(env, request, backfill)
    assert resumed.success
    done = metadata(resumed)
    assert done["windows_fetched"] == 13 - committed
    assert done["days_already_committed"] == 30 * committed
    rows, ids = stored(reader, name)
    assert rows == ids == RECORDS


def test_concurrent_backfills_of_one_exchange_share_its_pool(
    env: PipelineEnv, reader, tmp_path: Path
) -> None:
    name = env.settings.exchanges[0].name
    pool = exchange_pool(name)
    env.instance.event_log_storage.set_concurrency_slots(pool, 1)
    env.sim.engine(name).set_faults(latency_ms=20)
    today = utc_today()
    halves = [
        [today - timedelta(days=n) for n in range(120, 60, -1)],
        [today - timedelta(days=n) for n in range(60, 0, -1)],
    ]
    requests = [backfill_runs(env, [name], days)[0] for days in halves]
    results: list[dg.ExecuteInProcessResult] = []
    in_use: list[int] = []
    finished = threading.Event()

    def watch_pool() -> None:
        while not finished.is_set():
            in_use.append(
                env.instance.event_log_storage.get_concurrency_info(pool).active_slot_count
            )
            time.sleep(0.01)

    def launch(request: dg.RunRequest) -> None:
        results.append(execute(env, request, f"pool-{uuid.uuid4().hex[:6]}"))

    watcher = threading.Thread(target=watch_pool)
    watcher.start()
    launches = [threading.Thread(target=launch, args=(r,)) for r in requests]
    try:
        for thread in launches:
            thread.start()
        for thread in launches:
            thread.join()
    finally:
        finished.set()
        watcher.join()
        env.sim.engine(name).set_faults(latency_ms=0)
        env.instance.event_log_storage.delete_concurrency_limit(pool)
    assert all(r.success for r in results)
    assert max(in_use) == 1
    waits = sorted(metadata(r)["by_exchange"][name]["pool_wait_s"] for r in results)
    assert waits[1] - waits[0] > 1.0  # the second backfill waited for the first's work
