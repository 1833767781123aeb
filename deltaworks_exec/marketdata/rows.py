"""QuestDB rows of the recorder's tables, built from ccxt's unified trades and order books.

Times are kept as epoch milliseconds (floats for receive times) until the sink turns a
batch into a dataframe; ``TABLES`` says which columns are times and which are SYMBOLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class TableSpec:
    """How the sink sends a table: its SYMBOL columns and its time columns (epoch ms)."""

    symbols: tuple[str, ...]
    times: tuple[str, ...]


TABLES: dict[str, TableSpec] = {
    "trades": TableSpec(("exchange", "symbol", "side", "source"), ("ts", "received")),
    "quotes": TableSpec(("exchange", "symbol"), ("ts", "received")),
    "book_snapshots": TableSpec(("exchange", "symbol"), ("ts", "received")),
    "feed_gaps": TableSpec(("exchange", "symbol", "kind"), ("ts", "from_ts", "to_ts")),
}

Row = dict[str, Any]


def trade_row(exchange: str, trade: dict[str, Any], source: str, received_ms: float) -> Row:
    """A ``trades`` row from a ccxt trade (``source``: ``stream`` or ``backfill``)."""
    return {
        "ts": trade["timestamp"],
        "exchange": exchange,
        "symbol": trade["symbol"],
        "trade_id": str(trade["id"]),
        "price": float(trade["price"]),
        "amount": float(trade["amount"]),
        "side": trade["side"],
        "source": source,
        "received": received_ms,
    }


def top_of_book(book: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """(bid price, bid size, ask price, ask size); ``None`` while a side is empty."""
    bids, asks = book["bids"], book["asks"]
    if not bids or not asks:
        return None
    return bids[0][0], bids[0][1], asks[0][0], asks[0][1]


def book_time(book: dict[str, Any], received_ms: float) -> float:
    """The exchange's time of the book; the receive time when the exchange sent none."""
    stamp = book.get("timestamp")
    return stamp if stamp is not None else received_ms


def quote_row(
    exchange: str,
    symbol: str,
    book: dict[str, Any],
    top: tuple[float, float, float, float],
    received_ms: float,
) -> Row:
    """A ``quotes`` row: the best levels of ``book`` at its sequence number."""
    return {
        "ts": book_time(book, received_ms),
        "exchange": exchange,
        "symbol": symbol,
        "seq": int(book["nonce"]),
        "bid_price": top[0],
        "bid_size": top[1],
        "ask_price": top[2],
        "ask_size": top[3],
        "received": received_ms,
    }


def levels_array(levels: list[list[float]], depth: int) -> np.ndarray:
    """``[[price, ...], [size, ...]]`` of the best ``depth`` levels (QuestDB ``DOUBLE[][]``)."""
    top = np.asarray([level[:2] for level in levels[:depth]], dtype=np.float64).reshape(-1, 2)
    return np.ascontiguousarray(top.T)


def snapshot_row(
    exchange: str, symbol: str, book: dict[str, Any], depth: int, received_ms: float
) -> Row:
    """A ``book_snapshots`` row: the top ``depth`` levels a side at the book's sequence."""
    return {
        "ts": book_time(book, received_ms),
        "exchange": exchange,
        "symbol": symbol,
        "seq": int(book["nonce"]),
        "depth": depth,
        "bids": levels_array(book["bids"], depth),
        "asks": levels_array(book["asks"], depth),
        "received": received_ms,
    }


@dataclass
class Gap:
    """One interruption of a feed and what was done about it (a ``feed_gaps`` row)."""

    exchange: str
    symbol: str
    kind: str  # restart, trades_/book_disconnect, book_sequence, trades_resync, trades_overflow
    detected_ms: float
    from_id: str | None
    to_id: str | None = None
    from_ms: float | None = None
    to_ms: float | None = None
    backfilled: int = 0
    filled: bool = False
    reason: str = ""

    def row(self) -> Row:
        return {
            "ts": self.detected_ms,
            "exchange": self.exchange,
            "symbol": self.symbol,
            "kind": self.kind,
            "from_id": self.from_id,
            "to_id": self.to_id,
            "from_ts": self.from_ms,
            "to_ts": self.to_ms,
            "backfilled": self.backfilled,
            "filled": self.filled,
            "reason": self.reason[:300],
        }
