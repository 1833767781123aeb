"""Each asset materialized against the simulator and QuestDB, through Dagster jobs."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import dagster as dg
import pytest

from deltaworks_core.config import Settings
from deltaworks_core.questdb import QuestDBReader
from deltaworks_pipelines.assets.ledger import DEPOSITS
from deltaworks_pipelines.assets.withdrawals import fetch_withdrawals
from deltaworks_pipelines.partitions import ExchangeDay, utc_today
from tests.pipelines_support import PipelineEnv, pipeline_env


@pytest.fixture(scope="module")
def env(settings: Settings) -> Iterator[PipelineEnv]:
    token = uuid.uuid4().hex[:8]
    with pipeline_env(settings, [f"pa{token}", f"pb{token}"]) as pipeline:
        yield pipeline


def _count(reader: QuestDBReader, table: str, exchange: str) -> int:
    reader.wait_visible(table)
    return reader.scalar(f"SELECT count() FROM {table} WHERE exchange = %s", (exchange,))


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    """Passed or not, by check name; each check looked at the run's exchange only."""
    evaluations = [
        e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    key = result.dagster_run.tags["dagster/partition"]
    exchange = ExchangeDay.parse(key).exchange if "|" in key else key
    assert all(e.metadata["exchanges"].value == exchange for e in evaluations)
    return {e.check_name: e.passed for e in evaluations}


def test_holdings_and_portfolio_append_a_snapshot_per_run(env: PipelineEnv, reader) -> None:
    name = env.settings.exchanges[0].name
    env.sim.engine(name).set_balance("main", "XRP", "1500")  # no XRP market: no price
    first = env.run("holdings_job", name)
    assert first.success
    rows = _count(reader, "holdings", name)
    assert rows > 0
    (xrp,) = reader.query(
        "SELECT total, price, value, priced FROM holdings WHERE exchange = %s AND asset = 'XRP'",
        (name,),
    )
    assert (xrp["total"], xrp["price"], xrp["value"], xrp["priced"]) == (1500.0, None, None, False)
    margin = reader.query(
        "SELECT total, debt, price, value FROM holdings "
        "WHERE exchange = %s AND account_type = 'margin' AND debt > 0",
        (name,),
    )
    assert margin
    assert all(m["value"] == pytest.approx((m["total"] - m["debt"]) * m["price"]) for m in margin)
    types = reader.query("SELECT DISTINCT account_type FROM holdings WHERE exchange = %s", (name,))
    assert {r["account_type"] for r in types} == {"spot", "margin", "future"}
    metadata = first.asset_materializations_for_node("holdings")[0].metadata
    assert metadata["total_value"].value > 0
    assert set(metadata["value_by_account_type"].value) == {"spot", "margin", "future"}
    assert metadata["unpriced_assets"].value == "XRP"
    assert _checks(first)["spot_holdings_consistent"] is True

    second = env.run("holdings_job", name)
    assert second.success
    snapshots = reader.query(
        "SELECT ts, count() AS n FROM holdings WHERE exchange = %s GROUP BY ts ORDER BY ts",
        (name,),
    )
    assert [s["n"] for s in snapshots] == [rows, rows]
    portfolio = reader.query(
        "SELECT ts, count() AS n, sum(value) AS v FROM portfolio_value WHERE exchange = %s "
        "GROUP BY ts ORDER BY ts",
        (name,),
    )
    assert [p["n"] for p in portfolio] == [3, 3]
    assert all(p["v"] > 0 for p in portfolio)
    (spot,) = reader.query(
        "SELECT unpriced_assets FROM portfolio_value WHERE exchange = %s "
        "AND account_type = 'spot' LATEST ON ts PARTITION BY exchange",
        (name,),
    )
    assert spot["unpriced_assets"] == 1
    assert _checks(second) == {
        "spot_holdings_consistent": True,
        "holdings_fresh": True,
    }


@pytest.mark.parametrize("table", ["withdrawals", "deposits"])
def test_a_ledger_backfill_is_idempotent(env: PipelineEnv, reader, table: str) -> None:
    name = env.settings.exchanges[0].name
    days = [utc_today() - timedelta(days=n) for n in range(3, 0, -1)]
    for day in days:
        result = env.run(f"{table}_job", name, day)
        assert result.success
        assert _checks(result)[f"no_duplicate_{table}"] is True
    rows = _count(reader, table, name)
    engine = env.sim.engine(name)
    crypto, fiat = getattr(engine, table), getattr(engine, f"fiat_{table}")
    expected = 0
    for day in days:
        part = ExchangeDay(name, day)
        expected += len(crypto(part.start_ms, part.end_ms - 1))
        expected += fiat(part.start_ms, part.end_ms - 1)[1]
    assert rows == expected > 0
    for day in days:
        assert env.run(f"{table}_job", name, day).success
    assert _count(reader, table, name) == rows


def test_withdrawal_history_is_paged_completely(env: PipelineEnv) -> None:
    name = env.settings.exchanges[1].name
    engine = env.sim.engine(name)
    end = engine.now_ms() + 1
    start = end - 366 * 86_400_000
    with env.defs.resources["exchanges"].client(name) as venue:
        found = fetch_withdrawals(venue, start, end)
    crypto = [w for w in found if w.kind == "crypto"]
    fiat = [w for w in found if w.kind == "fiat"]
    # More than one 1,000-row page per 90-day window, and both endpoints read in full.
    assert len(crypto) == env.settings.simulator.withdrawals_per_exchange > 4 * 1000
    assert len(fiat) == env.settings.simulator.withdrawals_per_exchange // 10
    assert len({w.withdrawal_id for w in found}) == len(found)


def test_deposit_history_is_paged_completely(env: PipelineEnv) -> None:
    name = env.settings.exchanges[1].name
    engine = env.sim.engine(name)
    end = engine.now_ms() + 1
    start = end - 366 * 86_400_000
    with env.defs.resources["exchanges"].client(name) as venue:
        found = DEPOSITS.fetch(venue, start, end)
    crypto = {d.deposit_id for d in found if d.kind == "crypto"}
    assert crypto == {d.id for d in engine.deposits(start, end - 1)}
    assert len(crypto) > 4 * 1000  # more than one 1,000-row page per 90-day window
    fiat = [d for d in found if d.kind == "fiat"]
    assert len(fiat) == engine.fiat_deposits(start, end - 1)[1] > 0


def test_candles_for_a_day(env: PipelineEnv, reader) -> None:
    name = env.settings.exchanges[1].name
    day = utc_today() - timedelta(days=1)
    assert env.run("candles_job", name, day).success
    rows = _count(reader, "candles", name)
    assert rows == 1440 * len(env.settings.exchanges[1].symbols)
    assert env.run("candles_job", name, day).success
    assert _count(reader, "candles", name) == rows
    assert env.run("volume_profiles_job", name, day).success
    reader.wait_visible("volume_profiles")
    profile = reader.query(
        "SELECT symbol, hour, volume, share, minutes FROM volume_profiles WHERE exchange = %s",
        (name,),
    )  # learnt from that day's candles: every hour of every symbol, shares adding up to 1
    assert len(profile) == 24 * len(env.settings.exchanges[1].symbols)
    for symbol in env.settings.exchanges[1].symbols:
        hours = [row for row in profile if row["symbol"] == symbol]
        assert sum(row["share"] for row in hours) == pytest.approx(1.0)
        assert {row["minutes"] for row in hours} == {60}


def test_a_failing_exchange_fails_only_its_partition(env: PipelineEnv, reader) -> None:
    good, bad = (e.name for e in env.settings.exchanges)
    day = utc_today() - timedelta(days=5)
    env.sim.engine(bad).set_faults(error_rate=1.0)
    try:
        failed = env.run("withdrawals_job", bad, day)
    finally:
        env.sim.engine(bad).set_faults(error_rate=0.0)
    assert not failed.success
    message = failed.failure_data_for_node("withdrawals").error.message
    assert f"exchange {bad!r}" in message
    assert "ExchangeNotAvailable" in message
    assert env.run("withdrawals_job", good, day).success


def test_transient_errors_are_retried(env: PipelineEnv) -> None:
    name = env.settings.exchanges[1].name
    env.sim.engine(name).set_faults(burst_429=2)
    assert env.run("withdrawals_job", name, utc_today() - timedelta(days=6)).success
