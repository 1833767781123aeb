"""``trade_ohlcv_daily``: trades recorded from the simulator's streams (the real recorder),
rolled into daily bars by Dagster, and checked against the exchange's own 1m candles."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import dagster as dg
import pytest

from deltaworks_core.config import RecorderSettings, Settings
from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_pipelines.assets.trade_bars import ASSET
from deltaworks_pipelines.partitions import ExchangeDay
from tests.pipelines_support import PipelineEnv, pipeline_env
from tests.test_recorder import running

SIM_SECONDS = 150


@pytest.fixture(scope="module")
def env(settings: Settings) -> Iterator[PipelineEnv]:
    with pipeline_env(settings, [f"tb{uuid.uuid4().hex[:8]}"], withdrawals=1) as pipeline:
        yield pipeline


def materialize(env: PipelineEnv, day: object) -> dict[str, dg.AssetCheckEvaluation]:
    exchange = env.settings.exchanges[0].name
    job = env.defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        partition_key=ExchangeDay(exchange, day).key,  # type: ignore[arg-type]
        asset_selection=[dg.AssetKey(ASSET)],
        instance=env.instance,
        raise_on_error=False,
    )
    assert result.success
    return {
        e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }


async def record(env: PipelineEnv, questdb: Settings) -> None:
    """The recorder stores ``SIM_SECONDS`` of the simulated market's trades."""
    config = env.settings.model_copy(
        update={
            "questdb": questdb.questdb,
            "recorder": RecorderSettings(flush_interval_s=0.05, snapshot_interval_s=10),
        }
    )
    engine = env.sim.engine(config.exchanges[0].name)
    async with running(config, env.sim) as recorder:
        for _ in range(SIM_SECONDS):
            engine.advance(1)
            await asyncio.sleep(0.02)
        feed = recorder.feeds[engine.name]
        newest = {s: str(engine.trades(s, 1)[-1].id) for s in feed.symbols}
        while any(feed.states[s].last_trade_id != newest[s] for s in feed.symbols):
            await asyncio.sleep(0.05)
        assert recorder.sink is not None
        await recorder.sink.flush()


@pytest.mark.timeout(120)
def test_daily_bars_of_recorded_trades_match_the_exchange_candles(
    env: PipelineEnv, settings: Settings, reader: QuestDBReader, writer: QuestDBWriter
) -> None:
    name = env.settings.exchanges[0].name
    asyncio.run(record(env, settings))
    reader.wait_visible("trades")
    day = datetime.fromtimestamp(env.sim.engine(name).now_ms() / 1000, UTC).date()

    checks = materialize(env, day)
    check = checks["trades_match_exchange_candles"]
    assert check.passed, check.metadata
    compared = check.metadata["minutes_compared"].value
    assert set(compared) == set(env.settings.exchanges[0].symbols)
    assert all(minutes >= 1 for minutes in compared.values())

    reader.wait_visible("trade_ohlcv_daily")
    bars = reader.query("SELECT * FROM trade_ohlcv_daily WHERE exchange = %s", (name,))
    raw = reader.query(
        "SELECT symbol, price, amount FROM trades WHERE exchange = %s ORDER BY ts", (name,)
    )
    for bar in bars:
        prices = [r["price"] for r in raw if r["symbol"] == bar["symbol"]]
        amounts = [r["amount"] for r in raw if r["symbol"] == bar["symbol"]]
        assert (bar["open"], bar["close"]) == (prices[0], prices[-1])
        assert (bar["high"], bar["low"]) == (max(prices), min(prices))
        assert bar["volume"] == pytest.approx(sum(amounts))
        assert bar["trades"] == len(prices)

    # A recorded print the exchange never made: the check names its minute and field.
    btc = next(bar for bar in bars if bar["symbol"] == "BTC/USDT")
    first = btc["first_trade"].replace(tzinfo=UTC).timestamp()
    inside = datetime.fromtimestamp((first // 60 + 1) * 60 + 30, UTC)
    bogus = {"ts": inside, "exchange": name, "symbol": "BTC/USDT", "trade_id": "bogus",
             "price": btc["high"] * 1.01, "amount": 0.001, "side": "buy", "source": "stream",
             "received": inside}  # fmt: skip
    writer.write_rows("trades", [bogus], symbols=("exchange", "symbol", "side", "source"))
    reader.wait_visible("trades")
    check = materialize(env, day)["trades_match_exchange_candles"]
    assert not check.passed
    assert "BTC/USDT" in check.metadata["examples"].value
    assert "high" in check.metadata["examples"].value
