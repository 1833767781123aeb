"""A backtest on what the recorder stored (trades and book snapshots read from QuestDB)
replays the recorded prices, and ``on_book`` gets the recorded levels."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pandas as pd

from deltaworks_core.config import Settings
from deltaworks_core.questdb import QuestDBReader
from deltaworks_exec.backtest.books import levels
from deltaworks_exec.backtest.engine import Backtest
from deltaworks_exec.backtest.recorded import load_recorded
from deltaworks_exec.strategies.api import Context, Strategy, Trade
from deltaworks_exec.venue import OrderBook
from tests.test_recorder import DEPTH, EPOCH_MS, SYMBOLS, caught_up, recording, trade_for


class Tape(Strategy):
    """Notes every trade and book it is shown."""

    name = "tape"
    book_depth = DEPTH

    def __init__(self) -> None:
        self.trades: dict[str, list[tuple[int, float, float]]] = defaultdict(list)
        self.books: list[tuple[int, OrderBook]] = []
        self._now = 0

    def on_trade(self, ctx: Context, trade: Trade) -> None:
        self.trades[trade.symbol].append((trade.ts_ms, trade.price, trade.amount))
        self._now = trade.ts_ms

    def on_book(self, ctx: Context, book: OrderBook) -> None:
        self.books.append((self._now, book))


def _ms(stamp: datetime) -> int:
    return int(pd.Timestamp(stamp, tz="UTC").value // 1_000_000)


async def test_a_backtest_on_recorded_data_reproduces_the_recorded_prices(
    settings: Settings, reader: QuestDBReader, unique: str
) -> None:
    async with recording(settings, unique) as rig:
        await trade_for(rig, 12)
        await caught_up(rig, reader)
    start = datetime.fromtimestamp(EPOCH_MS / 1000, UTC) - timedelta(hours=1)
    end = datetime.fromtimestamp(rig.engine.now_ms() / 1000, UTC) + timedelta(hours=1)

    data = load_recorded(reader, [rig.name], SYMBOLS, start, end)
    strategy = Tape()
    await Backtest(data).arun(strategy)

    stored = reader.query(
        "SELECT ts, symbol, price, amount FROM trades WHERE exchange = %s", (rig.name,)
    )
    for symbol in SYMBOLS:
        recorded = sorted((_ms(r["ts"]), r["price"], r["amount"]) for r in stored
                          if r["symbol"] == symbol)  # fmt: skip
        m = rig.engine.market(symbol)
        simulated = sorted(
            (t.time, float(m.price_str(t.price)), float(m.qty_str(t.qty)))
            for t in rig.engine.trades(symbol, 1000)
            if t.time > rig.start_ms
        )
        assert len(recorded) >= 12
        assert recorded == simulated  # the recorder stored the market as it was
        assert sorted(strategy.trades[symbol]) == recorded

    snapshots = reader.query(
        "SELECT ts, symbol, bids, asks FROM book_snapshots WHERE exchange = %s AND ts < %s "
        "ORDER BY ts",
        (rig.name, end),
    )
    with_recorded = 0
    for now, book in strategy.books:
        before = [s for s in snapshots if s["symbol"] == book.symbol and _ms(s["ts"]) <= now]
        if not before:
            continue
        with_recorded += 1
        assert book.bids == levels(before[-1]["bids"])[:DEPTH]
        assert book.asks == levels(before[-1]["asks"])[:DEPTH]
    assert strategy.books and with_recorded >= len(strategy.books) // 2
