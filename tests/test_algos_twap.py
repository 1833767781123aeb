"""TWAP on the simulator engine with a simulated clock."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from deltaworks_exec.algos.base import ParentSpec
from deltaworks_exec.algos.schedule import Execution
from deltaworks_exec.algos.twap import Twap, TwapParams
from deltaworks_exec.clock import SimulatedClock
from tests.algo_support import START_MS, make_context, make_venue, run_to_end


async def test_twap_sends_equal_slices_on_schedule() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, progress = make_context(venue, clock)
    spec = ParentSpec("tw1", venue.name, "BTC/USDT", "buy", 0.05)
    twap = Twap(spec, TwapParams(duration_s=600, slices=10), ctx)
    await twap.start()
    assert await run_to_end(clock, twap) == "completed"

    schedule = twap.schedule()
    assert [s.time_ms - START_MS for s in schedule] == [i * 60_000 for i in range(10)]
    assert [s.target for s in schedule] == [Decimal("0.005") * (i + 1) for i in range(10)]
    assert twap.filled == Decimal("0.05")
    children = [twap.children[n] for n in sorted(twap.children)]
    assert [c.client_order_id for c in children][:2] == ["tw1-0", "tw1-1"]
    assert sum(c.filled for c in children) == pytest.approx(0.05)
    assert {round(c.amount, 8) for c in children[:10]} <= {0.005}
    sent = [e.ts.timestamp() - START_MS / 1000 for e in progress.events if "child" in e.message]
    assert [round(t) for t in sent] == [i * 60 for i in range(10)]
    assert progress.events[-1].status == "completed"
    assert [e.seq for e in progress.events] == list(range(1, len(progress.events) + 1))


async def test_twap_randomised_schedule_is_reproducible_and_sums_to_total() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, _ = make_context(venue, clock)
    params = TwapParams(duration_s=1200, interval_s=60, randomize_size=0.5, randomize_time=0.5)
    spec = ParentSpec("tw2", venue.name, "ETH/USDT", "sell", 1.0)
    first = Twap(spec, params, ctx).schedule()
    again = Twap(spec, params, ctx).schedule()
    assert first == again and len(first) == 20
    sizes = [b.target - a.target for a, b in itertools.pairwise(first)]
    assert first[-1].target == Decimal("1.0")
    assert min(sizes) < Decimal("0.04") < Decimal("0.06") < max(sizes)
    offsets = [s.time_ms - START_MS - i * 60_000 for i, s in enumerate(first)]
    assert any(o != 0 for o in offsets) and all(abs(o) <= 15_000 for o in offsets)


async def test_twap_catches_up_after_a_limit_blocks_slices() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, _ = make_context(venue, clock)
    price = await venue.last_price("BTC/USDT")
    spec = ParentSpec("tw3", venue.name, "BTC/USDT", "buy", 0.02)
    low_limit = Execution(limit_price=price * 0.5, end="leave")
    twap = Twap(spec, TwapParams(duration_s=300, slices=5, execution=low_limit), ctx)
    await twap.start()
    assert await run_to_end(clock, twap) == "completed"
    assert twap.filled == 0 and not twap.children
    assert "left" in twap.message


async def test_twap_end_market_finishes_what_passive_slices_left() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, _ = make_context(venue, clock)
    spec = ParentSpec("tw4", venue.name, "BTC/USDT", "sell", 0.03)
    passive = Execution(style="passive", end="market")
    twap = Twap(spec, TwapParams(duration_s=180, slices=3, execution=passive), ctx)
    await twap.start()
    assert await run_to_end(clock, twap) == "completed"
    assert twap.filled == Decimal("0.03")
    assert not await venue.open_orders("BTC/USDT")


async def test_pause_cancels_children_and_resume_catches_up() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, progress = make_context(venue, clock)
    spec = ParentSpec("tw5", venue.name, "BTC/USDT", "buy", 0.05)
    passive = Execution(style="passive", end="market")
    twap = Twap(spec, TwapParams(duration_s=600, slices=10, execution=passive), ctx)
    await twap.start()
    await clock.advance(150)
    assert await venue.open_orders("BTC/USDT")
    await twap.pause()
    assert twap.status == "paused" and not await venue.open_orders("BTC/USDT")
    sent = twap.next_child
    await clock.advance(200)
    assert twap.next_child == sent and not await venue.open_orders("BTC/USDT")
    await twap.resume()
    assert await run_to_end(clock, twap) == "completed"
    assert twap.filled == Decimal("0.05")
    assert [e.status for e in progress.events if e.message in ("paused", "resumed")] == [
        "paused",
        "running",
    ]


async def test_cancel_ends_the_parent_and_its_children() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, _ = make_context(venue, clock)
    spec = ParentSpec("tw6", venue.name, "BTC/USDT", "buy", 0.05)
    passive = Execution(style="passive")
    twap = Twap(spec, TwapParams(duration_s=600, slices=10, execution=passive), ctx)
    await twap.start()
    await clock.advance(90)
    await twap.cancel()
    assert await twap.wait() == "canceled"
    assert not await venue.open_orders("BTC/USDT")
    await clock.advance(600)
    assert twap.status == "canceled" and twap.filled < Decimal("0.05")


async def test_consecutive_rejects_fail_the_parent() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    venue.engine.set_balance("main", "BTC", "0.001")
    ctx, progress = make_context(venue, clock)
    spec = ParentSpec("tw7", venue.name, "BTC/USDT", "sell", 0.05)
    twap = Twap(spec, TwapParams(duration_s=600, slices=10), ctx)
    await twap.start()
    assert await run_to_end(clock, twap) == "failed"
    assert "3 consecutive child rejects" in twap.message
    rejects = [e for e in progress.events if "rejected" in e.message]
    assert len(rejects) == 3 and "InsufficientFunds" in rejects[0].message
    assert clock.now_ms() == START_MS + 120_000  # the third slice


async def test_auto_style_rests_on_schedule_and_crosses_when_behind() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, _ = make_context(venue, clock)
    spec = ParentSpec("tw9", venue.name, "BTC/USDT", "buy", 0.05)
    auto = Execution(style="auto")
    twap = Twap(spec, TwapParams(duration_s=600, slices=10, execution=auto), ctx)
    await twap.start()
    assert await run_to_end(clock, twap) == "completed"
    assert twap.filled == Decimal("0.05")

    children = [twap.children[n] for n in sorted(twap.children)]
    assert children[0].time_in_force == "GTC"  # on schedule: rests at the bid
    for before, child in itertools.pairwise(children):
        if before.time_in_force == "GTC" and before.filled < before.amount:
            assert child.time_in_force == "IOC"  # what a resting child left: crossed now
    assert children[-1].time_in_force == "IOC"  # the last slice never waits
    with pytest.raises(ValueError, match="'auto'"):
        Execution(style="sometimes")
