"""Transaction-cost analysis of every order a backtested strategy sent (``quality.tca``).

Each plain order and each algorithm (its children's fills together) is reported as the
execution service reports a parent order (``ExecutionReport``), against the replayed market:

* its life runs from the decision (the submission) to its last fill when it filled in full,
  else to when it was canceled, expired or rejected, or (still working) to the data's end;
  an algorithm's to its final status;
* the arrival mid is the mid of the book the engine matched against (the slippage model's
  ladders around the last price) at the decision; the touch of each fill is that book's best
  bid and ask at the fill's time;
* the market's trades are the replayed data's tape of the venue and symbol (a candle is its
  open, low/high, high/low, close path, a quarter of its volume each): the strategy's own
  fills are simulated beside the tape, never in it, so nothing is taken out of it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from typing import Protocol

from deltaworks_core.models import utc_from_ms
from deltaworks_exec.algos.base import TERMINAL
from deltaworks_exec.backtest.data import MarketData
from deltaworks_exec.backtest.result import Decision, Reject
from deltaworks_exec.oms.algo_store import AlgoEvent
from deltaworks_exec.oms.model import to_us
from deltaworks_exec.quality.reports import (
    PLAIN_ORDER,
    ExecutionReport,
    Parent,
    execution_report,
    fee_in_quote,
)
from deltaworks_exec.quality.tca import Execution, Print, Quote, order_costs
from deltaworks_exec.strategies.api import FillEvent


class Book(Protocol):
    """The book a replayed market's orders meet (``ReplayLiquidity``)."""

    def touch(self, t_ms: int) -> tuple[float, float]: ...


class _Tape:
    """The market's trades of one stream, sliced by time."""

    def __init__(self, data: MarketData, venue: str, symbol: str) -> None:
        tape = data.tape(venue, symbol)
        self.ts_ms = tape.ts_ms
        self.prints = [Print(*p) for p in zip(tape.ts_ms, tape.price, tape.amount, strict=True)]

    def between(self, start_ms: int, end_ms: int) -> list[Print]:
        lo, hi = bisect_left(self.ts_ms, start_ms), bisect_right(self.ts_ms, end_ms)
        return self.prints[lo:hi]


def _execution(fill: FillEvent, symbol: str) -> Execution:
    fee = fee_in_quote(symbol, fill.fee, fill.fee_currency, fill.price)
    return Execution(fill.ts_ms, fill.price, fill.amount, fee)


def _algo_ends(events: Sequence[AlgoEvent], data_end: int) -> dict[str, tuple[str, str, int]]:
    """(algorithm, status, end ms) of every algorithm: its final status and when it came, or
    its last status and the data's end while it still worked."""
    out: dict[str, tuple[str, str, int]] = {}
    for event in events:
        if out.get(event.algo_id, ("", "", 0))[1] not in TERMINAL:
            end = to_us(event.ts) // 1000 if event.status in TERMINAL else data_end
            out[event.algo_id] = (event.algo, event.status, end)
    return out


def order_reports(
    data: MarketData,
    books: Mapping[tuple[str, str], Book],
    decisions: Sequence[Decision],
    fills: Sequence[FillEvent],
    rejects: Sequence[Reject],
    closed_at: Mapping[str, int],
    algo_events: Sequence[AlgoEvent],
) -> list[ExecutionReport]:
    """The execution report of every decision of a run, in decision order."""
    ids = {d.client_order_id for d in decisions}
    own: dict[str, list[FillEvent]] = {}
    for fill in fills:
        cid = fill.client_order_id
        parent = cid if cid in ids else cid.rpartition("-")[0]
        own.setdefault(parent, []).append(fill)
    rejected = {r.client_order_id: r.ts_ms for r in rejects}
    data_end = data.end_ms  # a frame look-up: once
    algos = _algo_ends(algo_events, data_end)
    tapes: dict[tuple[str, str], _Tape] = {}
    reports = []
    for d in decisions:
        key = (d.venue, d.symbol)
        if key not in tapes:
            tapes[key] = _Tape(data, *key)
        executions = [_execution(f, d.symbol) for f in own.get(d.client_order_id, [])]
        filled = sum(e.amount for e in executions)
        kind, status, end = _life(d, filled, executions, rejected, closed_at, algos, data_end)
        book = books[key]
        bid, ask = book.touch(d.ts_ms)
        touches = [Quote(e.ts_ms, *book.touch(e.ts_ms)) for e in executions]
        arrival = (bid + ask) / 2
        market = tapes[key].between(d.ts_ms, end)
        costs = order_costs(d.side, executions, touches, market, arrival, d.ts_ms, end)
        parent = Parent(
            d.client_order_id, kind, d.venue, d.symbol, d.side, status, d.amount,
            utc_from_ms(d.ts_ms), utc_from_ms(end), (),
        )  # fmt: skip
        reports.append(execution_report(parent, executions, arrival, costs))
    return reports


def _life(
    decision: Decision,
    filled: float,
    executions: Sequence[Execution],
    rejected: Mapping[str, int],
    closed_at: Mapping[str, int],
    algos: Mapping[str, tuple[str, str, int]],
    data_end: int,
) -> tuple[str, str, int]:
    """(kind, final status, end ms) of the order or algorithm ``decision`` sent."""
    cid = decision.client_order_id
    if cid in algos:
        return algos[cid]
    if cid in rejected:
        return PLAIN_ORDER, "rejected", max(decision.ts_ms, rejected[cid])
    if executions and filled >= decision.amount * (1 - 1e-9):
        return PLAIN_ORDER, "closed", max(e.ts_ms for e in executions)
    if cid in closed_at:
        return PLAIN_ORDER, "canceled", max(decision.ts_ms, closed_at[cid])
    return PLAIN_ORDER, "open", data_end


COSTS = ("shortfall_bps", "spread_bps", "impact_bps", "timing_bps", "fees_bps")


def summary(reports: Sequence[ExecutionReport]) -> dict[str, float | int]:
    """The run's costs: ``tca_orders`` with costs (some fill and a market to compare with),
    their notional-weighted mean costs in bps (``tca_shortfall_bps`` = spread + impact +
    timing + fees), price against the interval VWAP and participation rate, and the mean fill
    rate of every order sent (0 where there is nothing to average)."""
    costed = [r for r in reports if r.shortfall_bps is not None and r.average_price]
    weights = [r.average_price * r.filled for r in costed]  # type: ignore[operator]
    total = sum(weights)

    def mean(name: str) -> float:
        values = [(getattr(r, name) or 0.0) * w for r, w in zip(costed, weights, strict=True)]
        return sum(values) / total if total else 0.0

    out: dict[str, float | int] = {"tca_orders": len(costed)}
    out.update({f"tca_{name}": mean(name) for name in COSTS})
    out["tca_vs_vwap_bps"] = mean("slippage_vwap_bps")
    out["tca_participation"] = mean("participation_rate")
    out["tca_fill_rate"] = sum(r.fill_rate for r in reports) / len(reports) if reports else 0.0
    return out
