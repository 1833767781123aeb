"""The simulator's raw responses have the shape of Binance's recorded ones.

The recorded responses are ccxt's offline test cases (``tests/fixtures/ccxt/binance.json``,
from github.com/ccxt/ccxt ``ts/src/test/static/response/binance.json``, MIT licensed).
Every key Binance sent must be present, with a value of the same JSON type.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from deltaworks_core.config import Settings
from deltaworks_core.venues.simulator import SimulatorServer

from . import sim_support
from .sim_support import client, sim_settings

RECORDED = json.loads((Path(__file__).parent / "fixtures/ccxt/binance.json").read_text())
# keys ccxt itself adds to the raw rows before they were recorded
ADDED_BY_CCXT = {"type"}


def recorded(method: str, description: str) -> Any:
    case = next(c for c in RECORDED["methods"][method] if c["description"] == description)
    return case["httpResponse"]


def kind(value: Any) -> str:
    """JSON type; the recordings store some integers as strings, so numeric text is a number."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str) and value.lstrip("-").replace(".", "", 1).isdigit():
        return "number"
    return type(value).__name__


def assert_same_shape(real: Any, simulated: Any, where: str = "") -> None:
    if isinstance(real, list):
        assert isinstance(simulated, list), where
        if real and simulated:
            assert_same_shape(real[0], simulated[0], where + "[0]")
        return
    if not isinstance(real, dict):
        assert kind(real) == kind(simulated) or real is None or simulated is None, where
        return
    missing = set(real) - set(simulated) - ADDED_BY_CCXT
    assert not missing, f"{where}: missing {sorted(missing)}"
    for key, value in real.items():
        if key in simulated and key not in ADDED_BY_CCXT:
            assert_same_shape(value, simulated[key], f"{where}.{key}")


@pytest.fixture(scope="module")
def settings() -> Settings:
    return sim_settings(withdrawals=500)


server = sim_support.server


@pytest.fixture(scope="module")
def x(settings: Settings, server: SimulatorServer) -> Any:
    exchange = client(settings, server.base_url)
    exchange.load_markets()
    exchange.create_order("BTC/USDT", "market", "buy", 0.01)
    exchange.create_order("BTC/USDT:USDT", "market", "buy", 0.01)
    return exchange


def test_balances(x: Any) -> None:
    assert_same_shape(recorded("fetchBalance", "Spot balance"), x.fetch_balance()["info"])
    swap = recorded("fetchBalance", "Linear swap balance")
    v2 = x.fetch_balance({"type": "swap", "useV2": True})["info"]
    assert_same_shape({k: v for k, v in swap.items() if k != "positions"}, v2)
    v3 = x.fetch_balance({"type": "swap"})["info"]
    assert_same_shape(swap["assets"], v3["assets"])


def test_orders(x: Any) -> None:
    bid = x.fetch_order_book("BTC/USDT", 5)["bids"][0][0]
    created = x.create_order("BTC/USDT", "limit", "buy", 0.01, round(bid * 0.9, 2))
    shape = recorded("createOrder", "spot +selfTradePrevention +iceberg")
    assert_same_shape({k: v for k, v in shape.items() if k != "icebergQty"}, created["info"])
    assert_same_shape(
        recorded("fetchOrder", "Fetch spot closed order"),
        x.fetch_order(created["id"], "BTC/USDT")["info"],
    )
    assert_same_shape(
        recorded("fetchOpenOrders", "Fetch spot open orders"),
        [o["info"] for o in x.fetch_open_orders("BTC/USDT")],
    )
    ask = x.fetch_order_book("BTC/USDT:USDT", 5)["asks"][0][0]
    swap = x.create_order("BTC/USDT:USDT", "limit", "sell", 0.01, round(ask * 1.1, 1))
    assert_same_shape(
        recorded("fetchOpenOrder", "swap open order"),
        x.fetch_order(swap["id"], "BTC/USDT:USDT")["info"],
    )


def test_trades_withdrawals_order_books(x: Any) -> None:
    assert_same_shape(
        recorded("fetchMyTrades", "Spot private trade"),
        [t["info"] for t in x.fetch_my_trades("BTC/USDT")],
    )
    assert_same_shape(
        recorded("fetchMyTrades", "Swap private trade"),
        [t["info"] for t in x.fetch_my_trades("BTC/USDT:USDT")],
    )
    completed = [w["info"] for w in x.fetch_withdrawals() if w["info"]["status"] == 6]
    assert_same_shape(recorded("fetchWithdrawals", "fetchWithdrawals"), completed)
    assert_same_shape(
        recorded("fetchOrderBook", "spot orderbook"),
        x.publicGetDepth({"symbol": "BTCUSDT", "limit": 5}),
    )
    assert_same_shape(
        recorded("fetchOrderBook", "swap orderbook"),
        x.fapiPublicGetDepth({"symbol": "BTCUSDT", "limit": 5}),
    )
