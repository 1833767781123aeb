"""Stops and brackets on the simulator engine: trigger prices, native and emulated, OCO."""

from __future__ import annotations

from decimal import Decimal

import pytest

from deltaworks_exec.algos.base import ParentSpec
from deltaworks_exec.algos.bracket import Bracket, BracketParams
from deltaworks_exec.algos.stops import StopOrder, StopParams
from deltaworks_exec.algos.triggers import Trigger
from deltaworks_exec.clock import SimulatedClock
from tests.algo_support import START_MS, make_context, make_venue, run_to_end

SYMBOL = "BTC/USDT"


async def twin_last_price(at_ms: int) -> float:
    """The last trade price at ``at_ms`` on an identical exchange nobody traded on."""
    return await make_venue(SimulatedClock(at_ms)).last_price(SYMBOL)


async def test_emulated_stop_loss_fires_at_the_first_price_through_the_trigger() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, progress = make_context(venue, clock)
    level = await venue.last_price(SYMBOL) * 0.999
    spec = ParentSpec("st1", venue.name, SYMBOL, "sell", 0.01)
    stop = StopOrder(spec, StopParams("stop_loss", level, native=False, poll_s=5), ctx)
    await stop.start()
    assert await run_to_end(clock, stop, limit_s=6 * 3600) == "completed"
    fired = next(e for e in progress.events if e.message.startswith("triggered"))
    fired_ms = round(fired.ts.timestamp() * 1000)
    assert stop.triggered_at is not None and stop.triggered_at <= level
    assert await twin_last_price(fired_ms) == stop.triggered_at
    assert await twin_last_price(fired_ms - 5000) > level
    (child,) = stop.children.values()
    assert child.type == "market" and child.filled == pytest.approx(0.01)


async def test_native_stop_rests_on_the_venue_and_triggers_there() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, _ = make_context(venue, clock)
    level = round(await venue.last_price(SYMBOL) * 0.9995, 2)
    spec = ParentSpec("st2", venue.name, SYMBOL, "sell", 0.01)
    stop = StopOrder(spec, StopParams("stop_loss", level, poll_s=5), ctx)
    await stop.start()
    await clock.advance(0)
    (resting,) = await venue.open_orders(SYMBOL)
    assert resting.type == "stop_loss" and resting.trigger_price == level
    assert await run_to_end(clock, stop, limit_s=6 * 3600) == "completed"
    (fill,) = await venue.fills(SYMBOL)
    fill_ms = round(fill.ts.timestamp() * 1000)
    assert await twin_last_price(fill_ms) <= level < await twin_last_price(fill_ms - 1000)


def test_trailing_trigger_follows_the_best_price() -> None:
    trailing = Trigger("trailing", "sell", trail_bps=100)
    assert not trailing.observe(100.0)
    assert not trailing.observe(110.0) and trailing.level() == pytest.approx(108.9)
    assert not trailing.observe(109.0)
    assert trailing.observe(108.9)
    buy_tp = Trigger("take_profit", "buy", price=95.0)
    assert not buy_tp.observe(96.0) and buy_tp.observe(95.0)


async def test_emulated_trailing_stop_completes() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, _ = make_context(venue, clock)
    spec = ParentSpec("st3", venue.name, SYMBOL, "buy", 0.01)
    stop = StopOrder(spec, StopParams("trailing", trail_bps=10, poll_s=5), ctx)
    await stop.start()
    assert await run_to_end(clock, stop, limit_s=6 * 3600) == "completed"
    best = stop.trigger.best
    assert best is not None and stop.triggered_at >= best * 1.001
    assert stop.filled == Decimal("0.01")


async def test_bracket_stop_loss_cancels_the_take_profit() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, _ = make_context(venue, clock)
    price = await venue.last_price(SYMBOL)
    spec = ParentSpec("br1", venue.name, SYMBOL, "buy", 0.01)
    params = BracketParams(take_profit=price * 1.05, stop_loss=price * 0.999, poll_s=5)
    bracket = Bracket(spec, params, ctx)
    await bracket.start()
    assert await run_to_end(clock, bracket, limit_s=6 * 3600) == "completed"
    assert bracket.message == "stop-loss triggered"
    (take_profit,) = bracket.exits("limit")
    assert take_profit.status == "canceled"
    exit_order = bracket.children[max(bracket.children)]
    assert exit_order.side == "sell" and exit_order.filled == pytest.approx(0.01)
    assert bracket.filled == Decimal("0.01")
    assert not await venue.open_orders(SYMBOL)


async def test_bracket_take_profit_cancels_the_native_stop() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, _ = make_context(venue, clock)
    price = await venue.last_price(SYMBOL)
    spec = ParentSpec("br2", venue.name, SYMBOL, "sell", 0.01)  # this seed's price falls
    params = BracketParams(
        take_profit=price * 0.999, stop_loss=price * 1.1, native_stop=True, poll_s=5
    )
    bracket = Bracket(spec, params, ctx)
    await bracket.start()
    await clock.advance(0)
    assert {o.type for o in await venue.open_orders(SYMBOL)} == {"limit", "stop_loss"}
    assert await run_to_end(clock, bracket, limit_s=6 * 3600) == "completed"
    assert [o.status for o in bracket.exits("limit")] == ["closed"]
    assert [o.status for o in bracket.exits("stop_loss")] == ["canceled"]
    assert not await venue.open_orders(SYMBOL)


async def test_paused_bracket_rearms_its_exits_on_resume() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, _ = make_context(venue, clock)
    price = await venue.last_price(SYMBOL)
    spec = ParentSpec("br3", venue.name, SYMBOL, "sell", 0.01)  # this seed's price falls
    params = BracketParams(
        take_profit=price * 0.999, stop_loss=price * 1.1, native_stop=True, poll_s=5
    )
    bracket = Bracket(spec, params, ctx)
    await bracket.start()
    await clock.advance(0)
    await bracket.pause()
    assert not await venue.open_orders(SYMBOL)
    await bracket.resume()
    await clock.advance(0)
    assert {o.type for o in await venue.open_orders(SYMBOL)} == {"limit", "stop_loss"}
    assert await run_to_end(clock, bracket, limit_s=6 * 3600) == "completed"
    assert [o.status for o in bracket.exits("limit")] == ["canceled", "closed"]
    assert [o.status for o in bracket.exits("stop_loss")] == ["canceled", "canceled"]


async def test_paused_stop_is_armed_again_on_resume() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, _ = make_context(venue, clock)
    level = round(await venue.last_price(SYMBOL) * 0.9995, 2)
    spec = ParentSpec("st4", venue.name, SYMBOL, "sell", 0.01)
    stop = StopOrder(spec, StopParams("stop_loss", level, poll_s=5), ctx)
    await stop.start()
    await clock.advance(0)
    await stop.pause()
    assert not await venue.open_orders(SYMBOL)
    await stop.resume()
    await clock.advance(0)
    (armed,) = await venue.open_orders(SYMBOL)
    assert armed.client_order_id == "st4-1" and armed.trigger_price == level
    assert await run_to_end(clock, stop, limit_s=6 * 3600) == "completed"
    assert stop.filled == Decimal("0.01")
