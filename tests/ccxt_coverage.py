"""The ccxt unified methods a desk calls, in one table every simulated dialect is held to.

Each ``Call`` is one call through an unmodified ccxt (or ccxt.pro) client of a dialect's
exchange class, and a check of the shape of what ccxt made of the answer. A dialect joins
with a ``Venue`` in ``VENUES`` (its ccxt class, symbols, a coin and network, its balance
accounts); ``test_ccxt_coverage`` drives every call against every venue, so an "unknown
path", an error or a wrong shape fails there. Add a method here, and every dialect must
serve it, unless its ccxt class says it has no such method (``has[...]`` false, as
``ccxt.okx`` says of ``fetchOrders``): then the row is skipped for that venue.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ccxt.pro

TIMEFRAMES = ("1m", "5m", "15m", "1h", "4h", "1d")
MS = {"1m": 60_000, "5m": 300_000, "15m": 900_000, "1h": 3_600_000, "4h": 14_400_000}
MS["1d"] = 86_400_000
ORDER_STATUSES = {"open", "closed", "canceled", "expired", "rejected"}
STREAM_TIMEOUT_S = 10


@dataclass(frozen=True)
class Venue:
    """What a dialect's rows need: its ccxt class, markets, a coin, its balance accounts."""

    dialect: str
    ccxt_id: str
    spot: str
    swap: str
    spot_amount: float
    swap_amount: float
    coin: str
    network: str
    outside_address: str  # an address on ``network`` outside the simulator (withdraw)
    # order entry answers ids only (OKX: ``ordId``, ``clOrdId``, ``sCode``; no status):
    # the rows then check the order as the venue reports it afterwards
    acknowledges_orders: bool = False
    # account name -> fetch_balance params (spot, swap, margin, funding, ...)
    balances: dict[str, dict[str, Any]] = field(default_factory=dict)


VENUES: dict[str, Venue] = {
    "binance": Venue(
        dialect="binance",
        ccxt_id="binance",
        spot="BTC/USDT",
        swap="BTC/USDT:USDT",
        spot_amount=0.001,
        swap_amount=0.01,
        coin="USDT",
        network="TRC20",
        outside_address="TKRxCKea88ZvHeGsXEY33CqAQHPDqcAw4N",
        balances={"spot": {}, "swap": {"type": "swap"}, "margin": {"type": "margin"}},
    ),
    "okx": Venue(
        dialect="okx",
        ccxt_id="okx",
        spot="BTC/USDT",
        swap="BTC/USDT:USDT",
        spot_amount=0.001,
        swap_amount=1,  # contracts of 0.01 BTC
        coin="USDT",
        network="TRC20",
        outside_address="TKRxCKea88ZvHeGsXEY33CqAQHPDqcAw4N",
        acknowledges_orders=True,
        balances={"spot": {}, "swap": {"type": "swap"}, "funding": {"type": "funding"}},
    ),
}


class Desk:
    """One venue's clients and the helpers rows use (prices away from the market, orders)."""

    def __init__(self, venue: Venue, rest: Any, pro_factory: Callable[[], Any]) -> None:
        self.venue = venue
        self.x = rest
        self.new_pro = pro_factory
        # what the venue's ccxt class says it serves (the ccxt.pro class: REST and streams)
        self.has: dict[str, Any] = getattr(ccxt.pro, venue.ccxt_id)().has

    def reported(self, order: dict) -> dict:
        """``order`` as the venue reports it: itself, or where the venue answered order
        entry with an acknowledgement only, as ``fetch_order`` then finds it."""
        if not self.venue.acknowledges_orders or order["status"] is not None:
            return order
        params = {"trigger": True} if order["info"].get("algoId") else {}
        return self.x.fetch_order(order["id"], order["symbol"], params)

    def price(self, symbol: str, side: str, factor: float) -> float:
        """A price ``factor`` times the best price of ``side``, on the market's tick."""
        book = self.x.fetch_order_book(symbol, 5)
        best = book["bids"][0][0] if side == "buy" else book["asks"][0][0]
        return float(self.x.price_to_precision(symbol, best * factor))

    def resting(self, symbol: str, amount: float, params: dict | None = None) -> dict:
        """A buy limit order far below the market (it rests)."""
        price = self.price(symbol, "buy", 0.9)
        return self.x.create_order(symbol, "limit", "buy", amount, price, params or {})


Action = Callable[[Desk], Any]
Check = Callable[[Any, Desk], None]


