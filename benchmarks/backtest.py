"""Backtest throughput: 1,000,000 trade ticks, one symbol, the moving-average crossover.

Runs the same strategy on the same ticks with Delta Works, nautilus_trader and
backtrader, in this one run, and prints events per second, the ratios and the
number of trades (executed orders) of each; they must agree. The last line is
one JSON object.

nautilus_trader and backtrader are not dependencies of the project: they live
in their own virtualenv (``$DELTAWORKS_BENCH_VENV``, by default
``~/.cache/deltaworks/bench-venv``), created on first use, and run as
subprocesses of this script. The three strategies share the same indicator code
(``deltaworks_exec/strategies/indicators.py``, loaded by path) and the same
rule: buy 0.1 on an upward cross of SMA(fast) over SMA(slow), sell on a
downward cross, ignoring crosses before the first position.

    .venv/bin/python benchmarks/backtest.py [--ticks 1000000] [--fast 50] [--slow 200]
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
START_NS = 1_767_225_600_000 * 1_000_000
AMOUNT = 0.1


def make_ticks(n: int, path: Path, seed: int = 42) -> None:
    """A seeded random walk of ``n`` BTC/USDT trades, 1-100 ms apart, either side as taker."""
    rng = np.random.default_rng(seed)
    ts_ms = START_NS // 1_000_000 + np.cumsum(rng.integers(1, 100, n))
    price = np.round(60_000 * np.exp(np.cumsum(rng.normal(0, 1e-4, n))), 2)
    amount = np.round(rng.uniform(0.001, 0.5, n), 6)
    buyer_maker = rng.random(n) < 0.5
    np.savez(path, ts_ms=ts_ms, price=price, amount=amount, buyer_maker=buyer_maker)


def _sma_class():
    spec = importlib.util.spec_from_file_location("bench_indicators", INDICATORS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SMA


class Cross:
    """The crossover rule shared by the nautilus and backtrader strategies."""

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


# -- Delta Works ---------------------------------------------------------------------------------


def run_deltaworks(path: Path, fast: int, slow: int) -> dict:
    import pandas as pd

    from deltaworks_exec.backtest.data import prepare
    from deltaworks_exec.backtest.engine import Backtest
    from deltaworks_exec.backtest.models import FixedSlippage
    from deltaworks_exec.backtest.setup import BacktestConfig
    from deltaworks_exec.strategies import MovingAverageCross

    raw = np.load(path)
    frame = pd.DataFrame({"ts": raw["ts_ms"], "price": raw["price"], "amount": raw["amount"]})
    loaded = time.perf_counter()
    data = prepare(frame, symbol="BTC/USDT")
    engine = Backtest(data, BacktestConfig(slippage=FixedSlippage(0.0)))
    setup_s = time.perf_counter() - loaded
    result = engine.run(MovingAverageCross("BTC/USDT", fast, slow, AMOUNT))
    trades = len({f.client_order_id for f in result.fills})
    return {"events": result.events, "seconds": result.elapsed_s, "trades": trades,
            "setup_s": setup_s}  # fmt: skip


# -- nautilus_trader (bench virtualenv) --------------------------------------------------------


def run_nautilus(path: Path, fast: int, slow: int) -> dict:
    from decimal import Decimal

    import pandas as pd
    from nautilus_trader.backtest.engine import BacktestEngine, BacktestEngineConfig
    from nautilus_trader.config import LoggingConfig, StrategyConfig
    from nautilus_trader.model.currencies import BTC, USDT
    from nautilus_trader.model.enums import AccountType, OmsType, OrderSide
    from nautilus_trader.model.identifiers import TraderId, Venue
    from nautilus_trader.model.objects import Money
    from nautilus_trader.persistence.wranglers import TradeTickDataWrangler
    from nautilus_trader.test_kit.providers import TestInstrumentProvider
    from nautilus_trader.trading.strategy import Strategy

    class CrossConfig(StrategyConfig, frozen=True):
        fast: int
        slow: int

    class NautilusCross(Strategy):
        def __init__(self, config: CrossConfig) -> None:
            super().__init__(config)
            self.rule = Cross(config.fast, config.slow)
            self.filled: set = set()

        def on_start(self) -> None:
            self.instrument = self.cache.instrument(instrument.id)
            self.qty = self.instrument.make_qty(Decimal(str(AMOUNT)))
            self.subscribe_trade_ticks(instrument.id)

        def on_trade_tick(self, tick) -> None:
            side = self.rule.signal(tick.price.as_double())
            if side is not None:
                order_side = OrderSide.BUY if side == "buy" else OrderSide.SELL
                self.submit_order(self.order_factory.market(instrument.id, order_side, self.qty))

        def on_order_filled(self, event) -> None:
            self.filled.add(event.client_order_id)

    instrument = TestInstrumentProvider.btcusdt_binance()
    raw = np.load(path)
    frame = pd.DataFrame(
        {
            "price": raw["price"],
            "quantity": raw["amount"],
            "trade_id": np.arange(len(raw["price"])).astype(str),
            "buyer_maker": raw["buyer_maker"].tolist(),
        },
        index=pd.to_datetime(raw["ts_ms"], unit="ms", utc=True),
    )
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
        starting_balances=[Money(100_000_000, USDT), Money(100, BTC)],
        trade_execution=True,
    )
    engine.add_instrument(instrument)
    engine.add_data(ticks)
    strategy = NautilusCross(CrossConfig(fast=fast, slow=slow))
    engine.add_strategy(strategy)
    started = time.perf_counter()
    engine.run()
    seconds = time.perf_counter() - started
    trades = len(strategy.filled)
    engine.dispose()
    return {"events": len(ticks), "seconds": seconds, "trades": trades}


# -- backtrader (bench virtualenv) -------------------------------------------------------------


def run_backtrader(path: Path, fast: int, slow: int) -> dict:
    import backtrader as bt

    class BacktraderCross(bt.Strategy):
        params = (("fast", fast), ("slow", slow))

        def __init__(self) -> None:
            self.rule = Cross(self.p.fast, self.p.slow)
            self.filled = 0

        def next(self) -> None:
            side = self.rule.signal(self.data.close[0])
            if side == "buy":
                self.buy(size=AMOUNT)
            elif side == "sell":
                self.sell(size=AMOUNT)

        def notify_order(self, order) -> None:
            if order.status == order.Completed:
                self.filled += 1

    class TickFeed(bt.feed.DataBase):
        """Each trade as a bar, read from lists (backtrader's pandas feed costs more than its
        engine: it indexes the frame cell by cell)."""

        def start(self) -> None:
            super().start()
            raw = np.load(path)
            # backtrader's date numbers: days since 0001-01-01, plus one
            self._rows = iter(
                zip(
                    (raw["ts_ms"] / 86_400_000 + 719_163.0).tolist(),
                    raw["price"].tolist(),
                    raw["amount"].tolist(),
                    strict=True,
                )
            )

        def _load(self) -> bool:
            row = next(self._rows, None)
            if row is None:
                return False
            lines = self.lines
            lines.datetime[0], price, lines.volume[0] = row
            lines.open[0] = lines.high[0] = lines.low[0] = lines.close[0] = price
            return True

    cerebro = bt.Cerebro(stdstats=False)
    data = TickFeed()
    cerebro.adddata(data)
    cerebro.addstrategy(BacktraderCross)
    cerebro.broker.setcash(1e9)
    started = time.perf_counter()
    strategy = cerebro.run()[0]
    seconds = time.perf_counter() - started
    return {"events": len(strategy.data), "seconds": seconds, "trades": strategy.filled}


# -- driver ------------------------------------------------------------------------------------


def bench_python() -> Path:
    """The benchmark virtualenv's interpreter, created with the two frameworks if missing."""
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        print(f"creating {BENCH_VENV} with {', '.join(BENCH_PACKAGES)}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *BENCH_PACKAGES], check=True)
    return python


def in_bench_venv(engine: str, path: Path, fast: int, slow: int) -> dict:
    args = [str(bench_python()), __file__, "--engine", engine, "--data", str(path),
            "--fast", str(fast), "--slow", str(slow)]  # fmt: skip
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ticks", type=int, default=1_000_000)
    parser.add_argument("--fast", type=int, default=50)
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--engine", choices=["nautilus", "backtrader"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:  # inside the benchmark virtualenv
        run = run_nautilus if args.engine == "nautilus" else run_backtrader
        print(json.dumps(run(args.data, args.fast, args.slow)))
        return
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ticks.npz"
        make_ticks(args.ticks, path)
        runs = {"deltaworks": run_deltaworks(path, args.fast, args.slow)}
        for name in ("nautilus", "backtrader"):
            runs[name] = in_bench_venv(name, path, args.fast, args.slow)
    rates = {name: run["events"] / run["seconds"] for name, run in runs.items()}
    for name, run in runs.items():
        print(f"{name:>10}: {run['events']:,} events in {run['seconds']:.2f} s = "
              f"{rates[name]:,.0f} events/s, {run['trades']} trades")  # fmt: skip
    print(f"(deltaworks data validation and setup, not timed above: "
          f"{runs['deltaworks']['setup_s']:.2f} s)")  # fmt: skip
    print(f"deltaworks / nautilus:   {rates['deltaworks'] / rates['nautilus']:.2f}x")
    print(f"deltaworks / backtrader: {rates['deltaworks'] / rates['backtrader']:.2f}x")
    trades = {name: run["trades"] for name, run in runs.items()}
    print("trades agree" if len(set(trades.values())) == 1 else f"TRADES DISAGREE: {trades}")
    print(json.dumps({
        "deltaworks_events_per_s": round(rates["deltaworks"]),
        "nautilus_events_per_s": round(rates["nautilus"]),
        "backtrader_events_per_s": round(rates["backtrader"]),
        "trades": trades,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
