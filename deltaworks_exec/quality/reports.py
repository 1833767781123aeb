"""Execution reports: a parent order's fills against the market it traded in, as recorded.

A parent is an algorithm (its child orders' fills) or a plain order (its own fills). Its
reference prices come from the recorder's tables, never from its own fills: the arrival
mid is the last recorded top of book (``quotes``) at or before the parent's start; the
interval VWAP is the volume-weighted price of every recorded market trade (``trades``) of
the exchange and symbol from start to end (the market's tape, so it includes the prints
of the parent's own executions as any other participant saw them).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from deltaworks_core.questdb import QuestDBReader
from deltaworks_exec.oms.model import to_us

PLAIN_ORDER = "order"

_ALGO = "SELECT ts, algo, status, exchange, symbol, side, quantity FROM algo_events "
_ALGO += "WHERE algo_id = %s ORDER BY ts, seq"
_ORDER = "SELECT ts, status, exchange, symbol, side, amount, algo_id FROM order_events "
_ORDER += "WHERE order_id = %s ORDER BY ts, seq"
_CHILDREN = "SELECT DISTINCT order_id FROM order_events WHERE algo_id = %s"
_ARRIVAL = """
SELECT bid_price, ask_price FROM quotes
WHERE exchange = %s AND symbol = %s AND ts <= %s
ORDER BY ts DESC LIMIT 1
"""
_VWAP = """
SELECT sum(price * amount) / sum(amount) vwap, sum(amount) volume, count() trades FROM trades
WHERE exchange = %s AND symbol = %s AND ts >= %s AND ts <= %s
"""


@dataclass(frozen=True)
class Parent:
    """What a report needs to know of a parent order, from its stored events."""

    parent_id: str
    kind: str  # the algorithm's name, or ``order``
    exchange: str
    symbol: str
    side: str
    status: str
    quantity: float
    started: datetime
    ended: datetime
    order_ids: tuple[str, ...]


@dataclass(frozen=True)
class ExecutionReport:
    """One ``execution_reports`` row (slippage in bps, positive = worse for the parent)."""

    parent_id: str
    kind: str
    exchange: str
    symbol: str
    side: str
    status: str
    started: datetime
    ended: datetime
    quantity: float
    filled: float
    fill_rate: float
    average_price: float | None
    fills: int
    arrival_mid: float | None
    interval_vwap: float | None
    market_volume: float
    market_trades: int
    slippage_arrival_bps: float | None
    slippage_vwap_bps: float | None

    def row(self) -> dict[str, Any]:
        return asdict(self)


def slippage_bps(side: str, price: float | None, reference: float | None) -> float | None:
    """How much worse than ``reference`` ``price`` is for a ``side`` order, in bps."""
    if price is None or reference is None or reference <= 0:
        return None
    sign = 1.0 if side == "buy" else -1.0
    return sign * (price - reference) / reference * 10_000


def _utc(stamp: datetime) -> datetime:
    return stamp.replace(tzinfo=UTC)  # QuestDB's timestamps are UTC


def load_parent(reader: QuestDBReader, parent_id: str) -> Parent | None:
    """The algorithm or plain order ``parent_id`` as stored, or ``None``."""
    events = reader.query(_ALGO, (parent_id,))
    if events:
        first, last = events[0], events[-1]
        children = tuple(row["order_id"] for row in reader.query(_CHILDREN, (parent_id,)))
        return Parent(
            parent_id, first["algo"], first["exchange"], first["symbol"], first["side"],
            last["status"], first["quantity"], _utc(first["ts"]), _utc(last["ts"]), children,
        )  # fmt: skip
    events = reader.query(_ORDER, (parent_id,))
    if not events or events[0]["algo_id"] is not None:
        return None  # unknown, or a child order (reported with its algorithm)
    first, last = events[0], events[-1]
    return Parent(
        parent_id, PLAIN_ORDER, first["exchange"], first["symbol"], first["side"],
        last["status"], first["amount"], _utc(first["ts"]), _utc(last["ts"]), (parent_id,),
    )  # fmt: skip


def _fills(reader: QuestDBReader, order_ids: tuple[str, ...]) -> list[dict[str, Any]]:
    if not order_ids:
        return []
    marks = ", ".join(["%s"] * len(order_ids))
    return reader.query(f"SELECT price, amount FROM fills WHERE order_id IN ({marks})", order_ids)


def build_report(reader: QuestDBReader, parent: Parent) -> ExecutionReport:
    """The execution report of ``parent`` from the fills, quotes and trades stored now."""
    fills = _fills(reader, parent.order_ids)
    filled = sum(row["amount"] for row in fills)
    average = sum(row["price"] * row["amount"] for row in fills) / filled if filled else None
    start_us, end_us = to_us(parent.started), to_us(parent.ended)
    quote = reader.query(_ARRIVAL, (parent.exchange, parent.symbol, start_us))
    arrival = (quote[0]["bid_price"] + quote[0]["ask_price"]) / 2 if quote else None
    market = reader.query(_VWAP, (parent.exchange, parent.symbol, start_us, end_us))[0]
    vwap = market["vwap"] if market["trades"] else None
    return ExecutionReport(
        parent_id=parent.parent_id,
        kind=parent.kind,
        exchange=parent.exchange,
        symbol=parent.symbol,
        side=parent.side,
        status=parent.status,
        started=parent.started,
        ended=parent.ended,
        quantity=parent.quantity,
        filled=filled,
        fill_rate=filled / parent.quantity if parent.quantity else 0.0,
        average_price=average,
        fills=len(fills),
        arrival_mid=arrival,
        interval_vwap=vwap,
        market_volume=market["volume"] or 0.0,
        market_trades=market["trades"],
        slippage_arrival_bps=slippage_bps(parent.side, average, arrival),
        slippage_vwap_bps=slippage_bps(parent.side, average, vwap),
    )
