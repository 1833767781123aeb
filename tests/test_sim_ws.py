"""ccxt.pro (async REST and websockets) against the simulator: books, trades, own orders."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from deltaworks_core.config import Settings
from deltaworks_core.venues.simulator import SimulatorServer

from . import sim_support
from .sim_support import client, sim_settings


@pytest.fixture(scope="module")
def settings() -> Settings:
    return sim_settings(withdrawals=100)


server = sim_support.server


@pytest.fixture
async def pro(settings: Settings, server: SimulatorServer) -> AsyncIterator[Any]:
    exchange = client(settings, server.base_url, asynchronous=True)
    await exchange.load_markets()
    try:
        yield exchange
    finally:
        await exchange.close()


async def tick_until(server: SimulatorServer, task: asyncio.Task, seconds: float = 1) -> Any:
    """Advance the simulated clock while ``task`` waits for a pushed update."""
    engine = server.engine("sim_a")
    for _ in range(100):
        done, _ = await asyncio.wait({task}, timeout=0.15)
        if done:
            return task.result()
        engine.advance(seconds)
    task.cancel()
    raise AssertionError("no websocket update arrived")


async def test_async_rest(pro: Any) -> None:
    order = await pro.create_order("ETH/USDT", "market", "buy", 0.1, params={"clientOrderId": "a1"})
    assert order["status"] == "closed"
    assert (await pro.fetch_order(order["id"], "ETH/USDT"))["clientOrderId"] == "a1"
    assert (await pro.fetch_balance({"type": "future"}))["USDT"]["free"] > 0


@pytest.mark.parametrize("symbol", ["BTC/USDT", "BTC/USDT:USDT"])
async def test_watch_order_book_follows_the_book(
    pro: Any, server: SimulatorServer, symbol: str
) -> None:
    book = await tick_until(server, asyncio.create_task(pro.watch_order_book(symbol, 50)))
    assert book["symbol"] == symbol and book["bids"][0][0] < book["asks"][0][0]
    await tick_until(server, asyncio.create_task(pro.watch_order_book(symbol, 50)))
    rest = await pro.fetch_order_book(symbol, 20)
    for _ in range(50):  # the clock stands still now: the stream converges on the REST book
        local = pro.orderbooks[symbol].limit()
        if local["bids"][:20] == rest["bids"] and local["asks"][:20] == rest["asks"]:
            break
        await asyncio.sleep(0.1)
    assert local["bids"][:20] == rest["bids"] and local["asks"][:20] == rest["asks"]


async def test_watch_trades(pro: Any, server: SimulatorServer) -> None:
    trades = await tick_until(server, asyncio.create_task(pro.watch_trades("ETH/USDT")))
    assert trades and all(t["symbol"] == "ETH/USDT" for t in trades)
    swap = await tick_until(server, asyncio.create_task(pro.watch_trades("ETH/USDT:USDT")))
    assert swap and all(t["symbol"] == "ETH/USDT:USDT" for t in swap)


@pytest.mark.parametrize("symbol", ["SOL/USDT", "SOL/USDT:USDT"])
async def test_watch_orders(pro: Any, symbol: str) -> None:
    watcher = asyncio.create_task(pro.watch_orders(symbol))
    placed = []
    for attempt in range(20):  # until the subscription is live and an update arrives
        order = await pro.create_order(
            symbol, "market", "buy", 1, params={"clientOrderId": f"w{attempt}"}
        )
        placed.append(order["id"])
        done, _ = await asyncio.wait({watcher}, timeout=0.5)
        if done:
            break
    updates = watcher.result()
    assert updates[-1]["id"] in placed and updates[-1]["clientOrderId"].startswith("w")
    order_id = updates[-1]["id"]
    for _ in range(50):  # later events of the order (its fill) update ccxt's order cache
        state = next(o for o in reversed(pro.orders) if o["id"] == order_id)
        if state["status"] == "closed":
            break
        await asyncio.sleep(0.1)
    assert state["status"] == "closed" and state["filled"] == 1
