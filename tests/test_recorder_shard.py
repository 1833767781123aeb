"""Recorder shares: disjoint, complete, and a bad shard refused at load."""

from __future__ import annotations

import pytest

from deltaworks_core.config import ConfigError, Settings, settings_from_dict
from deltaworks_exec.marketdata.shard import configured_streams, owned_streams

EXCHANGES = [
    {"name": name, "symbols": ["BTC/USDT", "ETH/USDT", "SOL/USDT"]}
    for name in ("ex_a", "ex_b", "ex_c")
]


def settings(**recorder: object) -> Settings:
    return settings_from_dict({"exchanges": EXCHANGES, "recorder": recorder})


@pytest.mark.parametrize("shard_by", ["exchange", "symbol"])
def test_shards_are_disjoint_and_cover_every_stream(shard_by: str) -> None:
    count = 2
    seen: list[tuple[str, str]] = []
    for index in range(count):
        owned = owned_streams(settings(shard_by=shard_by, shard_count=count, shard_index=index))
        assert owned  # every process has work
        seen.extend((name, symbol) for name, symbols in owned.items() for symbol in symbols)
    assert sorted(seen) == sorted(configured_streams(settings()))
    assert len(seen) == len(set(seen))


def test_sharding_by_exchange_keeps_an_exchange_in_one_process() -> None:
    first = owned_streams(settings(shard_count=2, shard_index=0))
    second = owned_streams(settings(shard_count=2, shard_index=1))
    assert set(first) == {"ex_a", "ex_c"} and set(second) == {"ex_b"}
    assert first["ex_a"] == ("BTC/USDT", "ETH/USDT", "SOL/USDT")


def test_recorder_symbols_override_each_exchanges_symbols() -> None:
    owned = owned_streams(settings(symbols=["ETH/USDT"]))
    assert owned == {name: ("ETH/USDT",) for name in ("ex_a", "ex_b", "ex_c")}


def test_a_shard_index_outside_the_shard_count_is_refused() -> None:
    with pytest.raises(ConfigError, match="shard_index 2 must be below shard_count 2"):
        settings(shard_count=2, shard_index=2)