@dataclass(frozen=True)
class Call:
    """One ccxt call (``run``; streams await a ccxt.pro client, see ``_watch``) and the
    shape its result must have (``check``)."""

    name: str
    run: Callable[[Desk], Any]
    check: Check
    account: str | None = None  # a balance row: skipped where the venue has no such account

    @property
    def method(self) -> str:
        """The ccxt ``has`` key of the call: ``fetch_ohlcv 1h`` -> ``fetchOHLCV``."""
        snake = self.name.split()[0]
        camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), snake)
        return camel.replace("Ohlcv", "OHLCV")

    def unsupported_by(self, desk: Desk) -> bool:
        """Whether the venue's ccxt class says it has no such method (``has[...]`` false);
        a method ``has`` does not list (``loadMarkets``) is always driven."""
        return not desk.has.get(self.method, True)


# -- shape checks ----------------------------------------------------------------------------


def _positive(value: Any, what: str) -> None:
    assert isinstance(value, int | float) and value > 0, f"{what}: {value!r}"


def is_order(symbol: str, statuses: set[str] = ORDER_STATUSES) -> Check:
    def check(order: Any, desk: Desk) -> None:
        assert order["id"], order
        order = desk.reported(order)
        assert order["symbol"] == symbol, order
        assert order["status"] in statuses, order["status"]
        assert order["side"] in ("buy", "sell") and order["type"], order
        _positive(order["amount"], "amount")

    return check


def is_orders(symbol: str, statuses: set[str] = ORDER_STATUSES) -> Check:
    def check(orders: Any, desk: Desk) -> None:
        assert isinstance(orders, list) and orders, orders
        for order in orders:
            is_order(symbol, statuses)(order, desk)

    return check


def is_ticker(ticker: Any, desk: Desk) -> None:
    _positive(ticker["last"], "last")
    if ticker["bid"] is not None and ticker["ask"] is not None:  # USDⓈ-M 24hr has no quotes
        assert ticker["bid"] < ticker["ask"], ticker
    assert ticker["high"] >= ticker["low"] > 0, ticker


def is_book(book: Any, desk: Desk) -> None:
    bids, asks = book["bids"], book["asks"]
    assert bids and asks and bids[0][0] < asks[0][0], book
    assert [b[0] for b in bids] == sorted((b[0] for b in bids), reverse=True)
    assert [a[0] for a in asks] == sorted(a[0] for a in asks)


def is_trades(symbol: str) -> Check:
    def check(trades: Any, desk: Desk) -> None:
        assert isinstance(trades, list) and trades, trades
        for trade in trades:
            assert trade["symbol"] == symbol and trade["side"] in ("buy", "sell"), trade
            _positive(trade["price"], "price")
            _positive(trade["amount"], "amount")

    return check


def is_candles(timeframe: str, count: int) -> Check:
    def check(rows: Any, desk: Desk) -> None:
        assert len(rows) == count, rows
        for ts, o, h, lo, c, v in rows:
            assert ts % MS[timeframe] == 0 and h >= max(o, c) and lo <= min(o, c) and v >= 0
        stamps = [r[0] for r in rows]
        assert stamps == sorted(stamps) and len(set(stamps)) == count, stamps

    return check


def is_balance(balance: Any, desk: Desk) -> None:
    assert balance["total"], balance
    for code, total in balance["total"].items():
        account = balance[code]
        assert total is None or total >= 0, (code, total)
        assert set(account) >= {"free", "used", "total"}, account


def is_transactions(kind: str) -> Check:
    def check(rows: Any, desk: Desk) -> None:
        assert isinstance(rows, list) and rows, rows
        for row in rows:
            assert row["type"] == kind and row["id"] and row["currency"], row
            assert isinstance(row["status"], str) and row["status"], row
            _positive(row["amount"], "amount")
            assert isinstance(row["timestamp"], int), row
        assert "ok" in {row["status"] for row in rows}, rows  # unified statuses, mostly done

    return check


def is_address(address: Any, desk: Desk) -> None:
    assert address["currency"] == desk.venue.coin and len(address["address"]) > 10, address


def is_fees(fees: Any, desk: Desk) -> None:
    fee = fees[desk.venue.spot]
    assert 0 <= fee["maker"] <= fee["taker"] < 0.01, fee


def is_positions(positions: Any, desk: Desk) -> None:
    assert isinstance(positions, list), positions
    for position in positions:
        assert position["symbol"] == desk.venue.swap, position


def _status_ok(status: Any, desk: Desk) -> None:
    assert status["status"] == "ok", status


def is_dict(value: Any, desk: Desk) -> None:
    assert isinstance(value, dict) and value, value


