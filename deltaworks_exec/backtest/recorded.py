"""Backtest data from the market-data recorder: trades and book snapshots read from QuestDB."""

from __future__ import annotations

from collections.abc import Collection, Iterable

import pandas as pd

from deltaworks_core.questdb import QuestDBReader
from deltaworks_exec.backtest.books import RecordedBooks, levels
from deltaworks_exec.backtest.data import DataError, MarketData, naive_utc, prepare


def _marks(values: Collection[str]) -> str:
    return ", ".join(["%s"] * len(values))


def load_recorded(
    reader: QuestDBReader,
    exchanges: Collection[str],
    symbols: Collection[str],
    start: pd.Timestamp | str,
    end: pd.Timestamp | str,
    repair: Iterable[str] = (),
) -> MarketData:
    """Recorded trades of ``symbols`` on ``exchanges`` in [start, end), with the recorded
    book snapshots in that window (``on_book`` gets their levels)."""
    exchanges, symbols = sorted(exchanges), sorted(symbols)
    window = (*exchanges, *symbols, naive_utc(start), naive_utc(end))
    where = (
        f"exchange IN ({_marks(exchanges)}) AND symbol IN ({_marks(symbols)}) "
        "AND ts >= %s AND ts < %s"
    )
    reader.wait_visible(["trades", "book_snapshots"])
    frame = reader.query_df(
        f"SELECT ts, exchange, symbol, trade_id id, price, amount FROM trades WHERE {where} "
        "ORDER BY ts",
        window,
    )
    if frame.empty:
        raise DataError(f"no recorded trades of {symbols} on {exchanges} between {start} and {end}")
    frame = frame.assign(ts=pd.to_datetime(frame["ts"], utc=True))
    data = prepare(frame, "trades", symbols=symbols, repair=repair)
    snapshots = reader.query(
        f"SELECT ts, exchange, symbol, bids, asks FROM book_snapshots WHERE {where} ORDER BY ts",
        window,
    )
    for row in snapshots:
        books = data.books.setdefault((row["exchange"], row["symbol"]), RecordedBooks())
        ts_ms = int(pd.Timestamp(row["ts"], tz="UTC").value // 1_000_000)
        books.add(ts_ms, levels(row["bids"]), levels(row["asks"]))
    return data
