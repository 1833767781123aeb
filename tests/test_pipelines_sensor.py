"""The withdrawal_sync sensor against the simulator: idle, new withdrawal, status change."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from deltaworks_core.config import Settings
from deltaworks_core.questdb import QuestDBReader
from deltaworks_pipelines.partitions import ExchangeDay, utc_today
from deltaworks_pipelines.sensors import parse_cursor
from tests.pipelines_support import PipelineEnv, pipeline_env


@pytest.fixture(scope="module")
def env(settings: Settings) -> Iterator[PipelineEnv]:
    with pipeline_env(settings, [f"ps{uuid.uuid4().hex[:8]}"]) as pipeline:
        yield pipeline


def _rows(reader: QuestDBReader, exchange: str, since: datetime) -> list[dict]:
    reader.wait_visible("withdrawals")
    return reader.query(
        "SELECT withdrawal_id, status, status_raw FROM withdrawals "
        "WHERE exchange = %s AND ts >= %s",
        (exchange, since),
    )


def test_sensor_requests_only_changed_days(env: PipelineEnv, reader: QuestDBReader) -> None:
    name = env.settings.exchanges[0].name
    today = utc_today()
    for back in range(4, -1, -1):
        assert env.run("withdrawals_job", name, today - timedelta(days=back)).success

    # Cursor lost (None): rebuilt from QuestDB; nothing new, twice.
    idle = env.evaluate_sensor(None)
    assert idle.run_requests == []
    again = env.evaluate_sensor(idle.cursor)
    assert again.run_requests == []
    assert name in again.cursor

    engine = env.sim.engine(name)
    applied = engine.now_ms() // 1000 * 1000
    engine.add_withdrawal("BTC", 0.25, pending_ms=600_000)
    found = env.evaluate_sensor(again.cursor)
    assert [r.partition_key for r in found.run_requests] == [ExchangeDay(name, today).key]
    repeated = env.evaluate_sensor(found.cursor)
    assert [r.run_key for r in repeated.run_requests] == [found.run_requests[0].run_key]

    assert env.run("withdrawals_job", name, today).success
    since = datetime.fromtimestamp(applied / 1000, UTC)
    (pending,) = _rows(reader, name, since)
    assert pending["status"] == "pending"
    assert env.evaluate_sensor(found.cursor).run_requests == []

    engine.advance(700)
    changed = env.evaluate_sensor(found.cursor)
    days = {ExchangeDay.parse(r.partition_key).day for r in changed.run_requests}
    assert today in days
    for day in days:
        assert env.run("withdrawals_job", name, day).success
    (done,) = _rows(reader, name, since)
    assert done["withdrawal_id"] == pending["withdrawal_id"]
    assert (done["status"], done["status_raw"]) == ("ok", "6")
    assert env.evaluate_sensor(changed.cursor).run_requests == []


def test_a_failing_exchange_does_not_stop_the_others(settings: Settings) -> None:
    token = uuid.uuid4().hex[:8]
    good, bad = f"pg{token}", f"pf{token}"
    with pipeline_env(settings, [good, bad]) as env:
        env.sim.engine(bad).set_faults(error_rate=1.0)
        result = env.evaluate_sensor(None)
    exchanges = {ExchangeDay.parse(r.partition_key).exchange for r in result.run_requests}
    assert exchanges == {good}
    assert set(parse_cursor(result.cursor)) == {good, bad}  # the failed one keeps its cursor
