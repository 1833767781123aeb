"""Execution reports: a parent order's fills against the market it traded in, as recorded.

A parent is an algorithm (its child orders' fills) or a plain order (its own fills). Its
reference prices come from the recorder's tables, never from its own fills: the arrival
mid is the last recorded top of book (``quotes``) at or before the parent's start; the
interval VWAP and TWAP come from the recorded market trades (``trades``) of the exchange
and symbol from start to end, less the prints of the parent's own fills; the costs are
split as ``quality.tca`` describes, the mids at each fill from the recorded ``quotes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from deltaworks_core.questdb import QuestDBReader
from deltaworks_exec.oms.model import to_us
from deltaworks_exec.quality.tca import Costs, Execution, Print, Quote, analyse

PLAIN_ORDER = "order"

_ALGO = "SELECT ts, algo, status, exchange, symbol, side, quantity FROM algo_events "
_ALGO += "WHERE algo_id = %s ORDER BY ts, seq"
_ORDER = "SELECT ts, status, exchange, symbol, side, amount, algo_id FROM order_events "
_ORDER += "WHERE order_id = %s ORDER BY ts, seq"
_CHILDREN = "SELECT DISTINCT order_id FROM order_events WHERE algo_id = %s"
_ARRIVAL = """
SELECT ts, bid_price, ask_price FROM quotes
WHERE exchange = %s AND symbol = %s AND ts <= %s
ORDER BY ts DESC LIMIT 1
"""
_QUOTES = """
SELECT ts, bid_price, ask_price FROM quotes
WHERE exchange = %s AND symbol = %s AND ts > %s AND ts <= %s ORDER BY ts
"""
_TRADES = """
SELECT ts, price, amount FROM trades
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
    interval_twap: float | None
    participation_rate: float | None
    fees: float
    shortfall_bps: float | None
    spread_bps: float | None
    impact_bps: float | None
    timing_bps: float | None
    fees_bps: float | None

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
    return reader.query(
        f"SELECT ts, price, amount, fee, fee_currency FROM fills WHERE order_id IN ({marks})",
        order_ids,
    )


def _ms(stamp: datetime) -> int:
    return to_us(stamp) // 1000


def fee_in_quote(symbol: str, fee: float | None, currency: str | None, price: float) -> float:
    """A fee in the symbol's quote currency (fees in other currencies are not converted)."""
    base, _, rest = symbol.partition("/")
    quote = rest.split(":")[0]
    if not fee or currency is None:
        return 0.0
    if currency == quote:
        return fee
    return fee * price if currency == base else 0.0


def _quote(row: dict[str, Any]) -> Quote:
    return Quote(_ms(row["ts"]), row["bid_price"], row["ask_price"])


def build_report(reader: QuestDBReader, parent: Parent) -> ExecutionReport:
    """The execution report of ``parent`` from the fills, quotes and trades stored now."""
    fills = _fills(reader, parent.order_ids)
    start_us, end_us = to_us(parent.started), to_us(parent.ended)
    where = (parent.exchange, parent.symbol)
    quotes = reader.query(_ARRIVAL, (*where, start_us))
    arrival = (quotes[0]["bid_price"] + quotes[0]["ask_price"]) / 2 if quotes else None
    quotes += reader.query(_QUOTES, (*where, start_us, end_us))
    executions = [
        Execution(
            _ms(row["ts"]),
            row["price"],
            row["amount"],
            fee_in_quote(parent.symbol, row["fee"], row["fee_currency"], row["price"]),
        )
        for row in fills
    ]
    prints = [
        Print(_ms(row["ts"]), row["price"], row["amount"])
        for row in reader.query(_TRADES, (*where, start_us, end_us))
    ]
    costs = analyse(
        parent.side,
        executions,
        prints,
        [_quote(row) for row in quotes],
        arrival,
        start_us // 1000,
        end_us // 1000,
    )
    return execution_report(parent, executions, arrival, costs)


def execution_report(
    parent: Parent, executions: Sequence[Execution], arrival: float | None, costs: Costs
) -> ExecutionReport:
    """The report of ``parent``, which filled ``executions``, with its ``costs``."""
    filled = sum(e.amount for e in executions)
    average = sum(e.price * e.amount for e in executions) / filled if filled else None
    vwap = costs.interval_vwap
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
        fills=len(executions),
        arrival_mid=arrival,
        interval_vwap=vwap,
        market_volume=costs.market_volume,
        market_trades=costs.market_trades,
        slippage_arrival_bps=slippage_bps(parent.side, average, arrival),
        slippage_vwap_bps=slippage_bps(parent.side, average, vwap),
        interval_twap=costs.interval_twap,
        participation_rate=costs.participation_rate,
        fees=costs.fees,
        shortfall_bps=costs.shortfall_bps,
        spread_bps=costs.spread_bps,
        impact_bps=costs.impact_bps,
        timing_bps=costs.timing_bps,
        fees_bps=costs.fees_bps,
    )
