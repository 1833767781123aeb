"""The fast backtest on the simulator's engine: orders, costs, latency, bars, several venues."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from deltaworks_exec.backtest.data import prepare
from deltaworks_exec.backtest.engine import Backtest
from deltaworks_exec.backtest.metrics import compute
from deltaworks_exec.backtest.models import DepthSlippage, FeeModel, FixedSlippage, Latency
from deltaworks_exec.backtest.setup import BacktestConfig
from deltaworks_exec.strategies import MovingAverageCross, RsiReversion, TwapEntryCross
from deltaworks_exec.strategies.api import Bar, Context, Strategy
from tests.backtest_support import BookScalper, LimitQuoter, candles, trades


@pytest.fixture(scope="module")
def tape():
    return prepare(trades(4000, seed=11), symbol="BTC/USDT")


def ma() -> MovingAverageCross:
    return MovingAverageCross("BTC/USDT", fast=10, slow=40, amount=0.1)


def test_ma_cross_trades_deterministically(tape):
    backtest = Backtest(tape)
    a = backtest.run(ma())
    b = backtest.run(ma())  # a second run starts from fresh engines
    assert a.decisions == b.decisions and a.fills == b.fills and a.equity == b.equity
    assert len(a.decisions) >= 20
    sides = [d.side for d in a.decisions]
    assert sides[0] == "buy" and all(x != y for x, y in itertools.pairwise(sides))
    metrics = compute(a)
    assert metrics["pnl"] == pytest.approx(a.equity[-1][1] - 100_000.0)
    assert metrics["orders"] == len(a.decisions) and metrics["fills"] == len(a.fills)
    assert metrics["turnover"] > 0 and metrics["fees"] > 0 and metrics["max_drawdown_pct"] > 0


def test_fees_follow_the_fee_model(tape):
    free = Backtest(tape, BacktestConfig(fees=FeeModel(0, 0))).run(ma())
    paid = Backtest(tape, BacktestConfig(fees=FeeModel(0, 25))).run(ma())
    assert [d.side for d in free.decisions] == [d.side for d in paid.decisions]
    assert all(f.fee == 0 for f in free.fills)
    for fill in paid.fills:
        notional = fill.amount if fill.side == "buy" else fill.amount * fill.price
        assert fill.fee == pytest.approx(notional * 0.0025, rel=1e-6, abs=1e-8)
        assert fill.fee_currency == ("BTC" if fill.side == "buy" else "USDT")
    assert compute(paid)["pnl"] < compute(free)["pnl"]


def test_fixed_slippage_against_arrival(tape):
    result = Backtest(tape, BacktestConfig(slippage=FixedSlippage(5.0))).run(ma())
    arrival = {d.client_order_id: d.arrival_price for d in result.decisions}
    for fill in result.fills:
        sign = 1 if fill.side == "buy" else -1
        bps = (fill.price / arrival[fill.client_order_id] - 1) * sign * 10_000
        assert 4.9 < bps < 5.1
    assert compute(result)["slippage_bps"] == pytest.approx(5.0, abs=0.1)


def test_book_depth_slippage_grows_with_size_and_can_fill_partly(tape):
    book = DepthSlippage(half_spread_bps=1, level_bps=2, level_notional=2_000.0, levels=5)
    small = Backtest(tape, BacktestConfig(slippage=book)).run(ma())
    big_strategy = MovingAverageCross("BTC/USDT", fast=10, slow=40, amount=0.3)
    big = Backtest(tape, BacktestConfig(slippage=book)).run(big_strategy)
    assert compute(big)["slippage_bps"] > compute(small)["slippage_bps"] > 0
    per_order = {}
    for fill in big.fills:
        per_order[fill.client_order_id] = per_order.get(fill.client_order_id, 0.0) + fill.amount
    buys = [d for d in big.decisions if d.side == "buy"]
    # five levels of ~2,000 USDT hold ~0.16 BTC: the rest of a 0.3 BTC market order expires
    assert all(per_order[d.client_order_id] < d.amount for d in buys)
    assert all(len([f for f in big.fills if f.client_order_id == d.client_order_id]) == 5
               for d in buys)  # fmt: skip


def test_latency_delays_execution_to_the_market_after_arrival(tape):
    result = Backtest(tape, BacktestConfig(latency=Latency(500))).run(ma())
    decided = {d.client_order_id: d.ts_ms for d in result.decisions}
    assert result.fills
    assert all(f.ts_ms == decided[f.client_order_id] + 500 for f in result.fills)


def test_resting_limit_orders_fill_as_maker_once_traded_through(tape):
    quoter = LimitQuoter("BTC/USDT", offset_bps=2.0, every_s=4.0)
    result = Backtest(tape).run(quoter)
    limits = {d.client_order_id: d for d in result.decisions if d.price is not None}
    makers = [f for f in result.fills if f.liquidity == "maker"]
    assert makers and quoter.fills
    frame = tape.frame
    for fill in makers:
        decision = limits[fill.client_order_id]
        assert fill.price == decision.price and fill.ts_ms % 1000 == 0
        second = frame[(frame["ts_ms"] >= decision.ts_ms) & (frame["ts_ms"] < fill.ts_ms)]
        assert second["price"].min() <= decision.price  # the market traded at or through it
    assert len(result.decisions) > len({f.client_order_id for f in result.fills})  # cancels


def test_book_events_follow_the_market(tape):
    scalper = BookScalper("BTC/USDT")
    result = Backtest(tape).run(scalper)
    assert len(scalper.books) == len(tape)
    prices = tape.frame["price"].tolist()
    for book, price in zip(scalper.books, prices, strict=True):
        assert len(book.bids) == len(book.asks) == 5
        assert book.bids[0][0] < price < book.asks[0][0]  # the depth model's spread
        assert book.bids[0][0] > book.bids[-1][0] and book.asks[0][0] < book.asks[-1][0]
    assert len(result.fills) >= 4


def test_rejects_are_recorded(tape):
    poor = BacktestConfig(cash={"USDT": 1_000.0})
    result = Backtest(tape, poor).run(ma())
    assert result.rejects and not result.fills
    assert all("insufficient balance" in r.reason for r in result.rejects)


class BarRecorder(Strategy):
    name = "bar_recorder"

    def __init__(self) -> None:
        self.bars: list[tuple[int, int]] = []

    def on_bar(self, ctx: Context, bar: Bar) -> None:
        self.bars.append((bar.ts_ms, ctx.now_ms))


def test_bars_arrive_when_they_close_and_rsi_trades_on_them():
    data = prepare(candles(600, seed=5), symbol="ETH/USDT")
    recorder = BarRecorder()
    Backtest(data).run(recorder)
    assert len(recorder.bars) == 600
    assert all(now == opened + 60_000 for opened, now in recorder.bars)
    rsi = Backtest(data).run(RsiReversion("ETH/USDT", period=14, oversold=35, exit=55, amount=1))
    assert len(rsi.fills) >= 4
    assert all(f.ts_ms >= d.ts_ms for f, d in zip(rsi.fills, rsi.decisions, strict=False))


def test_twap_entries_run_the_services_twap():
    data = prepare(candles(600, seed=5), symbol="ETH/USDT")
    strategy = TwapEntryCross("ETH/USDT", fast=5, slow=20, amount=2.0, slices=4, duration_s=480)
    result = Backtest(data).run(strategy)
    entries = [d for d in result.decisions if d.side == "buy"]
    assert len(entries) >= 3 and all(d.client_order_id.startswith("twap_entry_") for d in entries)
    first = entries[0].client_order_id
    children = [f for f in result.fills if f.client_order_id.startswith(first + "-")]
    assert len({f.client_order_id for f in children}) == 4  # one IOC child a slice
    starts = sorted({f.ts_ms for f in children})
    assert [t - starts[0] for t in starts] == [0, 120_000, 240_000, 360_000]
    assert sum(f.amount for f in children) == pytest.approx(2.0)
    assert set(result.arrivals()) >= {f.client_order_id for f in children}


def test_several_venues_at_once():
    a = trades(1500, seed=3).assign(venue="binance", symbol="BTC/USDT")
    both = prepare(pd.concat([a, a.assign(venue="okx")]).sort_values("ts", kind="stable"))
    result = Backtest(both).run(ma())
    assert result.venues == ["binance", "okx"]
    assert {d.venue for d in result.decisions} == {"binance"}  # the strategy's default venue
    assert result.initial_equity == 200_000.0  # the starting cash on each venue


def test_replay_engine_is_the_engine():
    """The backtest only changes the fee rates: with the simulator's own rates it fills
    exactly like ExchangeEngine."""
    from deltaworks_core.venues.simulator import ExchangeEngine, SimClock

    engines = [ExchangeEngine("x", ["BTC/USDT"], clock=SimClock(1_767_225_600_000)) for _ in "ab"]
    engines[1].set_fee_rates(*FeeModel(10, 10).ppm())
    trails = []
    for engine in engines:
        fills = []
        engine.add_listener(lambda order, fill, out=fills: fill and out.append(fill))
        engine.place_order("main", "BTC/USDT", "buy", "MARKET", "0.5")
        bid, tick = engine.order_book("BTC/USDT", 1).bids[0][0], engine.market("BTC/USDT").tick
        engine.place_order("main", "BTC/USDT", "sell", "LIMIT", "0.2", str((bid + 2500) * tick))
        engine.place_order("main", "BTC/USDT", "buy", "LIMIT", "0.2", str((bid - 2500) * tick))
        engine.advance(3600)
        balances = engine.balances("spot")
        trails.append(([(f.price, f.qty, f.commission, f.maker, f.time) for f in fills], balances))
    assert trails[0] == trails[1]
    assert {maker for *_, maker, _ in trails[0][0]} == {False, True}  # taker and resting fills
