"""The market-data recorder against the simulator's Binance streams through ccxt.pro, into a
real QuestDB: every trade stored once, forced disconnects and sequence gaps detected,
resynchronised, recorded in ``feed_gaps`` and back-filled, book snapshots equal to the
simulator's book at their sequence number."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from deltaworks_core.config import Settings, settings_from_dict
from deltaworks_core.questdb import QuestDBReader
from deltaworks_core.venues.simulator import (
    ExchangeEngine,
    SimClock,
    SimulatorServer,
    running_simulator,
)
from deltaworks_exec.marketdata import Recorder

EPOCH_MS = 1_764_000_000_000
SYMBOLS = ("BTC/USDT", "ETH/USDT")
DEPTH = 10


@dataclass
class Rig:
    """A simulator on a simulated clock and a running recorder of its one exchange."""

    name: str
    server: SimulatorServer
    engine: ExchangeEngine
    recorder: Recorder
    start_ms: int


def recorder_settings(base: Settings, name: str, **recorder: object) -> Settings:
    raw = {
        "simulator": {"host": "127.0.0.1", "port": 0},
        "exchanges": [{"name": name, "mode": "simulated", "symbols": list(SYMBOLS)}],
        "recorder": {
            "depth": DEPTH,
            "snapshot_interval_s": 0.01,
            "flush_interval_s": 0.05,
            "reconnect_initial_s": 0.3,
            "reconnect_max_s": 1.0,
            **recorder,
        },
    }
    return settings_from_dict(raw).model_copy(update={"questdb": base.questdb})


async def eventually(check: Callable[[], bool], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def running(config: Settings, server: SimulatorServer) -> AsyncIterator[Recorder]:
    """A recorder of the one configured exchange, subscribed to every symbol."""
    name = config.exchanges[0].name
    recorder = Recorder(config, simulator_url=server.base_url)
    task = asyncio.create_task(recorder.run())
    try:
        await eventually(
            lambda: (
                name in recorder.feeds
                and all(s.book_nonce is not None for s in recorder.feeds[name].states.values())
            )
        )
        await asyncio.sleep(0.5)  # the trade subscriptions are answered too
        yield recorder
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@contextlib.asynccontextmanager
async def recording(settings: Settings, unique: str, **recorder: object) -> AsyncIterator[Rig]:
    name = f"rec_{unique}"
    config = recorder_settings(settings, name, **recorder)
    with running_simulator(config.simulator, config.exchanges, clock=SimClock(EPOCH_MS)) as server:
        engine = server.engine(name)
        async with running(config, server) as recorder:
            yield Rig(name, server, engine, recorder, engine.now_ms())


async def trade_for(rig: Rig, seconds: int) -> None:
    """Move the market ``seconds`` simulated seconds, with taker orders in between."""
    for i in range(seconds):
        rig.engine.advance(1)
        symbol = SYMBOLS[i % len(SYMBOLS)]
        rig.engine.place_order("main", symbol, "BUY" if i % 2 else "SELL", "MARKET", "0.01")
        await asyncio.sleep(0.15)


async def caught_up(rig: Rig, reader: QuestDBReader) -> None:
    """Wait until the recorder has the simulator's newest trade and book of every symbol."""
    feed = rig.recorder.feeds[rig.name]

    def done() -> bool:
        return all(
            feed.states[s].last_trade_id == str(rig.engine.trades(s, 1)[-1].id)
            and feed.states[s].book_nonce == rig.engine.book_version(s)
            for s in SYMBOLS
        )

    await eventually(done)
    await asyncio.sleep(0.3)  # gap records and snapshots of the last update are queued
    assert rig.recorder.sink is not None
    await rig.recorder.sink.flush()
    reader.wait_visible(["trades", "quotes", "book_snapshots", "feed_gaps"])


def produced(rig: Rig) -> set[tuple[str, str]]:
    """(symbol, trade id) of every trade the simulator made after the recorder was ready."""
    return {
        (symbol, str(t.id))
        for symbol in SYMBOLS
        for t in rig.engine.trades(symbol, 1000)
        if t.time > rig.start_ms
    }


def stored(reader: QuestDBReader, rig: Rig) -> list[tuple[str, str]]:
    rows = reader.query(
        "SELECT symbol, trade_id FROM trades WHERE exchange = %s AND ts > %s",
        (rig.name, rig.start_ms * 1000),
    )
    return [(row["symbol"], row["trade_id"]) for row in rows]


def gaps(reader: QuestDBReader, rig: Rig) -> list[dict]:
    return reader.query("SELECT * FROM feed_gaps WHERE exchange = %s ORDER BY ts", (rig.name,))


async def test_every_trade_is_stored_exactly_once(
    settings: Settings, reader: QuestDBReader, unique: str
) -> None:
    async with recording(settings, unique) as rig:
        await trade_for(rig, 20)
        await caught_up(rig, reader)
        rows = stored(reader, rig)
        expected = produced(rig)
    assert len(expected) >= 40  # synthetic trades and the takers' trades of 20 seconds
    assert len(rows) == len(set(rows))
    assert set(rows) == expected
    assert gaps(reader, rig) == []


