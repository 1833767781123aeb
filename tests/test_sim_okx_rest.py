"""ccxt.okx, unmodified, against the simulator's OKX dialect: markets, auth, orders, funds."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ccxt
import pytest

from deltaworks_core.config import Settings
from deltaworks_core.venues.simulator import SimClock, SimulatorServer, running_simulator

from .okx_support import NAME, okx_client, okx_settings
from .sim_support import EPOCH_MS


@pytest.fixture(scope="module")
def settings() -> Settings:
    return okx_settings(withdrawals=450)


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


def bid(x: Any, symbol: str) -> float:
    return x.fetch_order_book(symbol, 5)["bids"][0][0]


def test_markets_carry_okx_sizes(x: Any) -> None:
    spot, swap = x.market("BTC/USDT"), x.market("BTC/USDT:USDT")
    assert (spot["id"], spot["precision"], spot["limits"]["amount"]["min"]) == (
        "BTC-USDT",
        {"amount": 1e-07, "price": 0.1},
        1e-05,
    )
    assert (swap["id"], swap["contractSize"], swap["precision"]["amount"]) == (
        "BTC-USDT-SWAP",
        0.01,
        0.01,
    )
    assert swap["linear"] and swap["settle"] == "USDT"
    assert x.market("ETH/USDT")["precision"]["price"] == 0.01


def test_public_market_data(x: Any) -> None:
    ticker = x.fetch_ticker("BTC/USDT")
    assert ticker["bid"] < ticker["ask"] and ticker["last"] > 0 and ticker["quoteVolume"] > 0
    assert set(x.fetch_tickers(["BTC/USDT", "ETH/USDT"])) == {"BTC/USDT", "ETH/USDT"}
    book = x.fetch_order_book("BTC/USDT:USDT", 10)
    assert len(book["bids"]) == 10 and book["bids"][0][0] < book["asks"][0][0]
    assert book["bids"][0][1] >= 0.01  # contracts
    trades = x.fetch_trades("ETH/USDT", limit=7)
    assert len(trades) == 7 and trades[0]["timestamp"] <= trades[-1]["timestamp"]
    candles = x.fetch_ohlcv("BTC/USDT", "5m", limit=4)
    assert len(candles) == 4 and all(c[0] % 300_000 == 0 for c in candles)
    assert candles[1][0] - candles[0][0] == 300_000
    funding = x.fetch_funding_rate("BTC/USDT:USDT")
    assert abs(funding["fundingRate"]) < 0.001 and funding["interval"] == "8h"
    assert x.fetch_time() == EPOCH_MS and x.fetch_status()["status"] == "ok"


@pytest.mark.parametrize(
    ("override", "code"),
    [
        ({"secret": "0" * 64}, "50113"),
        ({"password": "wrong"}, "50105"),
        ({"apiKey": "unknown-key"}, "50111"),
    ],
)
def test_bad_credentials_are_refused(
    settings: Settings, server: SimulatorServer, override: dict, code: str
) -> None:
    exchange = okx_client(settings, server.base_url, **override)
    with pytest.raises(ccxt.AuthenticationError, match=code):
        exchange.fetch_balance()


def test_trading_and_funding_balances(x: Any, server: SimulatorServer) -> None:
    before = x.fetch_balance()
    funding = x.fetch_balance({"type": "funding"})
    assert funding["USDT"]["total"] == 5000
    assert before["USDT"]["total"] == 150_000  # spot 100,000 and the swaps' 50,000 margin
    x.transfer("USDT", 100, "funding", "trading")
    assert x.fetch_balance({"type": "funding"})["USDT"]["free"] == 4900
    assert x.fetch_balance()["USDT"]["free"] == before["USDT"]["free"] + 100


def test_order_lifecycle_by_id_and_client_id(x: Any) -> None:
    price = round(bid(x, "BTC/USDT") * 0.9, 1)
    order = x.create_order("BTC/USDT", "limit", "buy", 0.001, price, {"clOrdId": "desk42"})
    assert order["clientOrderId"] == "desk42"
    by_id = x.fetch_order(order["id"], "BTC/USDT")
    by_client = x.fetch_order(None, "BTC/USDT", {"clOrdId": "desk42"})
    assert by_id["id"] == by_client["id"] and by_id["status"] == "open"
    assert by_id["amount"] == 0.001 and by_id["price"] == price
    assert order["id"] in [o["id"] for o in x.fetch_open_orders("BTC/USDT")]
    amended = x.edit_order(order["id"], "BTC/USDT", "limit", "buy", 0.002, price + 1)
    assert amended["id"] == order["id"]
    after = x.fetch_order(order["id"], "BTC/USDT")
    assert (after["amount"], after["price"], after["status"]) == (0.002, price + 1, "open")
    assert x.fetch_balance()["USDT"]["used"] >= 0.002 * (price + 1)
    canceled = x.cancel_order(order["id"], "BTC/USDT")
    assert canceled["id"] == order["id"]
    assert x.fetch_order(order["id"], "BTC/USDT")["status"] == "canceled"
    with pytest.raises(ccxt.OrderNotFound):
        x.cancel_order(order["id"], "BTC/USDT")
    with pytest.raises(ccxt.OrderNotFound):
        x.fetch_order("999999999", "BTC/USDT")


@pytest.mark.parametrize("client_id", ["has-dash", "x" * 33, "space here"])
def test_client_order_ids_follow_okx_rules(x: Any, client_id: str) -> None:
    price = round(bid(x, "ETH/USDT") * 0.9, 2)
    with pytest.raises(ccxt.BadRequest, match="51000"):
        x.create_order("ETH/USDT", "limit", "buy", 0.01, price, {"clOrdId": client_id})


def test_okx_order_rules(x: Any) -> None:
    price = round(bid(x, "BTC/USDT") * 0.9, 1)
    first = x.create_order("BTC/USDT", "limit", "buy", 0.001, price, {"clOrdId": "dup1"})
    with pytest.raises(ccxt.InvalidOrder, match=r"51016.*Duplicated clOrdId"):
        x.create_order("BTC/USDT", "limit", "buy", 0.001, price, {"clOrdId": "dup1"})
    x.cancel_order(first["id"], "BTC/USDT")
    with pytest.raises(ccxt.InvalidOrder, match="51016"):  # a closed order's id stays taken
        x.create_order("BTC/USDT", "limit", "buy", 0.001, price, {"clOrdId": "dup1"})
    with pytest.raises(ccxt.InvalidOrder, match="51020"):  # under minSz 0.00001
        x.private_post_trade_order(
            {
                "instId": "BTC-USDT",
                "tdMode": "cash",
                "side": "buy",
                "ordType": "limit",
                "sz": "0.000005",
                "px": str(price),
            }
        )
    with pytest.raises(ccxt.InvalidOrder, match="51121"):  # swap lot 0.01 contracts
        x.private_post_trade_order(
            {
                "instId": "BTC-USDT-SWAP",
                "tdMode": "cross",
                "side": "buy",
                "ordType": "market",
                "sz": "0.015",
            }
        )
    with pytest.raises(ccxt.BadRequest, match="tdMode"):
        x.private_post_trade_order(
            {"instId": "BTC-USDT", "side": "buy", "ordType": "market", "sz": "0.001"}
        )
    with pytest.raises(ccxt.BadRequest, match="attachAlgoOrds"):  # never silently unprotected
        x.create_order("BTC/USDT", "limit", "buy", 0.001, price, {"stopLoss": {"triggerPrice": 1}})
    with pytest.raises(ccxt.InsufficientFunds, match="51008"):
        x.create_order("BTC/USDT", "limit", "buy", 100, price)


def test_batches_answer_per_order(x: Any) -> None:
    price = round(bid(x, "SOL/USDT") * 0.9, 2)
    orders = x.create_orders(
        [
            {"symbol": "SOL/USDT", "type": "limit", "side": "buy", "amount": 1, "price": price},
            {"symbol": "SOL/USDT", "type": "limit", "side": "buy", "amount": 10**6, "price": price},
        ]
    )
    assert [o["status"] for o in orders] == [None, "rejected"]
    assert orders[1]["info"]["sCode"] == "51008"
    second = x.create_order("SOL/USDT", "limit", "buy", 1, price - 1)
    canceled = x.cancel_orders([orders[0]["id"], second["id"]], "SOL/USDT")
    assert {o["id"] for o in canceled} == {orders[0]["id"], second["id"]}
    assert x.fetch_open_orders("SOL/USDT") == []


def test_fills_history_and_closed_orders(x: Any) -> None:
    order = x.create_order("ETH/USDT", "market", "buy", 0.05)
    assert x.fetch_order(order["id"], "ETH/USDT")["status"] == "closed"
    trades = [t for t in x.fetch_my_trades("ETH/USDT") if t["order"] == order["id"]]
    assert sum(t["amount"] for t in trades) == pytest.approx(0.05)
    assert all(t["fee"]["currency"] == "ETH" and t["fee"]["cost"] > 0 for t in trades)
    assert order["id"] in [o["id"] for o in x.fetch_closed_orders("ETH/USDT")]


def test_swaps_positions_leverage_and_fees(x: Any) -> None:
    x.set_leverage(5, "ETH/USDT:USDT")
    x.create_order("ETH/USDT:USDT", "market", "buy", 3)  # 3 contracts of 0.1 ETH
    (position,) = x.fetch_positions(["ETH/USDT:USDT"])
    assert (position["contracts"], position["contractSize"], position["side"]) == (3, 0.1, "long")
    assert position["leverage"] == 5
    assert position["initialMargin"] == pytest.approx(position["notional"] / 5)
    x.create_order("ETH/USDT:USDT", "market", "sell", 3, None, {"reduceOnly": True})
    assert x.fetch_positions(["ETH/USDT:USDT"]) == []
    spot_fee, swap_fee = x.fetch_trading_fee("BTC/USDT"), x.fetch_trading_fee("BTC/USDT:USDT")
    assert (spot_fee["maker"], spot_fee["taker"]) == (0.0008, 0.001)
    assert (swap_fee["maker"], swap_fee["taker"]) == (0.0002, 0.0005)


def test_deposit_address(x: Any) -> None:
    address = x.fetch_deposit_address("USDT", {"network": "TRC20"})
    assert address["network"] == "TRC20" and address["address"].startswith("T")
    assert x.fetch_deposit_address("USDT", {"network": "TRC20"}) == address


def test_withdrawals_page_by_cursor_100_at_a_time(x: Any, server: SimulatorServer) -> None:
    truth = {w.id for w in server.engine(NAME).withdrawals()}
    assert len(truth) > 300
    with pytest.raises(ccxt.BadRequest, match="limit"):
        x.fetch_withdrawals(limit=101)
    seen: list[str] = []
    until = None
    while True:  # backwards from now: after = the oldest timestamp of the page
        page = x.fetch_withdrawals(limit=100, params={} if until is None else {"until": until})
        assert len(page) <= 100
        if not page:
            break
        seen += [w["id"] for w in page]
        until = page[0]["timestamp"]
    assert sorted(seen) == sorted(truth)  # every record once
    forward: list[str] = []
    since = 0
    while True:  # forwards: before = the newest timestamp of the page
        page = x.private_get_asset_withdrawal_history({"before": since})["data"]
        if not page:
            break
        forward += [w["wdId"] for w in page]
        since = int(page[0]["ts"])
    assert sorted(forward) == sorted(truth)


def test_deposits_page_like_withdrawals(x: Any, server: SimulatorServer) -> None:
    truth = {d.id for d in server.engine(NAME).deposits()}
    seen: list[str] = []
    until = None
    while True:
        page = x.fetch_deposits(limit=100, params={} if until is None else {"until": until})
        if not page:
            break
        assert len(page) <= 100 and all(d["type"] == "deposit" and d["txid"] for d in page)
        seen += [d["id"] for d in page]
        until = page[0]["timestamp"]
    assert truth and sorted(seen) == sorted(truth)


def test_a_stop_triggers(x: Any, server: SimulatorServer) -> None:
    engine = server.engine(NAME)
    last = x.fetch_ticker("SOL/USDT")["last"]
    liquidity = engine.liquidity("SOL/USDT")
    step = engine.now_ms() // 1000
    path = [liquidity.trade(step + s)[0] / 100 for s in range(1, 900)]
    if min(path) < last:  # a sell stop under the market, where the price will fall to
        side, trigger = "sell", round(min(path) + 0.01, 2)
    else:  # a buy stop above it
        side, trigger = "buy", round(max(path) - 0.01, 2)
    assert trigger != last
    stop = x.create_order("SOL/USDT", "market", side, 1, None, {"triggerPrice": trigger})
    (pending,) = x.fetch_open_orders("SOL/USDT", params={"trigger": True})
    assert pending["id"] == stop["id"] and pending["triggerPrice"] == trigger
    with pytest.raises(ccxt.OrderNotFound):  # not an order until it triggers
        x.fetch_order(stop["id"], "SOL/USDT")
    crossing = next(
        i
        for i, price in enumerate(path, 1)
        if (price <= trigger if side == "sell" else price >= trigger)
    )
    engine.advance(crossing - 1)
    assert x.fetch_open_orders("SOL/USDT", params={"trigger": True}) != []  # not yet
    engine.advance(2)
    assert x.fetch_open_orders("SOL/USDT", params={"trigger": True}) == []
    done = x.fetch_order(stop["id"], "SOL/USDT")
    assert done["status"] == "closed" and done["filled"] == 1


def test_rate_limits_answer_too_many_requests(settings: Settings, server: SimulatorServer) -> None:
    engine = server.engine(NAME)
    exchange = okx_client(settings, server.base_url)
    engine.set_rate_limit(6_000)  # OKX's own limits: account/balance 10 requests per 2 s
    try:
        with pytest.raises(ccxt.RateLimitExceeded, match="50011"):
            for _ in range(12):
                exchange.private_get_account_balance()
    finally:
        engine.set_rate_limit(600_000)
