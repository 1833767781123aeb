"""Algorithms against the market's rules, over a grid of sizes around the minimum order.

A parent order below the smallest order the market accepts is refused at creation with the
reason; one that fits fewer children than asked adapts; no child is ever below the minimum
and the record lists every child sent.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from deltaworks_exec.algos.supervisor import AlgoSupervisor, detail
from deltaworks_exec.clock import SimulatedClock
from deltaworks_exec.oms.algo_store import MemoryProgress
from deltaworks_exec.order_sinks import VenueOrders
from deltaworks_exec.quantities import minimum_amount, to_step
from deltaworks_exec.venues.engine_venue import EngineVenue
from tests.algo_support import START_MS, make_venue, run_to_end

SYMBOL = "BTC/USDT"
SLICES = 5
MULTIPLES = ["0.5", "0.99", "1", "1.01", "1.5", "2", "2.5", "4.99", "5", "5.01", "7.3"]


def _supervisor(venue: EngineVenue, clock: SimulatedClock) -> AlgoSupervisor:
    return AlgoSupervisor(
        {venue.name: venue}, clock, lambda _: VenueOrders(venue), MemoryProgress()
    )


async def _minimum(venue: EngineVenue, side: str) -> Decimal:
    book = await venue.order_book(SYMBOL, depth=1)
    touch = book.asks[0][0] if side == "buy" else book.bids[0][0]
    return minimum_amount(venue.rules(SYMBOL), touch)


def _child_ok(venue: EngineVenue, amount: float, price: float) -> bool:
    rules = venue.rules(SYMBOL)
    return amount >= rules.min_amount and amount * price >= rules.min_notional * 0.999


@pytest.mark.parametrize("side", ["buy", "sell"])
@pytest.mark.parametrize("multiple", MULTIPLES)
async def test_twap_around_the_minimum(side: str, multiple: str) -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    algos = _supervisor(venue, clock)
    minimum = await _minimum(venue, side)
    step = venue.rules(SYMBOL).amount_increment
    quantity = float(to_step(minimum * Decimal(multiple), step))
    params = {"duration_s": 300, "slices": SLICES}
    if to_step(quantity, step) < minimum:
        with pytest.raises(ValueError, match=r"cannot be executed.*minimum notional 5\.0 USDT"):
            await algos.start("twap", venue.name, SYMBOL, side, quantity, params, "tw")
        assert algos.algos == {}
        return

    twap = await algos.start("twap", venue.name, SYMBOL, side, quantity, params, "tw")
    fits = int(to_step(quantity, step) // minimum)
    assert twap.params()["slices"] == min(SLICES, fits)
    if fits < SLICES:
        assert f"slices reduced from {SLICES} to {fits}" in twap.message
    assert await run_to_end(clock, twap) == "completed"
    assert twap.filled == to_step(quantity, step)
    children = detail(twap)["orders"]
    assert 1 <= len(children) <= min(SLICES, fits) + 1  # +1: the end's market order
    for child in children:
        price = child["average"] or child["price"]
        assert _child_ok(venue, child["amount"], price), (child, minimum)
    assert sum(c["filled"] for c in children) == pytest.approx(quantity)


@pytest.mark.parametrize("algo", ["twap", "iceberg", "stop"])
async def test_below_one_step_is_refused_not_completed(algo: str) -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    algos = _supervisor(venue, clock)
    params = {
        "twap": {"duration_s": 60, "slices": 2},
        "iceberg": {"price": 50_000.0, "display": 0.001},
        "stop": {"kind": "stop_loss", "trigger_price": 1_000.0},
    }[algo]
    with pytest.raises(ValueError, match=r"quantity 1e-06 BTC cannot be executed"):
        await algos.start(algo, venue.name, SYMBOL, "buy", 0.000001, params, "tiny")
    assert algos.algos == {}