def _watch(method: str, *args: Callable[[Desk], Any], trigger: bool = False) -> Action:
    """Await ``method(*args)`` on a fresh ccxt.pro client; with ``trigger``, a spot order is
    placed through the REST client while it waits (balance and order streams)."""

    def run(desk: Desk) -> Any:
        async def go() -> Any:
            pro = desk.new_pro()
            try:
                await pro.load_markets()
                watch = asyncio.create_task(getattr(pro, method)(*(a(desk) for a in args)))
                if trigger:
                    await asyncio.sleep(1)
                    await asyncio.to_thread(desk.resting, desk.venue.spot, desk.venue.spot_amount)
                return await asyncio.wait_for(watch, STREAM_TIMEOUT_S)
            finally:
                await pro.close()

        return asyncio.run(go())

    return run


# -- the table -------------------------------------------------------------------------------


def _edit(desk: Desk, symbol: str, amount: float) -> dict:
    order = desk.resting(symbol, amount)
    price = desk.price(symbol, "buy", 0.85)
    return desk.x.edit_order(order["id"], symbol, "limit", "buy", amount * 2, price)


def _cancel(desk: Desk, symbol: str, amount: float) -> dict:
    order = desk.resting(symbol, amount)
    return desk.x.cancel_order(order["id"], symbol)


def _cancel_all(desk: Desk, symbol: str, amount: float) -> list:
    desk.resting(symbol, amount)
    desk.x.cancel_all_orders(symbol)
    return desk.x.fetch_open_orders(symbol)


def _fetch_order(desk: Desk) -> dict:
    order = desk.resting(desk.venue.spot, desk.venue.spot_amount)
    return desk.x.fetch_order(order["id"], desk.venue.spot)


def _open_orders(desk: Desk) -> list:
    desk.resting(desk.venue.spot, desk.venue.spot_amount)
    return desk.x.fetch_open_orders(desk.venue.spot)


def _closed(desk: Desk) -> list:
    desk.x.create_order(desk.venue.spot, "market", "buy", desk.venue.spot_amount)
    return desk.x.fetch_closed_orders(desk.venue.spot)


def _stop(desk: Desk) -> dict:
    trigger = desk.price(desk.venue.swap, "buy", 0.8)
    return desk.x.create_order(
        desk.venue.swap, "market", "sell", desk.venue.swap_amount, None, {"triggerPrice": trigger}
    )


def _withdraw(desk: Desk) -> dict:
    venue = desk.venue
    return desk.x.withdraw(venue.coin, 20, venue.outside_address, {"network": venue.network})


def _has_id(result: Any, desk: Desk) -> None:
    assert result["id"], result


def _no_open_orders(orders: Any, desk: Desk) -> None:
    assert orders == [], orders


def _client_id(expected: str) -> Check:
    def check(order: Any, desk: Desk) -> None:
        assert order["clientOrderId"] == expected, order

    return check


def _spot(desk: Desk) -> str:
    return desk.venue.spot


def _spot_trades(trades: Any, desk: Desk) -> None:
    is_trades(desk.venue.spot)(trades, desk)


def _spot_orders(orders: Any, desk: Desk) -> None:
    is_orders(desk.venue.spot)(orders, desk)


