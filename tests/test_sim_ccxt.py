"""The simulator through ccxt's own binance class over HTTP, on a simulated clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ccxt
import pytest

from deltaworks_core.config import Settings
from deltaworks_core.venues.simulator import (
    SimClock,
    SimulatorServer,
    WithdrawalStatus,
    running_simulator,
)

from . import sim_support
from .sim_support import EPOCH_MS, client, sim_settings

DAY_MS = 86_400_000


@pytest.fixture(scope="module")
def settings() -> Settings:
    return sim_settings(withdrawals=3000)


server = sim_support.server


@pytest.fixture(scope="module")
def x(settings: Settings, server: SimulatorServer) -> Any:
    exchange = client(settings, server.base_url)
    exchange.load_markets()
    return exchange


@pytest.fixture(autouse=True)
def _no_faults(server: SimulatorServer) -> Iterator[None]:
    yield
    for name in server.names:
        engine = server.engine(name)
        engine.set_faults(
            latency_ms=0, error_rate=0, timeout_rate=0, burst_429=0, drop_order_response=0
        )
        engine.set_rate_limit(600_000)


def best(x: Any, symbol: str, side: str) -> float:
    return x.fetch_order_book(symbol, 5)["bids" if side == "bid" else "asks"][0][0]


def test_markets_have_binance_rules(x: Any) -> None:
    assert {"BTC/USDT", "ETH/USDT", "SOL/USDT", "BTC/USDT:USDT"} <= set(x.markets)
    spot, perp = x.market("BTC/USDT"), x.market("BTC/USDT:USDT")
    assert spot["spot"] and perp["swap"] and perp["linear"] and perp["settle"] == "USDT"
    assert (spot["precision"]["amount"], spot["precision"]["price"]) == (1e-05, 0.01)
    assert spot["limits"]["cost"]["min"] == 5 and perp["limits"]["cost"]["min"] == 100


@pytest.mark.parametrize("symbol", ["BTC/USDT", "ETH/USDT:USDT"])
def test_market_data(x: Any, symbol: str) -> None:
    book = x.fetch_order_book(symbol, 20)
    assert len(book["bids"]) == len(book["asks"]) == 20
    assert book["bids"][0][0] < book["asks"][0][0] and book["nonce"] > 0
    ticker = x.fetch_ticker(symbol)
    assert ticker["low"] <= ticker["last"] <= ticker["high"]
    trades = x.fetch_trades(symbol, limit=50)
    assert len(trades) == 50 and trades[-1]["timestamp"] <= x.milliseconds()
    candles = x.fetch_ohlcv(symbol, "1m", limit=30)
    assert len(candles) == 30 and all(
        c[3] <= c[1] <= c[2] and c[3] <= c[4] <= c[2] for c in candles
    )
    since = EPOCH_MS - 3 * DAY_MS
    history = x.fetch_ohlcv(symbol, "1m", since=since, limit=10)
    assert history[0][0] == since and len(history) == 10


def test_tickers(x: Any) -> None:
    assert set(x.fetch_tickers()) == {"BTC/USDT", "ETH/USDT", "SOL/USDT"}
    assert set(x.fetch_tickers(["BTC/USDT", "ETH/USDT"])) == {"BTC/USDT", "ETH/USDT"}
    assert "BTC/USDT:USDT" in x.fetch_tickers(params={"type": "swap"})


def test_balances_spot_margin_future(x: Any) -> None:
    spot = x.fetch_balance()
    assert spot["USDT"]["total"] >= spot["USDT"]["free"] > 0
    margin = x.fetch_balance({"type": "margin"})
    assert margin["BTC"]["debt"] > 0 and margin["info"]["userAssets"][0]["netAsset"]
    future = x.fetch_balance({"type": "future"})
    assert future["USDT"]["total"] > 0
    assert future["info"]["assets"][0]["availableBalance"] == future["info"]["availableBalance"]


def test_order_lifecycle_spot(x: Any, server: SimulatorServer) -> None:
    price = x.price_to_precision("BTC/USDT", best(x, "BTC/USDT", "bid") * 0.98)
    order = x.create_order("BTC/USDT", "limit", "buy", 0.01, price, {"clientOrderId": "t-life-1"})
    assert order["status"] == "open" and order["clientOrderId"] == "t-life-1"
    assert x.fetch_order(order["id"], "BTC/USDT")["status"] == "open"
    by_client = x.fetch_order(None, "BTC/USDT", {"origClientOrderId": "t-life-1"})
    assert by_client["id"] == order["id"]
    assert order["id"] in [o["id"] for o in x.fetch_open_orders("BTC/USDT")]
    assert x.fetch_balance()["USDT"]["used"] >= 0.01 * float(price)
    canceled = x.cancel_order(order["id"], "BTC/USDT")
    assert canceled["status"] == "canceled"
    assert order["id"] not in [o["id"] for o in x.fetch_open_orders("BTC/USDT")]
    with pytest.raises(ccxt.InvalidOrder, match=r"-2010.*Duplicate order sent"):  # closed, used
        x.create_order("BTC/USDT", "limit", "buy", 0.01, price, {"clientOrderId": "t-life-1"})
    with pytest.raises(ccxt.OrderNotFound):
        x.cancel_order(order["id"], "BTC/USDT")
    with pytest.raises(ccxt.OrderNotFound):
        x.fetch_order("424242", "BTC/USDT")


def test_market_order_fills_with_fees_and_trades(x: Any) -> None:
    order = x.create_order("ETH/USDT", "market", "buy", 0.5)
    assert order["status"] == "closed" and order["filled"] == 0.5
    assert order["fee"]["currency"] == "ETH" and order["trades"]
    mine = [t for t in x.fetch_my_trades("ETH/USDT") if t["order"] == order["id"]]
    assert sum(t["amount"] for t in mine) == pytest.approx(0.5)
    assert all(t["takerOrMaker"] == "taker" for t in mine)


def test_rejections_map_to_ccxt_errors(x: Any) -> None:
    # ccxt's per-market-type error tables key on Binance's host names; on other URLs
    # ccxt maps -1013 to BadRequest on Binance too (no spot-specific entry)
    with pytest.raises(ccxt.BadRequest, match="Filter failure: NOTIONAL"):
        x.create_order("BTC/USDT", "limit", "buy", 0.00002, 50_000)
    with pytest.raises(ccxt.InsufficientFunds):
        x.create_order("BTC/USDT", "limit", "buy", 50, 60_000)
    with pytest.raises(ccxt.InvalidOrder, match="PRICE_FILTER"):
        x.privatePostOrder(
            {
                "symbol": "BTCUSDT",
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "0.01",
                "price": "50000.001",
            }
        )
    with pytest.raises(ccxt.InvalidOrder, match="LOT_SIZE"):
        x.privatePostOrder(
            {
                "symbol": "BTCUSDT",
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "0.000011",
                "price": "50000",
            }
        )
    with pytest.raises(ccxt.BadSymbol):
        x.publicGetDepth({"symbol": "NOPEUSDT"})
    with pytest.raises(ccxt.OrderImmediatelyFillable):
        x.create_order(
            "BTC/USDT", "limit", "buy", 0.01, best(x, "BTC/USDT", "ask") + 10, {"postOnly": True}
        )


def test_limit_order_rests_partially_fills_and_fills(x: Any, server: SimulatorServer) -> None:
    engine = server.engine("sim_a")
    price = x.price_to_precision("SOL/USDT", best(x, "SOL/USDT", "bid") - 0.05)
    order = x.create_order("SOL/USDT", "limit", "buy", 100, price)
    assert order["status"] == "open" and order["filled"] == 0
    inside = engine.order("main", "SOL/USDT", int(order["id"]))
    seen = []
    for _ in range(6 * 3600):  # the clock moves a second at a time; ccxt looks at each change
        engine.advance(1)
        if inside.status != "NEW" and (not seen or seen[-1][1] != inside.filled):
            fetched = x.fetch_order(order["id"], "SOL/USDT")
            seen.append((fetched["status"], fetched["filled"] * 1000))
            if fetched["status"] == "closed":
                break
    assert any(status == "open" and 0 < filled < 100_000 for status, filled in seen)
    assert seen[-1] == ("closed", 100_000)
    fills = [t for t in x.fetch_my_trades("SOL/USDT") if t["order"] == order["id"]]
    assert all(t["takerOrMaker"] == "maker" and t["price"] == float(price) for t in fills)


def test_stop_orders_trigger(x: Any, server: SimulatorServer) -> None:
    engine = server.engine("sim_a")
    bid = best(x, "ETH/USDT", "bid")
    stop = x.create_order(
        "ETH/USDT", "limit", "sell", 0.1, round(bid - 8, 2), {"triggerPrice": round(bid - 5, 2)}
    )
    assert stop["type"] == "limit" and stop["triggerPrice"] == round(bid - 5, 2)
    take = x.create_order(
        "ETH/USDT", "market", "sell", 0.1, params={"takeProfitPrice": round(bid + 5, 2)}
    )
    assert x.fetch_order(stop["id"], "ETH/USDT")["info"]["type"] == "STOP_LOSS_LIMIT"
    assert x.fetch_order(take["id"], "ETH/USDT")["info"]["type"] == "TAKE_PROFIT"
    pending = {stop["id"], take["id"]}
    for _ in range(2000):
        engine.advance(30)
        pending = {i for i in pending if x.fetch_order(i, "ETH/USDT")["status"] == "open"}
        if len(pending) < 2:
            break
    assert len(pending) < 2  # one of the two triggered and filled


def test_futures_orders_and_positions(x: Any) -> None:
    order = x.create_order("BTC/USDT:USDT", "market", "buy", 0.01, params={"clientOrderId": "f1"})
    assert order["status"] == "closed" and order["clientOrderId"] == "f1"
    assert x.fetch_order(order["id"], "BTC/USDT:USDT")["filled"] == 0.01
    balance = x.fetch_balance({"type": "future"})
    assert balance["USDT"]["used"] > 0
    assert balance["info"]["positions"][0]["positionAmt"] == "0.010"
    limit = x.create_order(
        "BTC/USDT:USDT",
        "limit",
        "sell",
        0.01,
        round(best(x, "BTC/USDT:USDT", "ask") * 1.05, 1),
        {"reduceOnly": True},
    )
    assert [o["id"] for o in x.fetch_open_orders("BTC/USDT:USDT")] == [limit["id"]]
    assert x.cancel_order(limit["id"], "BTC/USDT:USDT")["status"] == "canceled"
    closing = x.create_order("BTC/USDT:USDT", "market", "sell", 0.01, params={"reduceOnly": True})
    assert closing["status"] == "closed"
    assert len(x.fetch_my_trades("BTC/USDT:USDT")) >= 2


def test_authentication_failures(settings: Settings, server: SimulatorServer) -> None:
    wrong_key = client(settings, server.base_url)
    wrong_key.apiKey = "0" * 64
    with pytest.raises(ccxt.AuthenticationError):
        wrong_key.fetch_balance()
    wrong_secret = client(settings, server.base_url)
    wrong_secret.secret = "f" * 64
    with pytest.raises(ccxt.AuthenticationError, match="-1022"):
        wrong_secret.fetch_balance()
    other_exchange = client(settings, server.base_url, "sim_b")
    other_exchange.urls["api"] = client(settings, server.base_url).urls["api"]
    with pytest.raises(ccxt.AuthenticationError, match="-2015"):
        other_exchange.fetch_balance()
    stale = client(settings, server.base_url)
    stale.nonce = lambda: stale.milliseconds() - 60_000
    with pytest.raises(ccxt.InvalidNonce):
        stale.fetch_balance()


def test_rate_limit_answers_429(x: Any, server: SimulatorServer) -> None:
    engine = server.engine("sim_a")
    engine.set_rate_limit(60)
    with pytest.raises(ccxt.DDoSProtection):
        for _ in range(20):
            x.fetch_order_book("BTC/USDT", 5)  # weight 5 each
    engine.set_rate_limit(600_000)
    engine.set_faults(burst_429=2)
    for _ in range(2):
        with pytest.raises(ccxt.DDoSProtection):
            x.fetch_ticker("BTC/USDT")
    assert x.fetch_ticker("BTC/USDT")["last"] > 0


def test_fault_injection(x: Any, settings: Settings, server: SimulatorServer) -> None:
    engine = server.engine("sim_a")
    engine.set_faults(error_rate=1.0)
    with pytest.raises(ccxt.ExchangeNotAvailable):
        x.fetch_ticker("BTC/USDT")
    engine.set_faults(error_rate=0.0, timeout_rate=1.0, timeout_delay_ms=1500)
    quick = client(settings, server.base_url)
    quick.markets, quick.markets_by_id, quick.symbols = x.markets, x.markets_by_id, x.symbols
    quick.timeout = 300
    with pytest.raises(ccxt.RequestTimeout):
        quick.fetch_ticker("BTC/USDT")
    engine.set_faults(timeout_rate=0.0, drop_order_response=1.0)
    with pytest.raises(ccxt.RequestTimeout):
        quick.create_order("BTC/USDT", "market", "buy", 0.001, params={"clientOrderId": "lost-1"})
    engine.set_faults(drop_order_response=0.0, latency_ms=200)
    found = x.fetch_order(None, "BTC/USDT", {"origClientOrderId": "lost-1"})
    assert found["status"] == "closed"  # accepted although the client never heard back
    started = x.milliseconds()
    x.fetch_time()
    assert x.milliseconds() - started >= 200


def test_withdrawal_history_every_record_once_across_90_day_windows(
    x: Any, server: SimulatorServer
) -> None:
    engine = server.engine("sim_a")
    now = engine.now_ms()
    since, seen = now - 366 * DAY_MS, []
    while since <= now:
        offset = 0
        while True:
            page = x.fetch_withdrawals(since=since, limit=500, params={"offset": offset})
            seen += [w["id"] for w in page]
            if len(page) < 500:
                break
            offset += 500
        since += 90 * DAY_MS + 1
    expected = len(engine.withdrawals(now - 90 * DAY_MS, now)) >= 0  # endpoint works unbounded
    assert expected and len(seen) == len(set(seen)) == 3000
    statuses = {w["status"] for w in x.fetch_withdrawals(since=now - 90 * DAY_MS)}
    assert statuses <= {"ok", "pending", "failed", "canceled"} and "ok" in statuses
    with pytest.raises(ccxt.BadRequest):
        x.fetch_withdrawals(params={"startTime": now - 100 * DAY_MS, "endTime": now})


def test_withdrawal_statuses_move_and_new_ones_appear(x: Any, server: SimulatorServer) -> None:
    engine = server.engine("sim_a")
    engine.add_withdrawal(
        "BTC", 0.25, pending_ms=1_800_000, final_status=WithdrawalStatus.COMPLETED
    )
    latest = x.fetch_withdrawals("BTC", since=engine.now_ms() - 5 * DAY_MS)[-1]
    assert latest["amount"] == 0.25 and latest["status"] == "pending" and not latest["txid"]
    engine.advance(3600)
    done = x.fetch_withdrawals("BTC", since=engine.now_ms() - 5 * DAY_MS)[-1]
    assert done["id"] == latest["id"] and done["status"] == "ok" and done["txid"]


def test_fiat_withdrawals(x: Any, server: SimulatorServer) -> None:
    engine = server.engine("sim_a")
    since = engine.now_ms() - 365 * DAY_MS
    rows, page = [], 1
    while True:
        batch = x.fetch_withdrawals(since=since, params={"fiat": True, "page": page, "rows": 100})
        rows += batch
        if len(batch) < 100:
            break
        page += 1
    assert len(rows) == len({r["id"] for r in rows}) == 300
    assert {r["currency"] for r in rows} <= {"EUR", "USD", "GBP", "BRL", "TRY"}
    assert all(r["type"] == "withdrawal" and r["fee"]["cost"] > 0 for r in rows)


def test_same_seed_same_responses(settings: Settings) -> None:
    def session() -> list:
        with running_simulator(
            settings.simulator, settings.exchanges, clock=SimClock(EPOCH_MS)
        ) as srv:
            ex = client(settings, srv.base_url, "sim_b")
            ex.load_markets()
            out = [ex.fetch_order_book("BTC/USDT", 10)["bids"], ex.fetch_trades("ETH/USDT")]
            order = ex.create_order(
                "BTC/USDT", "market", "sell", 0.05, params={"clientOrderId": "d1"}
            )
            srv.engine("sim_b").advance(120)
            out += [
                order["info"],
                ex.fetch_my_trades("BTC/USDT"),
                ex.fetch_balance()["info"],
                ex.fetch_ohlcv("SOL/USDT", "1m", limit=10),
                ex.fetch_withdrawals(),
            ]
            return out

    assert session() == session()


def test_futures_conditional_orders_use_the_algo_api(x: Any, server: SimulatorServer) -> None:
    engine = server.engine("sim_a")
    bid = best(x, "ETH/USDT:USDT", "bid")
    stop = x.create_order(
        "ETH/USDT:USDT", "market", "sell", 0.05, params={"stopLossPrice": round(bid - 4, 2)}
    )
    far = x.create_order(
        "ETH/USDT:USDT",
        "limit",
        "buy",
        0.05,
        round(bid * 1.5, 2),
        {"triggerPrice": round(bid * 1.4, 2)},
    )  # a buy stop: far above
    assert stop["status"] == "open" and stop["info"]["orderType"] == "STOP_MARKET"
    trigger_ids = {o["id"] for o in x.fetch_open_orders("ETH/USDT:USDT", params={"trigger": True})}
    assert {stop["id"], far["id"]} <= trigger_ids
    assert far["id"] not in {o["id"] for o in x.fetch_open_orders("ETH/USDT:USDT")}
    assert x.cancel_order(far["id"], "ETH/USDT:USDT", {"trigger": True})["id"] == far["id"]
    for _ in range(2000):
        engine.advance(30)
        if x.fetch_order(stop["id"], "ETH/USDT:USDT", {"trigger": True})["status"] != "open":
            break
    assert x.fetch_order(stop["id"], "ETH/USDT:USDT", {"trigger": True})["status"] == "closed"
    assert x.fetch_order(stop["id"], "ETH/USDT:USDT")["filled"] == 0.05


def test_market_orders_by_cost_and_positions(x: Any) -> None:
    spent = x.create_market_buy_order_with_cost("ETH/USDT", 500)
    assert spent["status"] == "closed" and 495 <= spent["cost"] <= 500
    with_price = x.create_order("ETH/USDT", "market", "sell", 0.1, 3000)  # quoteOrderQty = 300
    assert with_price["status"] == "closed" and with_price["cost"] <= 300
    x.create_order("SOL/USDT:USDT", "market", "sell", 1)
    positions = x.fetch_positions(["SOL/USDT:USDT"])
    assert positions[0]["side"] == "short" and positions[0]["contracts"] == 1
