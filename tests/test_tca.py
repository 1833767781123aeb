"""Transaction-cost analysis on a constructed tape, against a hand computation."""

from __future__ import annotations

import pytest

from deltaworks_exec.quality.tca import (
    Execution,
    Print,
    Quote,
    analyse,
    interval_twap,
    order_costs,
)

QUOTES = [Quote(0, 99.9, 100.1), Quote(10_000, 100.9, 101.1)]
FILLS = [Execution(5_000, 100.1, 1.0, fee=0.10), Execution(11_000, 101.3, 0.5, fee=0.05)]
MARKET = [Print(1_000, 100.0, 2.0), Print(5_000, 101.0, 1.0), Print(12_000, 102.0, 1.0)]
OWN_PRINTS = [Print(5_000, 100.1, 1.0), Print(11_000, 101.3, 0.5)]


def test_every_figure_matches_a_hand_computation() -> None:
    costs = analyse("buy", FILLS, MARKET + OWN_PRINTS, QUOTES, 100.0, 0, 20_000)

    # the market alone: 2 @ 100, 1 @ 101, 1 @ 102; held 4 s, 7 s and 8 s of the 19 s after
    # the first print
    assert costs.interval_vwap == pytest.approx(403 / 4)
    assert costs.interval_twap == pytest.approx((400 + 707 + 816) / 19)
    assert (costs.market_volume, costs.market_trades) == (4.0, 3)
    assert costs.participation_rate == pytest.approx(1.5 / 5.5)
    # average 100.5 against 100: 50 bps; the first fill paid the half-spread (0.1 over mid
    # 100), the second 0.3 over mid 101: 0.1 of spread and 0.2 beyond the touch
    assert costs.spread_bps == pytest.approx((0.1 * 1 + 0.1 * 0.5) / 1.5 * 100)
    twap = 1923 / 19
    mids = (100 * 1 + 101 * 0.5) / 1.5
    assert costs.impact_bps == pytest.approx((0.2 * 0.5 / 1.5 + mids - twap) * 100)
    assert costs.timing_bps == pytest.approx((twap - 100) * 100)
    assert costs.fees == pytest.approx(0.15)
    assert costs.fees_bps == pytest.approx(0.15 / 150.75 * 10_000)
    assert costs.shortfall_bps == pytest.approx(50 + 0.15 / 150.75 * 10_000)
    parts = costs.spread_bps + costs.impact_bps + costs.timing_bps + costs.fees_bps
    assert parts == pytest.approx(costs.shortfall_bps)


def test_the_orders_own_prints_never_enter_the_market_benchmark() -> None:
    with_own = analyse("buy", FILLS, MARKET + OWN_PRINTS, QUOTES, 100.0, 0, 20_000)
    without = analyse("buy", FILLS, MARKET, QUOTES, 100.0, 0, 20_000)
    assert with_own == without


def test_a_sell_is_measured_the_other_way_round() -> None:
    fills = [Execution(5_000, 99.9, 1.0)]
    costs = analyse("sell", fills, MARKET, QUOTES, 100.0, 0, 20_000)
    assert costs.spread_bps == pytest.approx(10.0)  # sold 0.1 under the mid
    assert costs.timing_bps == pytest.approx(-(1923 / 19 - 100) * 100)  # the market rose
    assert costs.shortfall_bps == pytest.approx(10.0)


def test_no_fill_leaves_the_costs_empty_and_bad_sides_are_named() -> None:
    costs = analyse("buy", [], MARKET, QUOTES, 100.0, 0, 20_000)
    assert costs.shortfall_bps is None and costs.interval_vwap == pytest.approx(403 / 4)
    assert interval_twap([], 0, 1) is None
    with pytest.raises(ValueError, match="side"):
        analyse("hold", FILLS, MARKET, QUOTES, 100.0, 0, 20_000)


def test_order_costs_take_the_touches_met_and_a_tape_without_the_orders_prints() -> None:
    touches = [QUOTES[0], QUOTES[1]]  # what each fill met
    costs = order_costs("buy", FILLS, touches, MARKET, 100.0, 0, 20_000)
    assert costs == analyse("buy", FILLS, MARKET + OWN_PRINTS, QUOTES, 100.0, 0, 20_000)
    # a market print that looks like a fill is the market's here: nothing is taken out
    alike = order_costs("buy", FILLS, touches, MARKET + OWN_PRINTS[:1], 100.0, 0, 20_000)
    assert (alike.market_volume, alike.market_trades) == (5.0, 4)
    with pytest.raises(ValueError, match="touches"):
        order_costs("buy", FILLS, touches[:1], MARKET, 100.0, 0, 20_000)