async def test_a_full_stream_buffer_is_back_filled_and_recorded(
    settings: Settings, reader: QuestDBReader, unique: str
) -> None:
    async with recording(settings, unique, stream_buffer_trades=3) as rig:
        for _ in range(3):  # bursts of takers: one push carries more trades than the buffer
            rig.engine.advance(1)
            for i in range(12):
                rig.engine.place_order(
                    "main", SYMBOLS[0], "BUY" if i % 2 else "SELL", "MARKET", "0.01"
                )
            time.sleep(0.3)  # the recorder's loop is busy: the push arrives and waits unread
            await asyncio.sleep(0.3)
        await caught_up(rig, reader)
        await eventually(lambda: rig.recorder.feeds[rig.name].backfills_running == 0)
        await caught_up(rig, reader)  # the back-filled trades and the gap rows are flushed too
        rows = stored(reader, rig)
        expected = produced(rig)
        recorded_gaps = gaps(reader, rig)
    assert len(rows) == len(set(rows))
    assert set(rows) == expected
    overflows = [g for g in recorded_gaps if g["kind"] == "trades_overflow"]
    assert overflows and all(g["filled"] for g in overflows)


async def test_streams_are_not_compressed_by_default(settings: Settings, unique: str) -> None:
    async with recording(settings, unique) as rig:
        clients = rig.recorder.feeds[rig.name].client.clients.values()
        assert clients and all(client.connection.compress == 0 for client in clients)


async def test_disconnect_and_sequence_gap_are_resynced_backfilled_and_recorded(
    settings: Settings, reader: QuestDBReader, unique: str
) -> None:
    async with recording(settings, unique) as rig:
        await trade_for(rig, 5)
        rig.server.force_disconnect(rig.name)
        await trade_for(rig, 8)  # trades while the recorder reconnects
        rig.server.force_gap(rig.name)
        await trade_for(rig, 8)
        await caught_up(rig, reader)
        rows = stored(reader, rig)
        expected = produced(rig)
        recorded_gaps = gaps(reader, rig)
    assert set(rows) == expected  # nothing missing, nothing twice
    assert len(rows) == len(expected)
    kinds = {gap["kind"] for gap in recorded_gaps}
    assert {"book_disconnect", "trades_disconnect", "book_sequence", "trades_resync"} <= kinds
    assert all(gap["filled"] for gap in recorded_gaps)
    backfilled = reader.query(
        "SELECT count() n FROM trades WHERE exchange = %s AND source = 'backfill'", (rig.name,)
    )[0]["n"]
    assert backfilled > 0  # the trades the dropped connection and the lost push never sent
    sequence = [gap for gap in recorded_gaps if gap["kind"] == "book_sequence"]
    assert all(int(gap["to_id"]) > int(gap["from_id"]) for gap in sequence)


async def test_book_snapshot_matches_the_simulators_book_at_its_sequence(
    settings: Settings, reader: QuestDBReader, unique: str
) -> None:
    async with recording(settings, unique) as rig:
        await trade_for(rig, 4)
        await caught_up(rig, reader)
        for symbol in SYMBOLS:
            book = rig.engine.order_book(symbol, DEPTH)
            market = book.market
            row = reader.query(
                "SELECT seq, depth, bids, asks FROM book_snapshots "
                "WHERE exchange = %s AND symbol = %s ORDER BY seq DESC LIMIT 1",
                (rig.name, symbol),
            )[0]
            assert row["seq"] == book.update_id
            assert row["depth"] == DEPTH
            for side, levels in (("bids", book.bids), ("asks", book.asks)):
                prices = [float(market.price_str(p)) for p, _ in levels]
                sizes = [float(market.qty_str(q)) for _, q in levels]
                assert row[side] == [prices, sizes], (symbol, side)
            quote = reader.query(
                "SELECT seq, bid_price, ask_price FROM quotes WHERE exchange = %s AND symbol = %s "
                "ORDER BY seq DESC LIMIT 1",
                (rig.name, symbol),
            )[0]
            assert quote["bid_price"] == pytest.approx(float(market.price_str(book.bids[0][0])))
            assert quote["ask_price"] == pytest.approx(float(market.price_str(book.asks[0][0])))


async def test_a_restarted_recorder_backfills_what_happened_while_it_was_down(
    settings: Settings, reader: QuestDBReader, unique: str
) -> None:
    name = f"rec_{unique}"
    config = recorder_settings(settings, name)
    with running_simulator(config.simulator, config.exchanges, clock=SimClock(EPOCH_MS)) as server:
        engine = server.engine(name)
        async with running(config, server) as recorder:
            rig = Rig(name, server, engine, recorder, engine.now_ms())
            await trade_for(rig, 4)
            await caught_up(rig, reader)
        for i in range(6):  # the market goes on while no recorder runs
            engine.advance(1)
            engine.place_order("main", SYMBOLS[i % 2], "BUY", "MARKET", "0.01")
        async with running(config, server) as restarted:
            rig.recorder = restarted
            await trade_for(rig, 2)
            await caught_up(rig, reader)
            rows = stored(reader, rig)
            expected = produced(rig)
    assert set(rows) == expected
    assert len(rows) == len(expected)
    restart_gaps = [gap for gap in gaps(reader, rig) if gap["kind"] == "restart"]
    assert {gap["symbol"] for gap in restart_gaps} == set(SYMBOLS)
    assert all(gap["filled"] for gap in restart_gaps)
    assert sum(gap["backfilled"] for gap in restart_gaps) >= 6 * len(SYMBOLS) + 6
