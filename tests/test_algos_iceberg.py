"""Iceberg on the simulator engine: never more than the display quantity on the book."""

from __future__ import annotations

from decimal import Decimal

from deltaworks_exec.algos.base import ParentSpec
from deltaworks_exec.algos.iceberg import Iceberg, IcebergParams
from deltaworks_exec.clock import SimulatedClock
from tests.algo_support import START_MS, make_context, make_venue


async def test_iceberg_shows_at_most_the_display_quantity() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, _ = make_context(venue, clock)
    book = await venue.order_book("ETH/USDT", 1)
    price = book.bids[0][0] + 0.5  # inside the spread: filled as the market trades through
    spec = ParentSpec("ice1", venue.name, "ETH/USDT", "buy", 1.0)
    iceberg = Iceberg(spec, IcebergParams(price=price, display=0.1, randomize_display=0.3), ctx)
    await iceberg.start()
    shown_max = Decimal(0)
    while iceberg.status == "running" and clock.now_ms() < START_MS + 6 * 3_600_000:
        await clock.advance(1)
        resting = await venue.open_orders("ETH/USDT")
        assert len(resting) <= 1
        visible = sum((Decimal(repr(o.remaining)) for o in resting), Decimal(0))
        assert visible <= Decimal("0.1")
        shown_max = max(shown_max, visible)
    assert iceberg.status == "completed"
    assert iceberg.filled == Decimal("1.0")
    sizes = [Decimal(repr(o.amount)) for o in iceberg.children.values()]
    assert len(sizes) >= 10 and max(sizes) <= Decimal("0.1") and len(set(sizes)) > 1
    assert all(o.price == price for o in iceberg.children.values())


async def test_iceberg_folds_a_sub_minimum_remainder() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, _ = make_context(venue, clock)
    price = (await venue.order_book("ETH/USDT", 1)).asks[0][0]  # marketable: fills at once
    spec = ParentSpec("ice2", venue.name, "ETH/USDT", "buy", 0.201)
    iceberg = Iceberg(spec, IcebergParams(price=price, display=0.1), ctx)
    assert iceberg.minimum == Decimal("0.0017")
    await iceberg.start()
    for _ in range(20):
        await clock.advance(1)
    assert iceberg.status == "completed"
    sizes = [Decimal(repr(o.filled)) for o in iceberg.children.values()]
    assert sum(sizes) == Decimal("0.201") and all(s >= iceberg.minimum for s in sizes)
