"""Backtest throughput: 200,000 trade ticks, one symbol, two workloads, three engines.

Runs the same strategies on the same ticks with Delta Works, nautilus_trader and
backtrader in this one run, and prints events per second, the ratios and the
trade and fill counts of each; they must agree (see TOLERANCE) or the script
exits with status 1. The last line is one JSON object.

Workloads:

* ``cross``: the moving-average crossover with market orders. Buy 0.1 on an
  upward cross of SMA(fast) over SMA(slow), sell on a downward cross, ignoring
  crosses before the first position. The engines' matching hardly runs.
* ``mm``: market making. Every ``--every`` trades the strategy cancels its
  quotes and rests a bid and an ask ``--width-bps`` around the last price, so a
  resting order is matched against every trade. Fills are counted as quotes
  that traded.

Fairness: every engine is timed over its run only (CPU time of the process, so that
other load on the machine does not count), from inputs it already holds
in memory in its native form (Delta Works' prepared ``MarketData``,
nautilus_trader's wrangled ``TradeTick`` objects, backtrader's preloaded line
buffers: their building is timed apart and excluded for all three). The
strategies share their rules (``Cross``, ``Quoter``; the indicator code
``deltaworks_exec/strategies/indicators.py`` is loaded by path). The ticks are
one per second, at the end of each second, and Delta Works runs with 1 ms of
order latency: its engine matches resting orders once per simulated second
against the last trade before it, so this puts every trade in its own matching
step and makes a quote placed on one trade meet exactly the trades the other two
engines match it with (the next ones, up to and including the trade on which it
is replaced).

nautilus_trader and backtrader are not dependencies of the project: they live
in their own virtualenv (``$DELTAWORKS_BENCH_VENV``, by default
``~/.cache/deltaworks/bench-venv``), created on first use, and run as
subprocesses of this script.

    .venv/bin/python benchmarks/backtest.py [--ticks 200000] [--fast 50] [--slow 200]
                                            [--every 10] [--width-bps 2]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
INDICATORS = ROOT / "deltaworks_exec" / "strategies" / "indicators.py"
BENCH_VENV = Path(
    os.environ.get("DELTAWORKS_BENCH_VENV", Path.home() / ".cache" / "deltaworks" / "bench-venv")
)
BENCH_PACKAGES = ("nautilus-trader==1.221.0", "backtrader==1.9.78.123")
ENGINES = ("deltaworks", "nautilus", "backtrader")
START_MS = 1_767_225_600_000
AMOUNT = 0.1  # the crossover's position
QUOTE = 0.001  # each market-making quote: no larger than the smallest trade, so it fills whole
# Trade and fill counts of the three engines may differ by at most this share of the largest.
TOLERANCE = 0.01


def make_ticks(n: int, path: Path, seed: int = 42) -> None:
    """A seeded random walk of ``n`` BTC/USDT trades, one at the end of each second."""
    rng = np.random.default_rng(seed)
    ts_ms = START_MS + 999 + 1000 * np.arange(n, dtype=np.int64)
    price = np.round(60_000 * np.exp(np.cumsum(rng.normal(0, 1e-4, n))), 2)
    amount = np.round(rng.uniform(QUOTE, 0.5, n), 6)
    np.savez(path, ts_ms=ts_ms, price=price, amount=amount)


def _sma_class():
    spec = importlib.util.spec_from_file_location("bench_indicators", INDICATORS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SMA


class Cross:
    """The crossover rule shared by the three strategies."""

    def __init__(self, fast: int, slow: int) -> None:
        sma = _sma_class()
        self.fast, self.slow = sma(fast), sma(slow)
        self.above: bool | None = None
        self.long = False

    def signal(self, price: float) -> str | None:
        """'buy', 'sell' or None for this price."""
        fast, slow = self.fast.update(price), self.slow.update(price)
        if slow is None:
            return None
        above = fast > slow
        if above == self.above:
            return None
        crossed, self.above = self.above is not None, above
        if not crossed:
            return None
        if above and not self.long:
            self.long = True
            return "buy"
        if not above and self.long:
            self.long = False
            return "sell"
        return None


class Quoter:
    """The market-making rule: on every ``every``-th trade, a bid and an ask ``width_bps``
    below and above its price (on the cent tick)."""

    def __init__(self, every: int, width_bps: float) -> None:
        self.every = every
        self.width = width_bps / 10_000
        self.n = 0

    def quotes(self, price: float) -> tuple[float, float] | None:
        """(bid, ask) to rest now, replacing the previous ones; None between refreshes."""
        self.n += 1
        if self.n % self.every:
            return None
        return round(price * (1 - self.width), 2), round(price * (1 + self.width), 2)


# -- Delta Works ---------------------------------------------------------------------------------


def run_deltaworks(path: Path, workload: str, args: argparse.Namespace) -> dict:
    import pandas as pd

    from deltaworks_exec.backtest.data import prepare
    from deltaworks_exec.backtest.engine import Backtest
    from deltaworks_exec.backtest.models import FixedSlippage, Latency
    from deltaworks_exec.backtest.setup import BacktestConfig
    from deltaworks_exec.strategies.api import Context, Strategy, Trade

    class DeltaWorksCross(Strategy):
        name = "bench_cross"

        def __init__(self) -> None:
            self.rule = Cross(args.fast, args.slow)

        def on_trade(self, ctx: Context, trade: Trade) -> None:
            side = self.rule.signal(trade.price)
            if side == "buy":
                ctx.submit("BTC/USDT", "buy", AMOUNT)
            elif side == "sell":
                ctx.submit("BTC/USDT", "sell", ctx.position("BTC/USDT"))

    class DeltaWorksQuoter(Strategy):
        name = "bench_mm"

        def __init__(self) -> None:
            self.rule = Quoter(args.every, args.width_bps)

        def on_trade(self, ctx: Context, trade: Trade) -> None:
            quotes = self.rule.quotes(trade.price)
            if quotes is None:
                return
            for client_order_id in ctx.open_orders():
                ctx.cancel(client_order_id)
            ctx.submit("BTC/USDT", "buy", QUOTE, quotes[0])
            ctx.submit("BTC/USDT", "sell", QUOTE, quotes[1])

    raw = np.load(path)
    frame = pd.DataFrame({"ts": raw["ts_ms"], "price": raw["price"], "amount": raw["amount"]})
    loaded = time.perf_counter()
    data = prepare(frame, symbol="BTC/USDT")
    config = BacktestConfig(
        slippage=FixedSlippage(0.0),
        latency=Latency(order_ms=1),
        cash={"USDT": 1e8, "BTC": 100.0},
    )
    engine = Backtest(data, config)
    setup_s = time.perf_counter() - loaded
    strategy = DeltaWorksCross() if workload == "cross" else DeltaWorksQuoter()
    started = time.process_time()
    result = engine.run(strategy)
    seconds = time.process_time() - started
    filled = len({f.client_order_id for f in result.fills})
    return {"events": result.events, "seconds": seconds, "setup_s": setup_s,
            "trades": filled, "fills": filled}  # fmt: skip


# -- nautilus_trader (bench virtualenv) --------------------------------------------------------


def run_nautilus(path: Path, workload: str, args: argparse.Namespace) -> dict:
    from decimal import Decimal

    import pandas as pd
    from nautilus_trader.backtest.engine import BacktestEngine, BacktestEngineConfig
    from nautilus_trader.config import LoggingConfig
    from nautilus_trader.model.currencies import BTC, USDT
    from nautilus_trader.model.enums import AccountType, OmsType, OrderSide
    from nautilus_trader.model.identifiers import TraderId, Venue
    from nautilus_trader.model.objects import Money
    from nautilus_trader.persistence.wranglers import TradeTickDataWrangler
    from nautilus_trader.test_kit.providers import TestInstrumentProvider
    from nautilus_trader.trading.strategy import Strategy

    instrument = TestInstrumentProvider.btcusdt_binance()

    class Counting(Strategy):
        def __init__(self) -> None:
            super().__init__()
            self.filled: set = set()

        def on_start(self) -> None:
            self.qty = instrument.make_qty(Decimal(str(AMOUNT)))
            self.quote = instrument.make_qty(Decimal(str(QUOTE)))
            self.subscribe_trade_ticks(instrument.id)

        def on_order_filled(self, event) -> None:
            self.filled.add(event.client_order_id)

    class NautilusCross(Counting):
        rule = Cross(args.fast, args.slow)

        def on_trade_tick(self, tick) -> None:
            side = self.rule.signal(tick.price.as_double())
            if side is not None:
                order_side = OrderSide.BUY if side == "buy" else OrderSide.SELL
                self.submit_order(self.order_factory.market(instrument.id, order_side, self.qty))

    class NautilusQuoter(Counting):
        rule = Quoter(args.every, args.width_bps)

        def on_trade_tick(self, tick) -> None:
            quotes = self.rule.quotes(tick.price.as_double())
            if quotes is None:
                return
            self.cancel_all_orders(instrument.id)
            for side, price in ((OrderSide.BUY, quotes[0]), (OrderSide.SELL, quotes[1])):
                order = self.order_factory.limit(
                    instrument.id, side, self.quote, instrument.make_price(price)
                )
                self.submit_order(order)

    raw = np.load(path)
    frame = pd.DataFrame(
        {
            "price": raw["price"],
            "quantity": raw["amount"],
            "trade_id": np.arange(len(raw["price"])).astype(str),
        },  # no aggressor side: the trade sets bid and ask, as the other engines read a trade
        index=pd.to_datetime(raw["ts_ms"], unit="ms", utc=True),
    )
    loaded = time.perf_counter()
    ticks = TradeTickDataWrangler(instrument).process(frame)
    engine = BacktestEngine(
        BacktestEngineConfig(
            trader_id=TraderId("BENCH-001"),
            logging=LoggingConfig(os.environ.get("BENCH_LOG", "ERROR")),
        )
    )
    engine.add_venue(
        venue=Venue("BINANCE"),
        oms_type=OmsType.NETTING,
        account_type=AccountType.CASH,
        starting_balances=[Money(1_000_000, USDT), Money(100, BTC)],
        trade_execution=True,
    )
    engine.add_instrument(instrument)
    engine.add_data(ticks)
    strategy = NautilusCross() if workload == "cross" else NautilusQuoter()
    engine.add_strategy(strategy)
    setup_s = time.perf_counter() - loaded
    started = time.process_time()
    engine.run()
    seconds = time.process_time() - started
    filled = len(strategy.filled)
    engine.dispose()
    return {"events": len(ticks), "seconds": seconds, "setup_s": setup_s,
            "trades": filled, "fills": filled}  # fmt: skip


# -- backtrader (bench virtualenv) -------------------------------------------------------------


def run_backtrader(path: Path, workload: str, args: argparse.Namespace) -> dict:
    import backtrader as bt

    class Counting(bt.Strategy):
        def __init__(self) -> None:
            self.filled = 0

        def notify_order(self, order) -> None:
            if order.status == order.Completed:
                self.filled += 1

    class BacktraderCross(Counting):
        def __init__(self) -> None:
            super().__init__()
            self.rule = Cross(args.fast, args.slow)

        def next(self) -> None:
            side = self.rule.signal(self.data.close[0])
            if side == "buy":
                self.buy(size=AMOUNT)
            elif side == "sell":
                self.sell(size=AMOUNT)

    class BacktraderQuoter(Counting):
        def __init__(self) -> None:
            super().__init__()
            self.rule = Quoter(args.every, args.width_bps)
            self.live: list = []

        def next(self) -> None:
            quotes = self.rule.quotes(self.data.close[0])
            if quotes is None:
                return
            for order in self.live:
                if order.alive():
                    self.cancel(order)
            self.live = [
                self.buy(exectype=bt.Order.Limit, price=quotes[0], size=QUOTE),
                self.sell(exectype=bt.Order.Limit, price=quotes[1], size=QUOTE),
            ]

    raw = np.load(path)
    rows = list(
        zip(
            # backtrader's date numbers: days since 0001-01-01, plus one
            (raw["ts_ms"] / 86_400_000 + 719_163.0).tolist(),
            raw["price"].tolist(),
            raw["amount"].tolist(),
            strict=True,
        )
    )

    class TickFeed(bt.feed.DataBase):
        """Each trade as a bar, from rows already in memory; ``preload`` (backtrader filling
        its line buffers before the run) is timed apart."""

        preload_s = 0.0

        def start(self) -> None:
            super().start()
            self._rows = iter(rows)

        def preload(self) -> None:
            started = time.process_time()
            super().preload()
            TickFeed.preload_s = time.process_time() - started

        def _load(self) -> bool:
            row = next(self._rows, None)
            if row is None:
                return False
            lines = self.lines
            lines.datetime[0], price, lines.volume[0] = row
            lines.open[0] = lines.high[0] = lines.low[0] = lines.close[0] = price
            return True

    cerebro = bt.Cerebro(stdstats=False, preload=True)
    cerebro.adddata(TickFeed())
    cerebro.addstrategy(BacktraderCross if workload == "cross" else BacktraderQuoter)
    cerebro.broker.setcash(1e9)
    started = time.process_time()
    strategy = cerebro.run()[0]
    seconds = time.process_time() - started - TickFeed.preload_s
    return {"events": len(strategy.data), "seconds": seconds, "setup_s": TickFeed.preload_s,
            "trades": strategy.filled, "fills": strategy.filled}  # fmt: skip


# -- driver ------------------------------------------------------------------------------------


def bench_python() -> Path:
    """The benchmark virtualenv's interpreter, created with the two frameworks if missing."""
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {BENCH_VENV} with {', '.join(BENCH_PACKAGES)}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *BENCH_PACKAGES], check=True)
    return python


