"""The simulator's market model: impact of aggressive orders, book depletion, volume curve."""

from __future__ import annotations

import math

import pytest

from deltaworks_core.config import settings_from_dict
from deltaworks_core.market_model import MarketModel
from deltaworks_core.venues.simulator import ExchangeEngine, SimClock

DAY_MS = 86_400_000
MONDAY_MS = 1_764_547_200_000  # 2025-12-01 00:00 UTC, a Monday
START_MS = MONDAY_MS + 14 * 3_600_000
SYMBOL = "BTC/USDT"
MODEL = MarketModel(impact_half_life_s=60.0, permanent_bps_per_pct_volume=5.0)


def engine(model: MarketModel | None = MODEL, seed: int = 7) -> ExchangeEngine:
    out = ExchangeEngine(
        "sim_a", [SYMBOL], seed=seed, clock=SimClock(START_MS), withdrawals=1, market_model=model
    )
    out.fund_account("main", {"USDT": 10_000_000, "BTC": 1_000})
    return out


def impact_bps(traded: ExchangeEngine, untouched: ExchangeEngine) -> float:
    """How far the traded market's mid is above the same market left alone, in bps."""
    return (traded.mark_price(SYMBOL) / untouched.mark_price(SYMBOL) - 1) * 10_000


def test_a_large_market_order_moves_the_price_and_the_move_decays_as_configured() -> None:
    traded, untouched = engine(), engine()
    synth = traded.liquidity(SYMBOL)
    quantity = 5.0
    share = quantity / float(traded.markets[SYMBOL].step) / synth.daily_volume
    temporary = MODEL.impact_coefficient * MODEL.daily_volatility * math.sqrt(share) * 1e4
    permanent = MODEL.permanent_bps_per_pct_volume * share * 100
    ask_before = traded.order_book(SYMBOL, 1).asks[0][0]

    order = traded.place_order("main", SYMBOL, "buy", "market", quantity)

    assert order.status.name == "FILLED"
    assert traded.order_book(SYMBOL, 1).asks[0][0] > ask_before * 1.001  # the book was eaten
    assert impact_bps(traded, untouched) == pytest.approx(temporary + permanent, abs=0.1)
    for half_lives in (1, 2, 5):
        for market in (traded, untouched):
            market.set_time(START_MS + int(half_lives * MODEL.impact_half_life_s * 1000))
        expected = permanent + temporary * 0.5**half_lives
        assert impact_bps(traded, untouched) == pytest.approx(expected, abs=0.1)


def test_a_sell_pushes_the_price_down() -> None:
    traded, untouched = engine(), engine()
    traded.place_order("main", SYMBOL, "sell", "market", 2.0)
    assert impact_bps(traded, untouched) < -5


def test_the_ladders_refill_after_an_aggressive_order() -> None:
    market = engine(MarketModel(impact_coefficient=0, permanent_bps_per_pct_volume=0))
    plain = engine(MarketModel(impact_coefficient=0, permanent_bps_per_pct_volume=0))
    market.place_order("main", SYMBOL, "buy", "market", 1.0)
    assert market.order_book(SYMBOL, 1).asks[0][0] > plain.order_book(SYMBOL, 1).asks[0][0]
    for book in (market, plain):
        book.advance(300)  # thirty refill half-lives: less than a step is missing
    assert market.order_book(SYMBOL, 5).asks == plain.order_book(SYMBOL, 5).asks


def run(seed: int) -> tuple:
    market = engine(seed=seed)
    for size in (0.5, 1.5, 0.2):
        market.place_order("main", SYMBOL, "buy", "market", size)
        market.advance(37)
    market.place_order("main", SYMBOL, "sell", "market", 1.0)
    market.advance(90)
    return (
        market.trades(SYMBOL, 300),
        market.klines(SYMBOL, "1m", limit=10),
        market.order_book(SYMBOL, 20).asks,
    )


def test_one_seed_gives_the_same_market_twice() -> None:
    assert run(3) == run(3)
    assert run(3) != run(4)


def test_hourly_volume_of_a_simulated_week_follows_the_curve() -> None:
    market = engine(MarketModel())
    candles = market.klines(SYMBOL, "1h", start_ms=MONDAY_MS - 7 * DAY_MS, limit=168)
    assert len(candles) == 168
    by_hour = [0.0] * 24
    by_day = [0.0] * 7
    for row in candles:
        by_hour[row[0] // 3_600_000 % 24] += row[5]
        by_day[(row[0] - MONDAY_MS) // DAY_MS % 7] += row[5]
    total = sum(by_hour)
    for share, expected in zip(by_hour, MODEL.hour_shares(), strict=True):
        assert share / total == pytest.approx(expected, rel=0.12)
    days = MODEL.weekday_volume
    for share, weight in zip(by_day, days, strict=True):
        assert share / total == pytest.approx(weight / sum(days), rel=0.08)
    assert max(by_hour) / min(by_hour) > 2  # a shape, not noise


def test_the_configuration_takes_a_market_table_and_names_bad_values() -> None:
    base = {"simulator": {"market": {"impact_half_life_s": 30}}}
    assert settings_from_dict(base).simulator.market.impact_half_life_s == 30
    with pytest.raises(ValueError, match="hourly_volume"):
        settings_from_dict({"simulator": {"market": {"hourly_volume": [1.0] * 23}}})
