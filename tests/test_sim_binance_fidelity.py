"""The Binance dialect as strict and as complete as Binance, through an unmodified ccxt.binance:
order history, cancel-all, edits, leverage, fees, klines of every interval, ticker and
balance streams; unknown parameters, spot reduceOnly and conditional orders on the plain
order API refused with Binance's errors; raw answers shaped like ccxt's recorded ones."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from typing import Any

import ccxt
import pytest

from deltaworks_core.config import Settings
from deltaworks_core.venues.simulator import SimulatorServer

from . import sim_support
from .sim_support import EPOCH_MS, client, sim_settings
from .test_sim_shapes import assert_same_shape, recorded

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


@pytest.fixture(scope="module")
def settings() -> Settings:
    return sim_settings(withdrawals=300)


server = sim_support.server


@pytest.fixture(scope="module")
def x(settings: Settings, server: SimulatorServer) -> Any:
    exchange = client(settings, server.base_url)
    exchange.load_markets()
    return exchange


@pytest.fixture(autouse=True)
def _nothing_open(x: Any) -> Iterator[None]:
    yield
    for symbol in ("BTC/USDT", "ETH/USDT", "BTC/USDT:USDT", "ETH/USDT:USDT", "SOL/USDT:USDT"):
        for order in x.fetch_open_orders(symbol):
            x.cancel_order(order["id"], symbol)
        if symbol.endswith(":USDT"):
            x.cancel_all_orders(symbol, {"trigger": True})


def below(x: Any, symbol: str, factor: float = 0.9) -> float:
    """A buy price ``factor`` times the best bid (it rests)."""
    bid = x.fetch_order_book(symbol, 5)["bids"][0][0]
    return float(x.price_to_precision(symbol, bid * factor))


def test_all_orders_and_closed_orders(x: Any) -> None:
    resting = x.create_order("ETH/USDT", "limit", "buy", 0.1, below(x, "ETH/USDT"))
    filled = x.create_order("ETH/USDT", "market", "buy", 0.1)
    cancelled = x.create_order("ETH/USDT", "limit", "buy", 0.1, below(x, "ETH/USDT"))
    x.cancel_order(cancelled["id"], "ETH/USDT")
    orders = {o["id"]: o["status"] for o in x.fetch_orders("ETH/USDT")}
    assert orders[resting["id"]] == "open" and orders[filled["id"]] == "closed"
    assert orders[cancelled["id"]] == "canceled"
    closed = x.fetch_closed_orders("ETH/USDT")
    assert filled["id"] in {o["id"] for o in closed}
    assert all(o["status"] == "closed" for o in closed)
    since = x.fetch_orders("ETH/USDT", params={"orderId": cancelled["id"]})
    assert [o["id"] for o in since] == [cancelled["id"]]
    swap = x.create_order("ETH/USDT:USDT", "market", "buy", 0.1)
    assert swap["id"] in {o["id"] for o in x.fetch_closed_orders("ETH/USDT:USDT")}
    assert_same_shape(
        recorded("fetchOrders", "fetch spot orders"),
        x.privateGetAllOrders({"symbol": "ETHUSDT"}),
    )


def test_cancel_all_orders_spot_futures_and_algo(x: Any) -> None:
    for _ in range(2):
        x.create_order("BTC/USDT", "limit", "buy", 0.001, below(x, "BTC/USDT"))
    cancelled = x.cancel_all_orders("BTC/USDT")
    assert len(cancelled) == 2 and {o["status"] for o in cancelled} == {"canceled"}
    assert x.fetch_open_orders("BTC/USDT") == []
    with pytest.raises(ccxt.OrderNotFound, match="-2011"):
        x.cancel_all_orders("BTC/USDT")
    x.create_order("BTC/USDT:USDT", "limit", "buy", 0.01, below(x, "BTC/USDT:USDT"))
    stop = below(x, "BTC/USDT:USDT", 0.8)
    x.create_order("BTC/USDT:USDT", "market", "sell", 0.01, None, {"triggerPrice": stop})
    x.cancel_all_orders("BTC/USDT:USDT")
    assert x.fetch_open_orders("BTC/USDT:USDT") == []
    assert len(x.fetch_open_orders("BTC/USDT:USDT", params={"trigger": True})) == 1
    x.cancel_all_orders("BTC/USDT:USDT", {"trigger": True})
    assert x.fetch_open_orders("BTC/USDT:USDT", params={"trigger": True}) == []


def test_edit_spot_order_cancels_and_replaces(x: Any) -> None:
    before = x.fetch_balance()["USDT"]["used"]
    order = x.create_order("BTC/USDT", "limit", "buy", 0.001, below(x, "BTC/USDT"))
    price = below(x, "BTC/USDT", 0.8)
    edited = x.edit_order(order["id"], "BTC/USDT", "limit", "buy", 0.002, price)
    assert edited["id"] != order["id"] and edited["status"] == "open"
    assert (edited["amount"], edited["price"]) == (0.002, price)
    assert x.fetch_order(order["id"], "BTC/USDT")["status"] == "canceled"
    assert x.fetch_balance()["USDT"]["used"] == pytest.approx(before + 0.002 * price)
    with pytest.raises(ccxt.BadResponse, match="-2022"):
        x.edit_order(order["id"], "BTC/USDT", "limit", "buy", 0.002, price)
    assert [o["id"] for o in x.fetch_open_orders("BTC/USDT")] == [edited["id"]]


def test_edit_futures_order_keeps_its_id(x: Any) -> None:
    order = x.create_order("BTC/USDT:USDT", "limit", "buy", 0.01, below(x, "BTC/USDT:USDT"))
    price = below(x, "BTC/USDT:USDT", 0.85)
    edited = x.edit_order(order["id"], "BTC/USDT:USDT", "limit", "buy", 0.02, price)
    assert edited["id"] == order["id"] and (edited["amount"], edited["price"]) == (0.02, price)
    assert x.fetch_order(order["id"], "BTC/USDT:USDT")["amount"] == 0.02
    with pytest.raises(ccxt.OperationRejected, match="-5027"):
        x.edit_order(order["id"], "BTC/USDT:USDT", "limit", "buy", 0.02, price)
    ask = x.fetch_order_book("BTC/USDT:USDT", 5)["asks"][0][0]
    crossed = x.edit_order(order["id"], "BTC/USDT:USDT", "limit", "buy", 0.02, ask * 1.01)
    assert crossed["status"] == "closed" and crossed["filled"] == 0.02
    shape = recorded("editOrders", "edit swap orders")[0]
    made = x.create_order("BTC/USDT:USDT", "limit", "sell", 0.01, round(ask * 1.2, 1))
    edited = x.edit_order(made["id"], "BTC/USDT:USDT", "limit", "sell", 0.02, round(ask * 1.3, 1))
    assert_same_shape(shape, edited["info"])


def test_unknown_parameters_and_spot_reduce_only_are_refused(x: Any) -> None:
    price = below(x, "BTC/USDT")
    with pytest.raises(ccxt.BadRequest, match="-1104"):
        x.create_order("BTC/USDT", "limit", "buy", 0.001, price, {"reduceOnly": True})
    with pytest.raises(ccxt.BadRequest, match="-1104"):
        x.create_order("BTC/USDT", "limit", "buy", 0.001, price, {"colour": "red"})
    with pytest.raises(ccxt.BadRequest, match="-1104"):
        x.fetch_order_book("BTC/USDT", 5, {"depth": 5})
    with pytest.raises(ccxt.BadRequest, match="-1104"):
        swap = below(x, "BTC/USDT:USDT")
        x.create_order("BTC/USDT:USDT", "limit", "buy", 0.01, swap, {"colour": "red"})
    assert x.fetch_open_orders("BTC/USDT") == x.fetch_open_orders("BTC/USDT:USDT") == []
    assert x.fetch_deposits(params={"fiat": True}) is not None  # the wallet API is lenient


def test_conditional_orders_only_through_the_algo_api(x: Any) -> None:
    trigger = below(x, "BTC/USDT:USDT", 0.8)
    plain = {"symbol": "BTCUSDT", "side": "SELL", "type": "STOP_MARKET", "quantity": "0.01"}
    with pytest.raises(ccxt.InvalidOrder, match="-4120"):
        x.fapiPrivatePostOrder(plain | {"stopPrice": str(trigger)})
    stop = x.create_order("BTC/USDT:USDT", "market", "sell", 0.01, None, {"triggerPrice": trigger})
    with pytest.raises(ccxt.OrderNotFound, match="-2013"):
        x.fetch_order(stop["id"], "BTC/USDT:USDT")
    with pytest.raises(ccxt.OrderNotFound, match="-2011"):
        x.cancel_order(stop["id"], "BTC/USDT:USDT")
    assert stop["id"] not in {o["id"] for o in x.fetch_orders("BTC/USDT:USDT")}
    algo = x.fetch_orders("BTC/USDT:USDT", params={"trigger": True})
    assert stop["id"] in {o["id"] for o in algo}
    assert x.fetch_order(stop["id"], "BTC/USDT:USDT", {"trigger": True})["status"] == "open"
    x.cancel_order(stop["id"], "BTC/USDT:USDT", {"trigger": True})


def test_leverage_sets_the_margin_an_order_needs(x: Any) -> None:
    assert x.set_leverage(5, "SOL/USDT:USDT")["leverage"] == 5
    before = x.fetch_balance({"type": "swap"})["USDT"]["used"]
    price = below(x, "SOL/USDT:USDT")
    x.create_order("SOL/USDT:USDT", "limit", "buy", 2, price)
    at_5 = x.fetch_balance({"type": "swap"})["USDT"]["used"] - before
    x.set_leverage(20, "SOL/USDT:USDT")
    at_20 = x.fetch_balance({"type": "swap"})["USDT"]["used"] - before
    assert at_5 == pytest.approx(2 * price / 5, rel=1e-6)
    assert at_20 == pytest.approx(2 * price / 20, rel=1e-6)
    with pytest.raises(ccxt.BadRequest, match="-4028"):
        x.fapiPrivatePostLeverage({"symbol": "SOLUSDT", "leverage": 0})


def test_trading_fees(x: Any) -> None:
    spot = x.fetch_trading_fees()
    assert (spot["BTC/USDT"]["maker"], spot["BTC/USDT"]["taker"]) == (0.001, 0.001)
    assert set(spot) == {"BTC/USDT", "ETH/USDT", "SOL/USDT"}
    assert x.fetch_trading_fee("BTC/USDT:USDT")["taker"] == 0.0005
    swap = x.fetch_trading_fees({"type": "swap"})
    assert swap["BTC/USDT:USDT"]["info"] == {"feeTier": 0}


@pytest.mark.parametrize("timeframe", ["1m", "5m", "15m", "1h", "4h", "1d"])
def test_ohlcv_of_every_timeframe(x: Any, timeframe: str) -> None:
    size = x.parse_timeframe(timeframe) * 1000
    rows = x.fetch_ohlcv("BTC/USDT", timeframe, limit=5)
    assert len(rows) == 5 and rows[-1][0] == EPOCH_MS - EPOCH_MS % size
    assert [b[0] - a[0] for a, b in itertools.pairwise(rows)] == [size] * 4
    for _, o, h, lo, c, v in rows:
        assert lo <= min(o, c) <= max(o, c) <= h and v > 0


def test_longer_candles_aggregate_shorter_ones(x: Any) -> None:
    start = EPOCH_MS - EPOCH_MS % DAY_MS - DAY_MS  # the last whole day
    hours = x.fetch_ohlcv("BTC/USDT", "1h", start, 24)
    fives = x.fetch_ohlcv("BTC/USDT", "5m", start, 12)
    minutes = x.fetch_ohlcv("BTC/USDT", "1m", start, 60)
    for coarse, fine in ((hours[0], fives), (fives[0], minutes[:5])):
        assert coarse[1:5] == [
            fine[0][1],
            max(r[2] for r in fine),
            min(r[3] for r in fine),
            fine[-1][4],
        ]
        assert coarse[5] == pytest.approx(sum(r[5] for r in fine), rel=1e-9)
    day = x.fetch_ohlcv("BTC/USDT", "1d", start, 1)[0]
    assert day[0] == start and day[1] == hours[0][1] and day[4] == hours[-1][4]
    assert (day[2], day[3]) == (max(h[2] for h in hours), min(h[3] for h in hours))
    assert day[5] == pytest.approx(sum(h[5] for h in hours), rel=0.05)  # sampled volume
    with pytest.raises(ccxt.BadRequest, match="-1120"):
        x.publicGetKlines({"symbol": "BTCUSDT", "interval": "7m"})
    rows = x.publicGetKlines({"symbol": "BTCUSDT", "interval": "1h", "limit": 3})
    assert_same_shape(recorded("fetchOHLCV", "Spot OHLCV with since and limit"), rows)


async def test_watch_ticker_and_balance(settings: Settings, server: SimulatorServer) -> None:
    pro = client(settings, server.base_url, asynchronous=True)
    try:
        await pro.load_markets()
        ticker = await asyncio.wait_for(pro.watch_ticker("ETH/USDT"), 10)
        rest = await pro.fetch_ticker("ETH/USDT")
        assert ticker["symbol"] == "ETH/USDT" and ticker["last"] == rest["last"]
        assert ticker["high"] >= ticker["low"] > 0 and ticker["baseVolume"] > 0
        swap = await asyncio.wait_for(pro.watch_ticker("ETH/USDT:USDT"), 10)
        assert swap["symbol"] == "ETH/USDT:USDT" and swap["last"] > 0
        watch = asyncio.create_task(pro.watch_balance())
        await asyncio.sleep(0.5)
        price = float(pro.price_to_precision("ETH/USDT", rest["bid"] * 0.9))
        order = await pro.create_order("ETH/USDT", "limit", "buy", 0.5, price)
        balance = await asyncio.wait_for(watch, 10)
        assert balance["USDT"]["used"] == pytest.approx(0.5 * price)
        assert balance["USDT"]["free"] == (await pro.fetch_balance())["USDT"]["free"]
        await pro.cancel_order(order["id"], "ETH/USDT")
    finally:
        await pro.close()
