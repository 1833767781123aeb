"""Execution reports of a TWAP and of a plain order, against the market the recorder stored
(the real recorder through ccxt.pro, on the same simulated exchange the OMS trades on)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from types import SimpleNamespace

import httpx
import pytest

from deltaworks_core.config import Settings
from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_core.venues.simulator import SimClock, running_simulator
from deltaworks_exec.api.execution_reports import router
from deltaworks_exec.clock import SimulatedClock
from deltaworks_exec.oms.bus import EventBus
from deltaworks_exec.oms.journal import Journal
from deltaworks_exec.oms.manager import NewOrder
from deltaworks_exec.oms.model import to_us
from deltaworks_exec.quality.builder import report_finished
from deltaworks_exec.quality.reports import load_parent
from deltaworks_exec.venues.engine_venue import EngineVenue
from tests.algo_support import algo_api
from tests.test_algos_service import Desk, supervisor
from tests.test_recorder import EPOCH_MS, eventually, recorder_settings, running

SYMBOL = "BTC/USDT"


@pytest.fixture
async def journal(settings: Settings) -> AsyncIterator[Journal]:
    journal = Journal(settings.questdb)
    await journal.start()
    yield journal
    await journal.close()


async def trade_for(desk: Desk, seconds: int) -> None:
    """Move the simulated market, leaving the recorder real time to take every push."""
    for _ in range(seconds):
        await desk.advance(1)
        await asyncio.sleep(0.06)


def independent_vwap(
    reader: QuestDBReader, exchange: str, start_us: int, end_us: int, order_ids: list[str]
) -> tuple[float, float]:
    """(VWAP, volume) of the recorded trades in the interval less the orders' own prints."""
    rows = reader.query(
        "SELECT ts, price, amount FROM trades WHERE exchange = %s AND symbol = %s",
        (exchange, SYMBOL),
    )
    fills = reader.query(
        "SELECT ts, price, amount, order_id FROM fills WHERE exchange = %s", (exchange,)
    )
    own = [(f["ts"], f["price"], f["amount"]) for f in fills if f["order_id"] in order_ids]
    inside = [row for row in rows if start_us <= to_us(row["ts"]) <= end_us]
    market = [r for r in inside if (r["ts"], r["price"], r["amount"]) not in own]
    assert len(market) < len(inside), "the TWAP's own prints were recorded"
    volume = sum(r["amount"] for r in market)
    return sum(r["price"] * r["amount"] for r in market) / volume, volume


def independent_arrival(reader: QuestDBReader, exchange: str, start_us: int) -> float:
    rows = reader.query(
        "SELECT ts, bid_price, ask_price FROM quotes WHERE exchange = %s AND symbol = %s",
        (exchange, SYMBOL),
    )
    last = max((row for row in rows if to_us(row["ts"]) <= start_us), key=lambda r: r["ts"])
    return (last["bid_price"] + last["ask_price"]) / 2


@pytest.mark.timeout(120)
async def test_twap_report_matches_an_independent_computation_from_the_stored_trades(
    settings: Settings,
    reader: QuestDBReader,
    writer: QuestDBWriter,
    journal: Journal,
    unique: str,
) -> None:
    name = f"rep_{unique}"
    config = recorder_settings(settings, name)
    with running_simulator(config.simulator, config.exchanges, clock=SimClock(EPOCH_MS)) as server:
        engine = server.engine(name)
        clock = SimulatedClock(engine.now_ms())
        venue = EngineVenue(engine, clock)
        bus = EventBus()
        desk = Desk(clock, venue, journal, bus)
        desk.oms.balances[name] = await venue.balances()
        pump = asyncio.create_task(desk.pump())
        algos = supervisor(desk, bus, writer, reader)
        try:
            async with running(config, server) as recorder:
                await trade_for(desk, 3)  # quotes recorded before the start: the arrival mid
                algo_id = f"tw{unique}"
                params = {"duration_s": 40, "slices": 4}
                await algos.start("twap", name, SYMBOL, "buy", 0.04, params, algo_id=algo_id)
                await trade_for(desk, 50)
                assert (await algos.get(algo_id)).status == "completed"
                plain, _ = await desk.oms.submit(NewOrder(name, SYMBOL, "sell", "market", 0.01))
                await trade_for(desk, 2)
                state = recorder.feeds[name].states[SYMBOL]
                newest = str(engine.trades(SYMBOL, 1)[-1].id)
                await eventually(lambda: state.last_trade_id == newest)
                assert recorder.sink is not None
                await recorder.sink.flush()
        finally:
            pump.cancel()
            await desk.market.close()
    reader.wait_visible(["trades", "quotes", "fills", "order_events", "algo_events"])

    parent = load_parent(reader, algo_id)
    assert parent is not None and parent.kind == "twap" and parent.status == "completed"
    reports = report_finished(reader, writer, now=parent.ended + timedelta(minutes=1))
    by_id = {report.parent_id: report for report in reports}
    report = by_id[algo_id]

    children = [o for o in desk.oms.orders.values() if o.algo_id == algo_id]
    filled = sum(o.filled for o in children)
    average = sum(o.filled * (o.average or 0.0) for o in children) / filled
    start_us, end_us = to_us(parent.started), to_us(parent.ended)
    vwap, volume = independent_vwap(reader, name, start_us, end_us, [o.order_id for o in children])
    arrival = independent_arrival(reader, name, start_us)
    assert report.filled == pytest.approx(filled) and filled > 0
    assert report.fill_rate == pytest.approx(filled / 0.04)
    assert report.average_price == pytest.approx(average)
    assert report.interval_vwap == pytest.approx(vwap)
    assert report.arrival_mid == pytest.approx(arrival)
    assert report.slippage_arrival_bps == pytest.approx((average - arrival) / arrival * 10_000)
    assert report.slippage_vwap_bps == pytest.approx((average - vwap) / vwap * 10_000)
    assert report.market_volume == pytest.approx(volume)
    assert report.participation_rate == pytest.approx(filled / (volume + filled))
    fees = sum(o.filled * (o.average or 0.0) for o in children) * 0.001  # 10 bps taker, USDT
    assert report.fees == pytest.approx(fees, rel=0.01)
    assert report.fees_bps == pytest.approx(10.0, rel=0.01)
    parts = report.spread_bps + report.impact_bps + report.timing_bps + report.fees_bps
    assert report.shortfall_bps == pytest.approx(parts)
    assert report.shortfall_bps == pytest.approx(report.slippage_arrival_bps + report.fees_bps)

    order = by_id[plain.order_id]  # a plain order is reported on its own
    assert (order.kind, order.side, order.fill_rate) == ("order", "sell", pytest.approx(1.0))
    assert order.slippage_arrival_bps == pytest.approx(
        (order.arrival_mid - plain.average) / order.arrival_mid * 10_000
    )

    reader.wait_visible("execution_reports")
    app = algo_api(algos, reader)
    app.include_router(router)
    app.state.service = SimpleNamespace(reader=reader)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://svc"
    ) as api:
        shown = (await api.get(f"/execution-reports/{algo_id}")).json()
        listed = (await api.get("/execution-reports", params={"exchange": name})).json()
        missing = await api.get("/execution-reports/nope")
    assert shown["interval_vwap"] == pytest.approx(vwap)
    assert shown["slippage_vwap_bps"] == pytest.approx(report.slippage_vwap_bps)
    assert shown["shortfall_bps"] == pytest.approx(report.shortfall_bps)
    assert shown["interval_twap"] == pytest.approx(report.interval_twap)
    assert {row["parent_id"] for row in listed} == {algo_id, plain.order_id}
    assert missing.status_code == 404
