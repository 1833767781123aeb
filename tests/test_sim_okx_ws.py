"""ccxt.pro.okx against the OKX dialect's WebSockets: public channels, login, private ones."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import ccxt
import pytest

from deltaworks_core.config import Settings
from deltaworks_core.venues.simulator import SimClock, SimulatorServer, running_simulator

from .okx_support import NAME, okx_client, okx_settings
from .sim_support import EPOCH_MS


@pytest.fixture(scope="module")
def settings() -> Settings:
    return okx_settings(withdrawals=0)


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[SimulatorServer]:
    with running_simulator(
        settings.simulator, settings.exchanges, clock=SimClock(EPOCH_MS)
    ) as running:
        yield running


@pytest.fixture
async def pro(settings: Settings, server: SimulatorServer) -> AsyncIterator[Any]:
    exchange = okx_client(settings, server.base_url, asynchronous=True)
    await exchange.load_markets()
    try:
        yield exchange
    finally:
        await exchange.close()


async def tick_until(server: SimulatorServer, task: asyncio.Task, seconds: float = 1) -> Any:
    """Advance the simulated clock while ``task`` waits for a pushed update."""
    engine = server.engine(NAME)
    for _ in range(60):
        done, _ = await asyncio.wait({task}, timeout=0.15)
        if done:
            return task.result()
        engine.advance(seconds)
    task.cancel()
    raise AssertionError("no websocket update arrived")


@pytest.mark.parametrize("symbol", ["BTC/USDT", "BTC/USDT:USDT"])
async def test_books_snapshot_then_chained_updates(
    pro: Any, server: SimulatorServer, symbol: str
) -> None:
    first = await pro.watch_order_book(symbol)
    assert first["bids"][0][0] < first["asks"][0][0]
    nonce = first["nonce"]
    book = await tick_until(server, asyncio.create_task(pro.watch_order_book(symbol)))
    assert book["nonce"] > nonce  # each update carried prevSeqId == the last seqId
    assert book["bids"][0][0] < book["asks"][0][0]


async def test_trades_and_tickers_stream(pro: Any, server: SimulatorServer) -> None:
    trades = await tick_until(server, asyncio.create_task(pro.watch_trades("ETH/USDT")))
    assert trades and trades[-1]["symbol"] == "ETH/USDT" and trades[-1]["price"] > 0
    ticker = await pro.watch_ticker("ETH/USDT")
    assert ticker["symbol"] == "ETH/USDT" and ticker["bid"] < ticker["ask"]


async def test_login_with_a_wrong_passphrase_fails(pro: Any) -> None:
    pro.password = "not-the-passphrase"
    with pytest.raises(ccxt.AuthenticationError):
        await asyncio.wait_for(pro.watch_balance(), 10)


async def test_balance_and_orders_after_login(pro: Any) -> None:
    before = await pro.watch_balance()  # the snapshot sent on subscription
    usdt = before["USDT"]["free"]
    orders = asyncio.create_task(pro.watch_orders())
    await asyncio.sleep(0.3)
    placed = await pro.create_order("BTC/USDT", "market", "buy", 0.002)
    seen = await asyncio.wait_for(orders, 10)
    assert placed["id"] in [o["id"] for o in seen]
    balance = await asyncio.wait_for(pro.watch_balance(), 10)
    assert balance["USDT"]["free"] < usdt
    assert balance["BTC"]["total"] > before["BTC"]["total"]


async def test_positions_stream(pro: Any) -> None:
    await pro.watch_positions()  # the snapshot
    positions = asyncio.create_task(pro.watch_positions())
    await asyncio.sleep(0.3)
    await pro.create_order("SOL/USDT:USDT", "market", "buy", 2)
    update = await asyncio.wait_for(positions, 10)
    assert any(p["symbol"] == "SOL/USDT:USDT" and p["contracts"] == 2 for p in update)