def _engine_args(args: argparse.Namespace) -> list[str]:
    return ["--fast", str(args.fast), "--slow", str(args.slow), "--every", str(args.every),
            "--width-bps", str(args.width_bps)]  # fmt: skip


def in_bench_venv(engine: str, workload: str, path: Path, args: argparse.Namespace) -> dict:
    command = [str(bench_python()), __file__, "--engine", engine, "--workload", workload,
               "--data", str(path), *_engine_args(args)]  # fmt: skip
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_workload(workload: str, path: Path, args: argparse.Namespace) -> dict[str, dict]:
    runs = {"deltaworks": run_deltaworks(path, workload, args)}
    for name in ("nautilus", "backtrader"):
        runs[name] = in_bench_venv(name, workload, path, args)
    return runs


def agree(counts: dict[str, int]) -> bool:
    """True when the counts differ by at most ``TOLERANCE`` of the largest (and by 1 at least)."""
    return max(counts.values()) - min(counts.values()) <= max(1, TOLERANCE * max(counts.values()))


def report(workload: str, runs: dict[str, dict], counted: str) -> dict[str, float]:
    rates = {name: run["events"] / run["seconds"] for name, run in runs.items()}
    print(f"-- {workload}")
    for name, run in runs.items():
        print(f"{name:>10}: {run['events']:,} events in {run['seconds']:.2f} s = "
              f"{rates[name]:,.0f} events/s, {run[counted]} {counted} "
              f"(inputs built in {run['setup_s']:.2f} s, not timed)")  # fmt: skip
    for other in ("nautilus", "backtrader"):
        print(f"deltaworks / {other}: {rates['deltaworks'] / rates[other]:.2f}x")
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # nautilus_trader makes markets at under 1,000 events/s here: 1,000,000 ticks take 20 min.
    parser.add_argument("--ticks", type=int, default=200_000)
    parser.add_argument("--fast", type=int, default=50)
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--every", type=int, default=10, help="trades between quote refreshes")
    parser.add_argument("--width-bps", type=float, default=2.0, help="quotes' distance from last")
    parser.add_argument("--engine", choices=["nautilus", "backtrader"], help=argparse.SUPPRESS)
    parser.add_argument("--workload", choices=["cross", "mm"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:  # inside the benchmark virtualenv
        run = run_nautilus if args.engine == "nautilus" else run_backtrader
        print(json.dumps(run(args.data, args.workload, args)))
        return
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ticks.npz"
        make_ticks(args.ticks, path)
        cross = run_workload("cross", path, args)
        mm = run_workload("mm", path, args)
    rates = report("moving-average crossover, market orders", cross, "trades")
    mm_rates = report(f"market making, quotes refreshed every {args.every} trades", mm, "fills")
    trades = {name: run["trades"] for name, run in cross.items()}
    fills = {name: run["fills"] for name, run in mm.items()}
    agreed = agree(trades) and agree(fills) and min(fills.values()) > 0
    print(f"counts {'agree' if agreed else 'DISAGREE'} within {TOLERANCE:.0%}: "
          f"trades {trades}, fills {fills}")  # fmt: skip
    print(json.dumps({
        "deltaworks_events_per_s": round(rates["deltaworks"]),
        "nautilus_events_per_s": round(rates["nautilus"]),
        "backtrader_events_per_s": round(rates["backtrader"]),
        "trades": trades,
        "mm_deltaworks_events_per_s": round(mm_rates["deltaworks"]),
        "mm_nautilus_events_per_s": round(mm_rates["nautilus"]),
        "mm_backtrader_events_per_s": round(mm_rates["backtrader"]),
        "mm_fills": fills,
    }))  # fmt: skip
    if not agreed:
        sys.exit(1)


if __name__ == "__main__":
    main()