CALLS: list[Call] = [
    # market data
    Call("load_markets", lambda d: d.x.load_markets(True), is_dict),
    Call("fetch_time", lambda d: d.x.fetch_time(), lambda t, d: _positive(t, "time")),
    Call("fetch_status", lambda d: d.x.fetch_status(), _status_ok),
    Call("fetch_ticker spot", lambda d: d.x.fetch_ticker(d.venue.spot), is_ticker),
    Call("fetch_ticker swap", lambda d: d.x.fetch_ticker(d.venue.swap), is_ticker),
    Call("fetch_tickers", lambda d: d.x.fetch_tickers([d.venue.spot]), is_dict),
    Call("fetch_order_book spot", lambda d: d.x.fetch_order_book(d.venue.spot, 5), is_book),
    Call("fetch_order_book swap", lambda d: d.x.fetch_order_book(d.venue.swap, 5), is_book),
    Call("fetch_trades", lambda d: d.x.fetch_trades(d.venue.spot, limit=10), _spot_trades),
    *(
        Call(
            f"fetch_ohlcv {tf}",
            lambda d, tf=tf: d.x.fetch_ohlcv(d.venue.spot, tf, limit=5),
            is_candles(tf, 5),
        )
        for tf in TIMEFRAMES
    ),
    Call(
        "fetch_ohlcv swap",
        lambda d: d.x.fetch_ohlcv(d.venue.swap, "1h", limit=3),
        is_candles("1h", 3),
    ),
    Call("fetch_funding_rate", lambda d: d.x.fetch_funding_rate(d.venue.swap), is_dict),
    # balances per account
    *(
        Call(
            f"fetch_balance {name}",
            lambda d, name=name: d.x.fetch_balance(d.venue.balances[name]),
            is_balance,
            account=name,
        )
        for name in ("spot", "swap", "margin", "funding")
    ),
    # order entry
    Call(
        "create_order limit",
        lambda d: d.resting(d.venue.spot, d.venue.spot_amount),
        lambda o, d: is_order(d.venue.spot, {"open"})(o, d),
    ),
    Call(
        "create_order market",
        lambda d: d.x.create_order(d.venue.spot, "market", "buy", d.venue.spot_amount),
        lambda o, d: is_order(d.venue.spot, {"closed"})(o, d),
    ),
    Call(
        "create_order clientOrderId",
        lambda d: d.resting(d.venue.spot, d.venue.spot_amount, {"clientOrderId": "cov1"}),
        _client_id("cov1"),
    ),
    Call(
        "create_order postOnly",
        lambda d: d.resting(d.venue.spot, d.venue.spot_amount, {"postOnly": True}),
        lambda o, d: is_order(d.venue.spot, {"open"})(o, d),
    ),
    Call(
        "create_order swap limit",
        lambda d: d.resting(d.venue.swap, d.venue.swap_amount),
        lambda o, d: is_order(d.venue.swap, {"open"})(o, d),
    ),
    Call(
        "create_order swap market",
        lambda d: d.x.create_order(d.venue.swap, "market", "buy", d.venue.swap_amount),
        lambda o, d: is_order(d.venue.swap, {"closed"})(o, d),
    ),
    Call("create_order swap stop", _stop, lambda o, d: is_order(d.venue.swap, {"open"})(o, d)),
    Call(
        "edit_order spot",
        lambda d: _edit(d, d.venue.spot, d.venue.spot_amount),
        lambda o, d: is_order(d.venue.spot, {"open"})(o, d),
    ),
    Call(
        "edit_order swap",
        lambda d: _edit(d, d.venue.swap, d.venue.swap_amount),
        lambda o, d: is_order(d.venue.swap, {"open"})(o, d),
    ),
    Call(
        "cancel_order",
        lambda d: _cancel(d, d.venue.spot, d.venue.spot_amount),
        lambda o, d: is_order(d.venue.spot, {"canceled"})(o, d),
    ),
    Call(
        "cancel_all_orders spot",
        lambda d: _cancel_all(d, d.venue.spot, d.venue.spot_amount),
        _no_open_orders,
    ),
    Call(
        "cancel_all_orders swap",
        lambda d: _cancel_all(d, d.venue.swap, d.venue.swap_amount),
        _no_open_orders,
    ),
    # order queries
    Call("fetch_order", _fetch_order, lambda o, d: is_order(d.venue.spot, {"open"})(o, d)),
    Call(
        "fetch_open_orders",
        _open_orders,
        lambda o, d: is_orders(d.venue.spot, {"open"})(o, d),
    ),
    Call("fetch_orders", lambda d: d.x.fetch_orders(d.venue.spot), _spot_orders),
    Call("fetch_closed_orders", _closed, lambda o, d: is_orders(d.venue.spot, {"closed"})(o, d)),
    Call(
        "fetch_my_trades spot",
        lambda d: d.x.fetch_my_trades(d.venue.spot),
        lambda t, d: is_trades(d.venue.spot)(t, d),
    ),
    Call(
        "fetch_my_trades swap",
        lambda d: d.x.fetch_my_trades(d.venue.swap),
        lambda t, d: is_trades(d.venue.swap)(t, d),
    ),
    Call("fetch_positions", lambda d: d.x.fetch_positions([d.venue.swap]), is_positions),
    Call("set_leverage", lambda d: d.x.set_leverage(5, d.venue.swap), is_dict),
    # wallet and history
    Call("fetch_deposits", lambda d: d.x.fetch_deposits(), is_transactions("deposit")),
    Call("fetch_withdrawals", lambda d: d.x.fetch_withdrawals(), is_transactions("withdrawal")),
    Call(
        "fetch_deposit_address",
        lambda d: d.x.fetch_deposit_address(d.venue.coin, {"network": d.venue.network}),
        is_address,
    ),
    Call("fetch_trading_fees", lambda d: d.x.fetch_trading_fees(), is_fees),
    Call("withdraw", _withdraw, _has_id),
    # streams
    Call("watch_order_book", _watch("watch_order_book", _spot), is_book),
    Call("watch_trades", _watch("watch_trades", _spot), _spot_trades),
    Call("watch_ticker", _watch("watch_ticker", _spot), is_ticker),
    Call("watch_balance", _watch("watch_balance", trigger=True), is_balance),
    Call("watch_orders", _watch("watch_orders", trigger=True), _spot_orders),
]
