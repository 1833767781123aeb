"""Smart order routing: splits by book depth, taker fees and balances; expected vs realised."""

from __future__ import annotations

import pytest

from deltaworks_exec.clock import SimulatedClock
from deltaworks_exec.routing.router import VenueQuote, allocate, quote_venues, route
from deltaworks_exec.venue import MarketRules, OrderBook
from tests.algo_support import START_MS, make_venue


def rules(fee: float) -> MarketRules:
    return MarketRules("ETH/USDT", "ETH", "USDT", 0.01, 0.001, 0.001, 5.0, fee, fee)


def book(asks: list[tuple[float, float]]) -> OrderBook:
    return OrderBook("ETH/USDT", 0, [(asks[0][0] - 1, 10.0)], asks)


def test_fees_decide_between_equal_depth() -> None:
    quotes = {
        "cheap_fee": VenueQuote(book([(100.05, 1.0)]), rules(0.0), 1e9),
        "cheap_price": VenueQuote(book([(100.00, 1.0)]), rules(0.001), 1e9),
    }
    plan = allocate(quotes, "buy", 1.0)
    assert [(a.venue, a.amount) for a in plan.allocations] == [("cheap_fee", 1.0)]
    assert plan.expected_average == pytest.approx(100.05)


def test_split_follows_the_consolidated_book_and_balances() -> None:
    quotes = {
        "a": VenueQuote(book([(100.0, 1.0), (100.2, 5.0)]), rules(0.001), 1e9),
        "b": VenueQuote(book([(100.1, 1.0), (100.3, 5.0)]), rules(0.001), 1e9),
    }
    plan = allocate(quotes, "buy", 3.0)
    split = {a.venue: a.amount for a in plan.allocations}
    assert split == {"a": 2.0, "b": 1.0}  # 100.0 and 100.1, then a's 100.2 before b's 100.3
    assert {a.venue: a.worst_price for a in plan.allocations} == {"a": 100.2, "b": 100.1}
    assert plan.expected_average == pytest.approx((100.0 + 100.1 + 100.2) / 3)

    poor_a = dict(
        quotes, a=VenueQuote(quotes["a"].book, rules(0.001), 150.26)
    )  # 1 at 100.0, 0.5 at 100.2 (+ fees)
    split = {a.venue: a.amount for a in allocate(poor_a, "buy", 3.0).allocations}
    assert split == {"a": 1.5, "b": 1.5}


def test_share_below_the_minimum_is_moved_to_another_venue() -> None:
    quotes = {
        "a": VenueQuote(book([(100.0, 0.01), (100.5, 5.0)]), rules(0.001), 1e9),
        "b": VenueQuote(book([(100.1, 5.0)]), rules(0.001), 1e9),
    }
    plan = allocate(quotes, "buy", 1.0)  # a's 0.01 at 100 is 1 USDT: below 5 USDT minimum
    assert [(a.venue, a.amount) for a in plan.allocations] == [("b", 1.0)]


async def test_route_on_two_simulated_exchanges() -> None:
    clock = SimulatedClock(START_MS)
    venues = {name: make_venue(clock, name=name) for name in ("sim_a", "sim_b")}
    for venue in venues.values():
        venue.engine.set_balance("main", "USDT", 10_000_000)
    quotes = await quote_venues(venues, "BTC/USDT", "buy")
    cheap, dear = sorted(quotes.values(), key=lambda q: q.book.asks[0][0])
    before = sum(size for price, size in cheap.book.asks if price < dear.book.asks[0][0])
    amount = round(before + dear.book.asks[0][1], 5)  # spills over to the dearer venue
    result = await route(venues, "BTC/USDT", "buy", amount, "rt1")
    assert len(result.plan.allocations) == 2
    assert result.plan.planned == pytest.approx(amount)
    assert result.filled == pytest.approx(amount)
    assert result.realised_average == pytest.approx(result.plan.expected_average, rel=1e-9)
    assert abs(result.slippage_bps) < 1e-6
    worst_taken = max(a.worst_price for a in result.plan.allocations)
    worst = {a.venue: a.worst_price for a in result.plan.allocations}
    untaken = [p for name, q in quotes.items() for p, _ in q.book.asks if p > worst[name]]
    assert worst_taken <= min(untaken)  # same fee everywhere: no better level was left
    assert {o.client_order_id for o in result.orders} == {"rt1-sim_a", "rt1-sim_b"}
