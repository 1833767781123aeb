"""The OKX dialect's raw responses have the shape of OKX's recorded ones.

Recorded responses: ccxt's offline test cases (``tests/fixtures/ccxt/okx.json`` and
``okx_shapes.json``, from github.com/ccxt/ccxt ``ts/src/test/static/response/okx.json``,
MIT licensed). Every key OKX sent must be present with a value of the same JSON type (OKX
sends numbers as strings, so a string is a string whether it holds a number or is empty).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deltaworks_core.config import Settings
from deltaworks_core.venues.simulator import SimClock, SimulatorServer, running_simulator

from .okx_support import okx_client, okx_settings
from .sim_support import EPOCH_MS

FIXTURES = Path(__file__).parent / "fixtures/ccxt"
RECORDED = [json.loads((FIXTURES / name).read_text()) for name in ("okx.json", "okx_shapes.json")]


def recorded(method: str, description: str, index: int = 0) -> Any:
    cases = [c for r in RECORDED for c in r["methods"].get(method, [])]
    return [c for c in cases if c["description"] == description][index]["httpResponse"]


def json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def assert_same_shape(real: Any, simulated: Any, where: str = "") -> None:
    if isinstance(real, list):
        assert isinstance(simulated, list), where
        if real:
            assert simulated, f"{where}: empty where OKX sent rows"
            assert_same_shape(real[0], simulated[0], where + "[0]")
        return
    if not isinstance(real, dict):
        assert real is None or json_type(real) == json_type(simulated), where
        return
    assert isinstance(simulated, dict), where
    missing = set(real) - set(simulated)
    assert not missing, f"{where}: missing {sorted(missing)}"
    for key, value in real.items():
        assert_same_shape(value, simulated[key], f"{where}.{key}")


@pytest.fixture(scope="module")
def settings() -> Settings:
    return okx_settings(withdrawals=50)


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[SimulatorServer]:
    with running_simulator(
        settings.simulator, settings.exchanges, clock=SimClock(EPOCH_MS)
    ) as running:
        yield running


@pytest.fixture(scope="module")
def x(settings: Settings, server: SimulatorServer) -> Any:
    exchange = okx_client(settings, server.base_url)
    exchange.load_markets()
    return exchange


def test_public_shapes(x: Any) -> None:
    assert_same_shape(recorded("fetchTime", "Fetch time"), x.public_get_public_time())
    assert_same_shape(recorded("fetchStatus", "Fetch status"), x.public_get_system_status())
    assert_same_shape(
        recorded("fetchTicker", "public spot ticker"),
        x.public_get_market_ticker({"instId": "BTC-USDT"}),
    )
    assert_same_shape(
        recorded("fetchTrades", "public spot trades"),
        x.public_get_market_trades({"instId": "BTC-USDT", "limit": 1}),
    )
    for description, inst_id in (
        ("spot orderbook", "BTC-USDT"),
        ("Swap orderbook", "BTC-USDT-SWAP"),
    ):
        assert_same_shape(
            recorded("fetchOrderBook", description),
            x.public_get_market_books({"instId": inst_id, "sz": 2}),
        )
    candles = x.public_get_market_candles({"instId": "BTC-USDT", "bar": "1H", "limit": 3})
    real = recorded("fetchOHLCV", "spot ohlcv with limit and since")
    assert [len(row) for row in candles["data"]] == [len(row) for row in real["data"]]
    assert_same_shape(real, candles)


def test_balance_shapes(x: Any) -> None:
    assert_same_shape(recorded("fetchBalance", "spot balance"), x.private_get_account_balance())
    assert_same_shape(recorded("fetchBalance", "funding balance"), x.private_get_asset_balances())


def test_order_shapes(x: Any) -> None:
    bid = x.fetch_order_book("BTC/USDT", 5)["bids"][0][0]
    body = {
        "instId": "BTC-USDT",
        "tdMode": "cash",
        "side": "buy",
        "ordType": "limit",
        "sz": "0.001",
        "px": str(round(bid * 0.9, 1)),
        "clOrdId": "shape1",
    }
    placed = x.private_post_trade_batch_orders([body])
    assert_same_shape(recorded("createOrder", "type2 & type3 together"), placed)
    ord_id = placed["data"][0]["ordId"]
    market = x.private_post_trade_batch_orders(
        [
            {
                "instId": "BTC-USDT",
                "tdMode": "cash",
                "side": "buy",
                "ordType": "market",
                "sz": "0.001",
            }
        ]
    )
    filled = x.private_get_trade_order({"instId": "BTC-USDT", "ordId": market["data"][0]["ordId"]})
    assert_same_shape(recorded("fetchOrder", "fetch spot order"), filled)
    assert_same_shape(
        recorded("fetchMyTrades", "Fetch spot trade"),
        x.private_get_trade_fills_history({"instType": "SPOT", "instId": "BTC-USDT"}),
    )
    ask = x.fetch_order_book("BTC/USDT:USDT", 5)["asks"][0][0]
    x.create_order("BTC/USDT:USDT", "limit", "sell", 1, round(ask * 1.1, 1))
    assert_same_shape(
        recorded("fetchOpenOrders", "fetch swap limit open order with take profit and stop loss"),
        x.private_get_trade_orders_pending({"instId": "BTC-USDT-SWAP"}),
    )
    x.create_order("BTC/USDT:USDT", "market", "buy", 2)
    assert_same_shape(
        recorded("fetchClosedOrders", "Swap closed orders"),
        x.private_get_trade_orders_history({"instType": "SWAP", "state": "filled"}),
    )
    assert_same_shape(
        recorded("fetchPosition", "fetch position"),
        x.private_get_account_positions({"instId": "BTC-USDT-SWAP"}),
    )
    x.private_post_trade_cancel_order({"instId": "BTC-USDT", "ordId": ord_id})


def test_algo_and_funding_shapes(x: Any) -> None:
    last = x.fetch_ticker("BTC/USDT:USDT")["last"]
    algo = x.private_post_trade_order_algo(
        {
            "instId": "BTC-USDT-SWAP",
            "tdMode": "cross",
            "side": "sell",
            "ordType": "conditional",
            "sz": "1",
            "slTriggerPx": str(round(last * 0.8, 1)),
            "slOrdPx": "-1",
            "clOrdId": "shapeSl1",
        }
    )
    assert_same_shape(recorded("createOrder", "type2 & type3 together", 1), algo)
    assert_same_shape(
        recorded("fetchOpenOrders", "fetchOpenOrders trigger with since = 0"),
        x.private_get_trade_orders_algo_pending({"ordType": "conditional"}),
    )
    canceled = x.private_post_trade_cancel_algos(
        [{"instId": "BTC-USDT-SWAP", "algoClOrdId": "shapeSl1"}]
    )
    assert_same_shape(recorded("cancelOrders", "cancel trigger orders by clientOrderId"), canceled)
    assert_same_shape(
        recorded("fetchDepositAddress", "fetch trc20 usdt address"),
        x.private_get_asset_deposit_address({"ccy": "USDT"}),
    )
