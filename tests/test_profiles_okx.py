"""Holdings, withdrawals and client order ids on the OKX dialect, through unmodified ccxt."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from deltaworks_core.config import Settings
from deltaworks_core.questdb import QuestDBReader
from deltaworks_core.venues.factory import create_exchange
from deltaworks_exec.venue import OrderRequest
from deltaworks_exec.venues.ccxt_venue import CcxtVenue
from deltaworks_pipelines.assets.ledger import DEPOSITS
from deltaworks_pipelines.assets.withdrawals import fetch_withdrawals
from tests.pipelines_support import PipelineEnv, pipeline_env


@pytest.fixture(scope="module")
def env(settings: Settings) -> Iterator[PipelineEnv]:
    with pipeline_env(settings, [f"ok{uuid.uuid4().hex[:8]}"], ccxt_id="okx") as pipeline:
        yield pipeline


def test_okx_holdings_read_the_unified_account_once(
    env: PipelineEnv, reader: QuestDBReader
) -> None:
    name = env.settings.exchanges[0].name
    assert set(env.settings.exchanges[0].account_types) == {"spot", "margin", "future"}
    assert env.run("holdings_job", name).success
    reader.wait_visible("holdings")
    rows = reader.query(
        "SELECT account_type, asset, total FROM holdings WHERE exchange = %s", (name,)
    )
    assert rows and {r["account_type"] for r in rows} == {"trading"}
    assert len({r["asset"] for r in rows}) == len(rows)  # each asset once: one wallet, one read
    spot = env.sim.engine(name).balances("spot")
    btc = next(r for r in rows if r["asset"] == "BTC")
    assert btc["total"] == pytest.approx(float(spot["BTC"]["free"] + spot["BTC"]["locked"]))


def test_okx_withdrawals_are_read_past_the_first_100(env: PipelineEnv) -> None:
    name = env.settings.exchanges[0].name
    engine = env.sim.engine(name)
    end = engine.now_ms() + 1
    start = end - 366 * 86_400_000
    truth = {w.id for w in engine.withdrawals(start, end - 1)}
    assert len(truth) > 1000
    with env.defs.resources["exchanges"].client(name) as venue:
        found = fetch_withdrawals(venue, start, end)
    assert sorted(w.withdrawal_id for w in found) == sorted(truth)  # every record, once


def test_okx_deposits_are_read_past_the_first_100(env: PipelineEnv) -> None:
    name = env.settings.exchanges[0].name
    engine = env.sim.engine(name)
    end = engine.now_ms() + 1
    start = end - 366 * 86_400_000
    truth = {d.id for d in engine.deposits(start, end - 1)}
    assert len(truth) > 1000
    with env.defs.resources["exchanges"].client(name) as venue:
        found = DEPOSITS.fetch(venue, start, end)
    assert sorted(d.deposit_id for d in found) == sorted(truth)  # every record, once
    assert {d.kind for d in found} == {"crypto"}


def test_okx_order_with_a_dashed_client_id_is_accepted_and_found(env: PipelineEnv) -> None:
    exchange = env.settings.exchanges[0]

    def venue() -> CcxtVenue:
        client = create_exchange(
            env.settings, exchange, asynchronous=True, simulator_url=env.sim.base_url
        )
        return CcxtVenue(exchange.name, client)

    async def scenario() -> None:
        first, restarted = venue(), venue()
        await first.connect()
        await restarted.connect()
        try:
            book = await first.order_book("BTC/USDT", 5)
            client_id = f"r{uuid.uuid4().hex[:8]}-{exchange.name}"
            request = OrderRequest(
                client_id, "BTC/USDT", "buy", "limit", 0.001, round(book.bids[0][0] * 0.9, 1)
            )
            placed = await first.submit(request)
            assert placed.client_order_id == client_id
            for v in (first, restarted):  # a restarted service finds it by the same id
                found = await v.fetch_order("BTC/USDT", client_order_id=client_id)
                assert found is not None and (found.id, found.status) == (placed.id, "open")
            await first.cancel("BTC/USDT", placed.id)
        finally:
            await first.close()
            await restarted.close()

    asyncio.run(scenario())
