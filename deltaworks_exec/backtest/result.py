"""Records of a backtest run: decisions, fills, rejects, equity and run information."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from deltaworks_core.models import Side
from deltaworks_exec.quality.reports import ExecutionReport
from deltaworks_exec.strategies.api import FillEvent


@dataclass(frozen=True, slots=True)
class Decision:
    """One order the strategy decided to send, with the market price when it decided."""

    ts_ms: int
    venue: str
    symbol: str
    client_order_id: str
    side: Side
    amount: float
    price: float | None
    arrival_price: float


@dataclass(frozen=True, slots=True)
class Reject:
    """An order the venue refused."""

    ts_ms: int
    client_order_id: str
    reason: str


@dataclass(slots=True)
class RunResult:
    """Everything a run produced; ``metrics`` is filled by ``metrics.compute``."""

    run_id: str
    strategy: str
    params: dict[str, Any]
    mode: Literal["backtest", "live"]
    kind: str
    venues: list[str]
    symbols: list[str]
    quote: str
    start_ms: int
    end_ms: int
    events: int
    initial_equity: float
    decisions: list[Decision] = field(default_factory=list)
    fills: list[FillEvent] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    equity: list[tuple[int, float]] = field(default_factory=list)
    costs: Callable[[], list[ExecutionReport]] | None = field(
        default=None, repr=False, compare=False
    )
    _executions: list[ExecutionReport] | None = field(default=None, repr=False, compare=False)
    repairs: list[str] = field(default_factory=list)
    elapsed_s: float = 0.0
    metrics: dict[str, float | int] = field(default_factory=dict)
    created_ms: int = field(default_factory=lambda: time.time_ns() // 1_000_000)

    @property
    def executions(self) -> list[ExecutionReport]:
        """The transaction-cost analysis of each order and algorithm the strategy sent
        (``backtest.tca``), worked out from ``costs`` when first asked for (after the run,
        like the metrics)."""
        if self._executions is None:
            self._executions = self.costs() if self.costs is not None else []
        return self._executions

    def arrivals(self) -> dict[str, float]:
        """Arrival price of each fill's order by client order id (an algorithm's children
        ``{algo_id}-{n}`` take their parent's)."""
        decided = {d.client_order_id: d.arrival_price for d in self.decisions}
        out = {}
        for fill in self.fills:
            cid = fill.client_order_id
            price = decided.get(cid, decided.get(cid.rpartition("-")[0]))
            if price is not None:
                out[cid] = price
        return out

    def equity_frame(self) -> pd.DataFrame:
        """Equity samples as a frame (ts: UTC timestamp, equity: quote currency)."""
        frame = pd.DataFrame(self.equity, columns=["ts_ms", "equity"])
        frame["ts"] = pd.to_datetime(frame["ts_ms"], unit="ms", utc=True)
        return frame

    def executions_frame(self) -> pd.DataFrame:
        """The execution report of each order and algorithm, one row each."""
        return pd.DataFrame(
            [e.row() for e in self.executions], columns=list(ExecutionReport.__dataclass_fields__)
        )

    def fills_frame(self) -> pd.DataFrame:
        """Fills as a frame with UTC timestamps."""
        columns = list(FillEvent.__slots__)
        frame = pd.DataFrame(
            [[getattr(f, c) for c in columns] for f in self.fills], columns=columns
        )
        frame["ts"] = pd.to_datetime(frame["ts_ms"], unit="ms", utc=True)
        return frame
