"""A balance that goes to zero is recorded as zero, so charts that carry the last value
forward fall to zero instead of showing the old balance."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pandas as pd
import pytest

from deltaworks_core.config import Settings
from deltaworks_core.questdb import QuestDBReader
from deltaworks_pipelines.assets.zero_balances import with_zero_balances
from tests.pipelines_support import PipelineEnv, pipeline_env


@pytest.fixture(scope="module")
def env(settings: Settings) -> Iterator[PipelineEnv]:
    with pipeline_env(settings, [f"zb{uuid.uuid4().hex[:8]}"]) as pipeline:
        yield pipeline


def _doge(reader: QuestDBReader, name: str) -> list[dict]:
    reader.wait_visible("holdings")
    return reader.query(
        "SELECT ts, account_type, total, free, used, value FROM holdings "
        "WHERE exchange = %s AND asset = 'DOGE' ORDER BY ts",
        (name,),
    )


def test_an_asset_gone_since_the_last_snapshot_is_recorded_as_zero(
    env: PipelineEnv, reader: QuestDBReader
) -> None:
    name = env.settings.exchanges[0].name
    engine = env.sim.engine(name)
    engine.set_balance("main", "DOGE", "250")
    assert env.run("holdings_job", name).success
    assert [(r["account_type"], r["total"]) for r in _doge(reader, name)] == [("spot", 250.0)]

    engine.set_balance("main", "DOGE", "0")
    assert env.run("holdings_job", name).success
    rows = _doge(reader, name)
    assert [(r["account_type"], r["total"], r["free"], r["value"]) for r in rows[1:]] == [
        ("spot", 0.0, 0.0, 0.0)
    ]
    latest_ts = reader.scalar("SELECT max(ts) FROM holdings WHERE exchange = %s", (name,))
    assert rows[1]["ts"] == latest_ts  # part of the second snapshot

    assert env.run("holdings_job", name).success
    assert len(_doge(reader, name)) == 2  # recorded once, not carried on forever


def test_only_wallets_still_configured_get_zero_rows() -> None:
    ts = pd.Timestamp("2026-01-01", tz="UTC").as_unit("us")
    frame = pd.DataFrame(
        [{"ts": ts, "exchange": "x", "account_type": "spot", "asset": "BTC", "free": 1.0,
          "used": 0.0, "total": 1.0, "quote": "USDT", "price": 1.0, "value": 1.0,
          "priced": True, "debt": None}]
    )  # fmt: skip
    before = [("spot", "BTC", "USDT"), ("spot", "ETH", "USDT"), ("margin", "ETH", "USDT")]
    out = with_zero_balances(frame, "x", before, ["spot"], ts)
    assert list(zip(out["account_type"], out["asset"], out["total"], strict=True)) == [
        ("spot", "BTC", 1.0),
        ("spot", "ETH", 0.0),
    ]
