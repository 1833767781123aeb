"""Partitions, schedules, valuation and sensor logic without exchanges or QuestDB."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import dagster as dg
import pytest

from deltaworks_core.config import (
    ConfigError,
    ExchangeSettings,
    PipelineSettings,
    Settings,
    load_settings,
    settings_from_dict,
)
from deltaworks_core.models import Withdrawal
from deltaworks_pipelines.definitions import build_definitions, defs
from deltaworks_pipelines.partitions import ExchangeDay, exchange_day_partitions, partition_key
from deltaworks_pipelines.sensors import (
    changed_days,
    dump_cursor,
    fingerprint,
    parse_cursor,
    record_fingerprint,
    run_key,
)
from deltaworks_pipelines.valuation import last_prices, price_in_quote

NOW = datetime(2026, 3, 10, 12, 7, tzinfo=UTC)


def _settings(*names: str) -> Settings:
    return load_settings().model_copy(
        update={"exchanges": tuple(ExchangeSettings(name=n) for n in names)}
    )


def test_code_location_loads_everything() -> None:
    dg.Definitions.validate_loadable(defs)
    repo = defs.get_repository_def()
    assert {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()} == {
        "holdings",
        "portfolio_value",
        "withdrawals",
        "deposits",
        "transfers",
        "candles",
        "trade_ohlcv_daily",
        "volume_profiles",
    }
    checks = {k.name for k in repo.asset_graph.asset_check_keys}
    assert checks == {
        "no_duplicate_withdrawals",
        "no_duplicate_deposits",
        "spot_holdings_consistent",
        "holdings_fresh",
        "trades_match_exchange_candles",
    }
    assert {s.name for s in repo.sensor_defs} == {"withdrawal_sync", "deposit_sync"}
    assert {s.name for s in repo.schedule_defs} == {
        "holdings_snapshot",
        "transfers_refresh",
        "candles_daily",
        "volume_profiles_daily",
        "withdrawals_backstop",
        "deposits_backstop",
        "scheduled_backup",
    }


def test_exchanges_from_configuration_are_partitions() -> None:
    two = exchange_day_partitions(_settings("a", "b"))
    three = exchange_day_partitions(_settings("a", "b", "c"))
    today = NOW.date().isoformat()
    keys = set(three.get_partition_keys(current_time=NOW))
    assert f"{today}|c" in keys and f"{today}|a" in keys
    assert (
        len(three.get_partition_keys(current_time=NOW))
        == 3 * len(two.get_partition_keys(current_time=NOW)) // 2
    )
    # Today's partition exists while the day runs; tomorrow's does not.
    tomorrow = (NOW.date() + timedelta(days=1)).isoformat()
    assert f"{tomorrow}|a" not in keys


def test_snapshots_offer_only_partitions_that_can_be_materialized() -> None:
    local = build_definitions(_settings("a", "b"))
    graph = local.resolve_asset_graph()
    for snapshot in ("holdings", "portfolio_value"):
        partitions = graph.get(dg.AssetKey(snapshot)).partitions_def
        assert partitions.get_partition_keys(current_time=NOW) == ["a", "b"]
    history = graph.get(dg.AssetKey("withdrawals")).partitions_def
    assert "2025-06-01|a" in history.get_partition_keys(current_time=NOW)  # backfillable days


def test_twenty_exchanges_for_ten_years_stay_below_dagsters_limit() -> None:
    names = [f"x{n}" for n in range(20)]
    settings = _settings(*names).model_copy(
        update={
            "pipelines": load_settings().pipelines.model_copy(
                update={"partitions_start_date": "2016-03-10"}
            )
        }
    )
    count = len(exchange_day_partitions(settings).get_partition_keys(current_time=NOW))
    assert 73_000 <= count < 100_000


def test_partition_keys_round_trip() -> None:
    part = ExchangeDay("sim_a", date(2026, 3, 10))
    assert ExchangeDay.parse(part.key) == part
    assert ExchangeDay.parse("2026-03-10|sim_a") == part
    assert str(partition_key("sim_a", date(2026, 3, 10))) == "2026-03-10|sim_a"
    assert part.end_ms - part.start_ms == 86_400_000


@pytest.mark.parametrize(
    ("minutes", "cron"),
    [
        (1, "*/1 * * * *"),
        (15, "*/15 * * * *"),
        (60, "0 */1 * * *"),
        (360, "0 */6 * * *"),
        (1440, "0 0 * * *"),
    ],
)
def test_interval_cron(minutes: int, cron: str) -> None:
    assert PipelineSettings(holdings_interval_minutes=minutes).holdings_cron == cron


def test_irregular_interval_is_refused_with_the_setting_named() -> None:
    with pytest.raises(ConfigError, match="holdings_interval_minutes: 7"):
        settings_from_dict({"pipelines": {"holdings_interval_minutes": 7}})


def test_schedules_request_one_run_per_exchange() -> None:
    local = build_definitions(_settings("a", "b"))
    holdings = local.resolve_schedule_def("holdings_snapshot")
    repo = local.get_repository_def()
    with dg.build_schedule_context(scheduled_execution_time=NOW, repository_def=repo) as context:
        requests = holdings.evaluate_tick(context).run_requests
    assert sorted(str(r.partition_key) for r in requests) == ["a", "b"]
    backstop = local.resolve_schedule_def("withdrawals_backstop")
    with dg.build_schedule_context(scheduled_execution_time=NOW, repository_def=repo) as context:
        requests = backstop.evaluate_tick(context).run_requests
    assert sorted(str(r.partition_key) for r in requests) == [
        f"2026-03-0{d}|{x}" for d in (7, 8, 9) for x in ("a", "b")
    ]
    for name, day in (("transfers_refresh", "2026-03-10"), ("candles_daily", "2026-03-09")):
        with dg.build_schedule_context(
            scheduled_execution_time=NOW, repository_def=repo
        ) as context:
            requests = local.resolve_schedule_def(name).evaluate_tick(context).run_requests
        assert sorted(str(r.partition_key) for r in requests) == [f"{day}|a", f"{day}|b"]


def test_prices_direct_inverse_and_through_one_currency() -> None:
    prices = last_prices(
        {
            "BTC/USDT": {"last": 60000.0},
            "USDT/TRY": {"last": 40.0},
            "ETH/BTC": {"last": 0.05},
            "XYZ/ABC": {"bid": 1.0, "ask": 3.0},
            "BTC/USDT:USDT": {"last": 60010.0},
        }
    )
    assert price_in_quote("USDT", "USDT", prices) == 1.0
    assert price_in_quote("BTC", "USDT", prices) == 60000.0
    assert price_in_quote("TRY", "USDT", prices) == pytest.approx(0.025)
    assert price_in_quote("ETH", "USDT", prices) == pytest.approx(3000.0)
    assert price_in_quote("XYZ", "ABC", prices) == 2.0
    assert price_in_quote("DOGE", "USDT", prices) is None


def _withdrawal(wid: str, ts: datetime, status: str = "pending", raw: str = "0") -> Withdrawal:
    return Withdrawal(
        ts=ts,
        exchange="x",
        withdrawal_id=wid,
        kind="crypto",
        asset="BTC",
        amount=1.0,
        fee=None,
        network="BTC",
        address=None,
        tag=None,
        txid=None,
        status=status,  # type: ignore[arg-type]
        status_raw=raw,
        internal=False,
    )


def test_changed_days_and_idempotent_run_keys() -> None:
    old = _withdrawal("1", NOW - timedelta(days=2), "ok", "6")
    moved = _withdrawal("2", NOW - timedelta(days=1), "ok", "6")
    new = _withdrawal("3", NOW)
    stored = {
        "1": fingerprint("ok", "6", None, None),
        "2": fingerprint("pending", "4", None, None),
    }
    days = changed_days([old, moved, new], stored)
    assert days == {NOW.date() - timedelta(days=1): [moved], NOW.date(): [new]}
    assert changed_days([old], {"1": record_fingerprint(old)}) == {}
    key = run_key("x", NOW.date(), [new])
    assert key == run_key("x", NOW.date(), [new])
    assert key != run_key("x", NOW.date(), [_withdrawal("3", NOW, "ok", "6")])


def test_cursor_round_trip_and_garbage() -> None:
    assert parse_cursor(dump_cursor({"b": 2, "a": 1})) == {"a": 1, "b": 2}
    assert parse_cursor(None) == {}
    assert parse_cursor("not json") == {}
    assert parse_cursor("[1, 2]") == {}
