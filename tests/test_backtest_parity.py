"""Parity: a strategy driven live through the Venue interface and the fast backtest agree.

"Live" is ``LiveRunner``: recorded market data is published as a simulated
clock passes, orders go out as asyncio tasks through ``EngineVenue.submit`` /
``cancel`` after the latency, fills come back on ``EngineVenue.events()``.
The backtest is ``Backtest``: a plain loop calling the engine directly. Both
replay the same recorded data through the simulator's matching engine; the
test asserts identical decisions (time, side, amount, price) and fills (time,
price, amount, fee, maker/taker), and that the runs traded at all.
"""

from __future__ import annotations

import pandas as pd
import pytest

from deltaworks_exec.backtest.data import prepare
from deltaworks_exec.backtest.engine import Backtest
from deltaworks_exec.backtest.live import run_live
from deltaworks_exec.backtest.models import DepthSlippage, Latency
from deltaworks_exec.backtest.setup import BacktestConfig
from deltaworks_exec.strategies import MovingAverageCross, TwapEntryCross
from tests.backtest_support import BookScalper, LimitQuoter, trades

STRATEGIES = {
    "ma_cross": lambda: MovingAverageCross("BTC/USDT", fast=10, slow=30, amount=0.1),
    "twap_entry": lambda: TwapEntryCross("BTC/USDT", 10, 30, amount=0.5, slices=4, duration_s=8),
    "limit_quoter": lambda: LimitQuoter("BTC/USDT", offset_bps=2.0, every_s=4.0),
    "book_scalper": lambda: BookScalper("BTC/USDT", window=30),
}


@pytest.fixture(scope="module")
def recorded():
    return prepare(trades(1200, seed=7), symbol="BTC/USDT")


@pytest.mark.parametrize("latency_ms", [0, 150])
@pytest.mark.parametrize("name", list(STRATEGIES))
def test_live_and_backtest_make_the_same_decisions_and_fills(recorded, name, latency_ms):
    config = BacktestConfig(
        latency=Latency(latency_ms), slippage=DepthSlippage(level_notional=3_000.0)
    )
    fast = Backtest(recorded, config).run(STRATEGIES[name]())
    live = run_live(recorded, STRATEGIES[name](), config)
    assert live.mode == "live" and fast.mode == "backtest"
    assert len(fast.decisions) >= 8 and len(fast.fills) >= 8
    assert live.decisions == fast.decisions
    assert live.fills == fast.fills
    assert live.rejects == fast.rejects
    assert live.equity == fast.equity
    assert live.executions == fast.executions  # the same costs, order by order


def test_parity_covers_partial_and_maker_fills(recorded):
    """The cases the parity test relies on actually happen in these runs."""
    thin = BacktestConfig(slippage=DepthSlippage(level_notional=3_000.0))
    twap = Backtest(recorded, thin).run(STRATEGIES["twap_entry"]())
    per_order = pd.Series([f.client_order_id for f in twap.fills]).value_counts()
    assert per_order.max() > 1  # a market order walked several levels of the book
    quoter = Backtest(recorded, thin).run(STRATEGIES["limit_quoter"]())
    liquidity = {f.liquidity for f in quoter.fills}
    assert liquidity == {"maker", "taker"}


def test_parity_across_two_venues():
    a = trades(600, seed=3).assign(venue="binance", symbol="BTC/USDT")
    b = trades(600, seed=4, price=60_050.0).assign(venue="kraken", symbol="BTC/USDT")
    data = prepare(pd.concat([a, b]).sort_values("ts", kind="stable"))
    config = BacktestConfig(latency=Latency(50))
    fast = Backtest(data, config).run(MovingAverageCross("BTC/USDT", 10, 30, 0.1))
    live = run_live(data, MovingAverageCross("BTC/USDT", 10, 30, 0.1), config)
    assert fast.venues == ["binance", "kraken"]
    assert len(fast.fills) >= 8
    assert live.decisions == fast.decisions and live.fills == fast.fills
