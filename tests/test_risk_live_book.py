"""Risk checks price orders from the streamed top of book (ccxt.pro against the simulator's
depth stream): an order is refused while that book is older than ``max_book_age_s``."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from deltaworks_core.config import RiskLimits, Settings
from deltaworks_core.venues.factory import create_exchange
from deltaworks_core.venues.simulator import ExchangeEngine, SimClock, running_simulator
from deltaworks_exec.clock import WallClock
from deltaworks_exec.marketdata import BookCache
from deltaworks_exec.oms.bus import EventBus
from deltaworks_exec.oms.journal import Journal
from deltaworks_exec.oms.manager import NewOrder, OrderManager
from deltaworks_exec.venues.ccxt_venue import CcxtVenue

SYMBOL = "BTC/USDT"
MAX_AGE_S = 1.5  # loose enough that a loaded machine still sees the first book as fresh


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[tuple[OrderManager, BookCache, ExchangeEngine]]:
    """The OMS over a ccxt.pro venue of the simulator, its market clock standing still."""
    exchange = settings.exchanges[0]
    config = settings.simulator.model_copy(update={"port": 0})
    with running_simulator(config, [exchange], clock=SimClock(int(time.time() * 1000))) as server:
        orders, reads = (
            create_exchange(settings, exchange, asynchronous=True, simulator_url=server.base_url)
            for _ in range(2)
        )
        venue = CcxtVenue(exchange.name, orders, reads)
        await venue.connect()
        venues = {exchange.name: venue}
        market = BookCache(venues)  # type: ignore[arg-type]
        journal = Journal(settings.questdb)
        await journal.start()
        limits = RiskLimits(max_book_age_s=MAX_AGE_S)
        oms = OrderManager(
            venues, journal, WallClock(), EventBus(), market, limits, {exchange.name: (SYMBOL,)}
        )  # type: ignore[arg-type]
        oms.balances[exchange.name] = await venue.balances()
        try:
            yield oms, market, server.engine(exchange.name)
        finally:
            await market.close()
            await journal.close()
            await venue.close()


async def bid_order(oms: OrderManager, market: BookCache) -> NewOrder:
    exchange = next(iter(oms.venues))
    quote = await market.quote(exchange, SYMBOL)
    assert quote is not None
    price = oms.venues[exchange].price_to_precision(SYMBOL, quote.bid * 0.99)
    return NewOrder(exchange, SYMBOL, "buy", "limit", 0.001, price=price)


async def test_risk_refuses_an_order_on_a_stale_feed(
    desk: tuple[OrderManager, BookCache, ExchangeEngine],
) -> None:
    oms, market, engine = desk
    fresh, _ = await oms.submit(await bid_order(oms, market))
    assert fresh.status == "new"  # the subscription's first book is current

    await asyncio.sleep(MAX_AGE_S + 0.3)  # the stream delivers nothing: the market stands still
    stale, _ = await oms.submit(await bid_order(oms, market))
    assert stale.status == "rejected"
    assert stale.reason is not None and stale.reason.startswith("STALE_MARKET_DATA: ")
    assert f"s old > max_book_age_s {MAX_AGE_S}" in stale.reason

    engine.advance(2)  # the market moves: the depth stream pushes the change
    deadline = time.monotonic() + 5
    while (quote := await market.quote(engine.name, SYMBOL)) is None or quote.age_s > 0.2:
        assert time.monotonic() < deadline, "no book update after the market moved"
        await asyncio.sleep(0.05)
    again, _ = await oms.submit(await bid_order(oms, market))
    assert again.status == "new"


async def test_a_venue_in_service_after_the_watch_began_is_followed(
    desk: tuple[OrderManager, BookCache, ExchangeEngine],
) -> None:
    oms, _, engine = desk
    venues: dict[str, CcxtVenue] = {}
    late = BookCache(venues, first_book_s=0.3)  # type: ignore[arg-type]
    try:
        late.watch(engine.name, [SYMBOL])  # the venue is down: nothing to follow yet
        assert await late.quote(engine.name, SYMBOL) is None
        venues[engine.name] = oms.venues[engine.name]  # type: ignore[assignment]  # back up
        deadline = time.monotonic() + 10
        while await late.quote(engine.name, SYMBOL) is None:
            assert time.monotonic() < deadline, "the venue back in service is not followed"
            await asyncio.sleep(0.1)
    finally:
        await late.close()
