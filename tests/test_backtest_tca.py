"""Transaction-cost analysis in the backtester: each order's figures against a hand computation."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
import pytest

from deltaworks_exec.backtest.data import prepare
from deltaworks_exec.backtest.engine import Backtest
from deltaworks_exec.backtest.metrics import compute
from deltaworks_exec.backtest.models import DepthSlippage, FixedSlippage, Latency
from deltaworks_exec.backtest.setup import BacktestConfig
from deltaworks_exec.strategies import TwapEntryCross
from deltaworks_exec.strategies.api import Context, Strategy, Trade
from tests.backtest_support import START_MS, trades

# the decision's trade, two trades while the order travels (2.5 s latency), one after it filled
TAPE = pd.DataFrame(
    {
        "ts": [START_MS, START_MS + 1_000, START_MS + 2_000, START_MS + 4_000],
        "price": [49_950.0, 49_980.0, 50_000.0, 50_100.0],
        "amount": [0.2, 0.3, 0.1, 0.4],
    }
)
# half spread 2 bps, then levels 4 bps apart holding 0.1 BTC at 50,000
BOOK = DepthSlippage(half_spread_bps=2, level_bps=4, level_notional=5_000, levels=3)


class BuyOnce(Strategy):
    """A market buy of ``amount`` on the first trade."""

    name = "buy_once"

    def __init__(self, symbol: str, amount: float) -> None:
        self.symbol, self.amount, self.sent = symbol, amount, False

    def on_trade(self, ctx: Context, trade: Trade) -> None:
        if not self.sent:
            self.sent = True
            ctx.submit(self.symbol, "buy", self.amount)


def test_an_orders_costs_match_a_hand_computation() -> None:
    data = prepare(TAPE, symbol="BTC/USDT")
    config = BacktestConfig(slippage=BOOK, latency=Latency(2_500))
    result = Backtest(data, config).run(BuyOnce("BTC/USDT", 0.15))
    # the order reaches the book around 50,000 (bid 49,990, ask 50,010, then 50,030) at 2.5 s
    # and walks it: 0.1 @ 50,010 and 0.05 @ 50,030, 10 bps taker fee each (in BTC)
    assert [(f.ts_ms, f.price, f.amount) for f in result.fills] == [
        (START_MS + 2_500, 50_010.0, 0.1),
        (START_MS + 2_500, 50_030.0, 0.05),
    ]
    [report] = result.executions
    assert (report.parent_id, report.kind, report.status) == ("buy_once-1", "order", "closed")
    assert report.started.timestamp() * 1000 == START_MS
    assert report.ended - report.started == timedelta(milliseconds=2_500)
    assert (report.filled, report.fill_rate, report.fills) == (
        pytest.approx(0.15),
        pytest.approx(1),
        2,
    )
    average = (0.1 * 50_010 + 0.05 * 50_030) / 0.15
    assert report.average_price == pytest.approx(average)
    # arrival: the book around 49,950 at the decision (49,940.01 / 49,959.99)
    assert report.arrival_mid == pytest.approx(49_950.0)
    # the market from 0 to 2.5 s: its three trades, never the order's own fills
    assert report.interval_vwap == pytest.approx((0.2 * 49_950 + 0.3 * 49_980 + 0.1 * 50_000) / 0.6)
    twap = (1_000 * 49_950 + 1_000 * 49_980 + 500 * 50_000) / 2_500
    assert report.interval_twap == pytest.approx(twap)
    assert (report.market_volume, report.market_trades) == (pytest.approx(0.6), 3)
    assert report.participation_rate == pytest.approx(0.15 / (0.6 + 0.15))
    bps = 10_000 / 49_950
    # spread: the half spread (10) on all of it; impact: the second level's 20 beyond the
    # touch on a third of it, and the mid met (50,000) over the interval TWAP; timing: the
    # TWAP over arrival; fees: 10 bps of the notional, valued in USDT at the fill prices
    assert report.spread_bps == pytest.approx(10 * bps)
    assert report.impact_bps == pytest.approx((20 * 0.05 / 0.15 + 50_000 - twap) * bps)
    assert report.timing_bps == pytest.approx((twap - 49_950) * bps)
    assert report.fees == pytest.approx(0.0001 * 50_010 + 0.00005 * 50_030)
    assert report.fees_bps == pytest.approx(10.0)
    assert report.shortfall_bps == pytest.approx((average - 49_950) * bps + 10.0)
    parts = report.spread_bps + report.impact_bps + report.timing_bps + report.fees_bps
    assert parts == pytest.approx(report.shortfall_bps)
    metrics = compute(result)
    assert metrics["tca_orders"] == 1 and metrics["tca_fill_rate"] == pytest.approx(1)
    for name in ("shortfall_bps", "spread_bps", "impact_bps", "timing_bps", "fees_bps"):
        assert metrics[f"tca_{name}"] == pytest.approx(getattr(report, name))
    assert metrics["tca_participation"] == pytest.approx(0.2)


def test_a_market_trade_like_the_orders_own_fill_stays_in_the_benchmark() -> None:
    # without spread the order fills at the last price: one market trade at that time has the
    # very price and amount of the fill, and is still the market's (the tape never holds ours)
    tape = pd.DataFrame({"ts": [START_MS, START_MS + 1_000], "price": [50_000.0, 50_010.0],
                         "amount": [0.1, 0.1]})  # fmt: skip
    config = BacktestConfig(slippage=FixedSlippage(0.0), latency=Latency(1_000))
    result = Backtest(prepare(tape, symbol="BTC/USDT"), config).run(BuyOnce("BTC/USDT", 0.1))
    assert [(f.ts_ms, f.price, f.amount) for f in result.fills] == [
        (START_MS + 1_000, 50_010.0, 0.1)
    ]
    [report] = result.executions
    assert (report.market_volume, report.market_trades) == (pytest.approx(0.2), 2)
    assert report.interval_vwap == pytest.approx(50_005.0)
    assert report.participation_rate == pytest.approx(1 / 3)


def test_an_algorithm_is_reported_with_all_its_childrens_fills() -> None:
    data = prepare(trades(3000, seed=11), symbol="BTC/USDT")
    strategy = TwapEntryCross("BTC/USDT", fast=10, slow=40, amount=0.05, duration_s=20, slices=4)
    result = Backtest(data).run(strategy)
    algos = [r for r in result.executions if r.kind == "twap"]
    assert algos and len(algos) == len(
        [d for d in result.decisions if d.client_order_id.startswith("twap_entry_")]
    )
    for report in algos:
        children = [f for f in result.fills if f.client_order_id.startswith(report.parent_id + "-")]
        assert report.fills == len(children) and report.status in ("completed", "canceled")
        assert report.filled == pytest.approx(sum(f.amount for f in children))
        started = int(report.started.timestamp() * 1000)
        ended = int(report.ended.timestamp() * 1000)
        market = [(t, a) for t, a in zip(data.frame["ts_ms"], data.frame["amount"], strict=True)
                  if started <= t <= ended]  # fmt: skip
        assert report.market_volume == pytest.approx(sum(a for _, a in market))
        assert report.market_trades == len(market)
    assert compute(result)["tca_orders"] == len([r for r in result.executions if r.filled])
