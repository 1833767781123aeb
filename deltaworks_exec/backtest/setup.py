"""What both runners share: engines per venue, market rules, merged events, valuation."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from deltaworks_core.venues.simulator import ExchangeEngine, build_markets
from deltaworks_exec.backtest.context import RunContext
from deltaworks_exec.backtest.data import MINUTE_MS, DataError, MarketData
from deltaworks_exec.backtest.liquidity import ReplayLiquidity
from deltaworks_exec.backtest.models import DepthSlippage, FeeModel, Latency, SlippageModel
from deltaworks_exec.backtest.result import RunResult
from deltaworks_exec.backtest.tca import order_reports
from deltaworks_exec.backtest.venue_engine import build_engine
from deltaworks_exec.oms.algo_store import AlgoEvent
from deltaworks_exec.quality.reports import ExecutionReport
from deltaworks_exec.strategies.api import Strategy
from deltaworks_exec.venue import MarketRules
from deltaworks_exec.venues.engine_venue import market_rules

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class BacktestConfig:
    """Costs, starting balances (per venue) and the equity sampling interval."""

    fees: FeeModel = field(default_factory=FeeModel)
    slippage: SlippageModel = field(default_factory=DepthSlippage)
    latency: Latency = field(default_factory=Latency)
    cash: Mapping[str, float] = field(default_factory=lambda: {"USDT": 100_000.0})
    equity_interval_ms: int = MINUTE_MS


class EquityRecorder:
    """Equity in the quote currency at every ``interval_ms`` boundary, and at the end."""

    def __init__(self, ctx: RunContext, value_of: Callable[[str, str], float | None],
                 start_ms: int, interval_ms: int) -> None:  # fmt: skip
        self.ctx = ctx
        self.value_of = value_of
        self.interval_ms = interval_ms
        self.next_ms = (start_ms // interval_ms + 1) * interval_ms
        self.samples: list[tuple[int, float]] = [(start_ms, ctx.equity(value_of))]

    def sample(self, ts: int, final: bool = False) -> None:
        """Record every boundary up to ``ts`` (holdings as they are now)."""
        value = self.ctx.equity(self.value_of)
        while self.next_ms <= ts:
            self.samples.append((self.next_ms, value))
            self.next_ms += self.interval_ms
        if final and self.samples[-1][0] < ts:
            self.samples.append((ts, value))


class RunSetup:
    """Rules and time-ordered events of ``data``; fresh engines for every run (``new_run``)."""

    def __init__(self, data: MarketData, config: BacktestConfig) -> None:
        self.data = data
        self.config = config
        self.streams: list[tuple[str, str]] = [
            (venue, symbol) for venue in data.venues for symbol in data.symbols(venue)
        ]
        quotes = {symbol.split("/")[1] for _, symbol in self.streams}
        if len(quotes) != 1:
            raise DataError(f"one quote currency per run, the data has {sorted(quotes)}")
        self.quote = quotes.pop()
        self.engines: dict[str, ExchangeEngine] = {}
        self.liquidity: dict[tuple[str, str], ReplayLiquidity] = {}
        markets = {m.symbol: m for m in build_markets(sorted({s for _, s in self.streams}))}
        self.rules: dict[tuple[str, str], MarketRules] = {}
        for venue, symbol in self.streams:
            self.rules[(venue, symbol)] = market_rules(
                markets[symbol], config.fees.maker_bps / 10_000, config.fees.taker_bps / 10_000
            )
        for venue, symbol in self.streams:
            self._check_tick(venue, symbol, markets[symbol].tick)
        self._symbol_of_base = {(v, self.rules[(v, s)].base): (v, s) for v, s in self.streams}
        self.columns, self.stream_ids, self.ts = self._merge()

    def _check_tick(self, venue: str, symbol: str, tick: Decimal) -> None:
        """Recorded prices must sit on the simulated market's tick: rounding them would
        change every fill without a word."""
        columns = ["price"] if self.data.kind == "trades" else ["open", "high", "low", "close"]
        prices = self.data.stream(venue, symbol)[columns].to_numpy(float).ravel()
        ticks = prices / float(tick)
        off = np.abs(ticks - np.round(ticks)) > 1e-4
        if off.any():
            raise DataError(
                f"{symbol} on {venue}: price {prices[off][0]!r} is not a multiple of the "
                f"simulated market's tick {tick} ({int(off.sum())} such prices); the "
                "simulator's markets have fixed ticks, round the data to it"
            )

    def new_run(self) -> None:
        """Build the engines (replayed markets, starting cash) afresh for a run."""
        data, config = self.data, self.config
        self.engines = {
            venue: build_engine(
                venue, data, data.start_ms, config.fees, config.slippage, config.cash
            )
            for venue in data.venues
        }
        self.liquidity = {
            (venue, symbol): self.engines[venue].liquidity(symbol)  # type: ignore[misc]
            for venue, symbol in self.streams
        }

    def _merge(self) -> tuple[dict[str, list], list[int], list[int]]:
        """Events of every stream in time order (ties: stream order); candles at close time."""
        frames = [self.data.stream(venue, symbol) for venue, symbol in self.streams]
        ts = np.concatenate([f["ts_ms"].to_numpy(np.int64) for f in frames])
        if self.data.kind == "candles":
            ts = ts + MINUTE_MS
        ids = np.concatenate([np.full(len(f), i, dtype=np.int64) for i, f in enumerate(frames)])
        order = np.argsort(ts, kind="stable")
        names = ["price", "amount"] if self.data.kind == "trades" else [
            "open", "high", "low", "close", "volume"
        ]  # fmt: skip
        columns = {
            name: np.concatenate([f[name].to_numpy(float) for f in frames])[order].tolist()
            for name in names
        }
        if self.data.kind == "trades":
            columns["buyer_maker"] = [False] * len(order)
        return columns, ids[order].tolist(), ts[order].tolist()

    def context(self, strategy: Strategy) -> RunContext:
        return RunContext(
            strategy, self.rules, self.config.cash, self.config.latency.order_ms, self.data.start_ms
        )

    def first_prices(self) -> dict[tuple[str, str], float]:
        """The first price of every stream (trade price, or candle open)."""
        column = "price" if self.data.kind == "trades" else "open"
        first: dict[tuple[str, str], float] = {}
        for i, sid in enumerate(self.stream_ids):
            key = self.streams[sid]
            if key not in first:
                first[key] = self.columns[column][i]
                if len(first) == len(self.streams):
                    break
        return first

    def equity(self, ctx: RunContext) -> EquityRecorder:
        """An equity recorder valuing ``ctx``'s holdings at its last prices."""

        def value(venue: str, asset: str) -> float | None:
            if asset == self.quote:
                return 1.0
            key = self._symbol_of_base.get((venue, asset))
            return None if key is None else ctx.last.get(key)

        return EquityRecorder(ctx, value, self.data.start_ms, self.config.equity_interval_ms)

    def initial_equity(self) -> float:
        """Starting cash in the quote currency (other assets at the first price)."""
        firsts = self.first_prices()
        total = 0.0
        for venue in self.data.venues:
            for asset, amount in self.config.cash.items():
                if asset == self.quote:
                    total += amount
                    continue
                key = self._symbol_of_base.get((venue, asset))
                if key is None:
                    raise DataError(
                        f"cannot value {asset} on {venue}: no {asset}/{self.quote} data"
                    )
                total += amount * firsts[key]
        return total

    def result(
        self,
        strategy: Strategy,
        ctx: RunContext,
        equity: EquityRecorder,
        mode: str,
        elapsed_s: float,
        algo_events: Sequence[AlgoEvent],
    ) -> RunResult:
        """What the run produced, with the costs of every order and algorithm it sent (worked
        out when first asked for)."""
        data, books, events = self.data, self.liquidity, list(algo_events)

        def costs() -> list[ExecutionReport]:
            return order_reports(
                data, books, ctx.decisions, ctx.fills, ctx.rejects, ctx.closed_at, events
            )

        return RunResult(
            run_id=uuid.uuid4().hex[:16],
            strategy=strategy.name,
            params=strategy.params(),
            mode=mode,  # type: ignore[arg-type]
            kind=self.data.kind,
            venues=self.data.venues,
            symbols=sorted({s for _, s in self.streams}),
            quote=self.quote,
            start_ms=self.data.start_ms,
            end_ms=self.data.end_ms,
            events=len(self.ts),
            initial_equity=self.initial_equity(),
            decisions=ctx.decisions,
            fills=ctx.fills,
            rejects=ctx.rejects,
            equity=equity.samples,
            costs=costs,
            repairs=list(self.data.repairs),
            elapsed_s=elapsed_s,
        )
