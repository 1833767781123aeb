"""VWAP on the simulator engine: profile from QuestDB candles, schedule, participation cap."""

from __future__ import annotations

from decimal import Decimal

import pytest

from deltaworks_core.market_model import MarketModel
from deltaworks_core.models import utc_from_ms
from deltaworks_core.venues.simulator import ExchangeEngine, SimClock
from deltaworks_exec.algos.base import ParentSpec
from deltaworks_exec.algos.supervisor import AlgoSupervisor
from deltaworks_exec.algos.twap import Twap, TwapParams
from deltaworks_exec.algos.vwap import Vwap, VwapParams
from deltaworks_exec.clock import SimulatedClock
from deltaworks_exec.oms.algo_store import MemoryProgress
from deltaworks_exec.oms.volume_profile import ProfileError, load_hourly_profile, load_profile
from deltaworks_exec.order_sinks import VenueOrders
from deltaworks_exec.quantities import minimum_amount
from deltaworks_exec.venues.engine_data import candle_rows, interval_vwap
from deltaworks_exec.venues.engine_venue import EngineVenue
from tests.algo_support import (
    DAY_MS,
    START_MS,
    make_context,
    make_venue,
    run_to_end,
    tape_volume,
)

HOUR_MS = 3_600_000


async def test_vwap_slices_follow_the_profile() -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock)
    ctx, _ = make_context(venue, clock)
    spec = ParentSpec("vw1", venue.name, "ETH/USDT", "buy", 1.0)
    vwap = Vwap(spec, VwapParams(duration_s=240, volumes=(10.0, 20.0, 30.0, 40.0)), ctx)
    assert [s.target for s in vwap.schedule()] == [
        Decimal("0.1"),
        Decimal("0.3"),
        Decimal("0.6"),
        Decimal("1.0"),
    ]
    await vwap.start()
    assert await run_to_end(clock, vwap) == "completed"
    amounts = [vwap.children[n].filled for n in sorted(vwap.children)]
    assert amounts == pytest.approx([0.1, 0.2, 0.3, 0.4])
    assert vwap.filled == Decimal("1.0")


async def test_participation_cap_holds_against_the_live_volume() -> None:
    clock = SimulatedClock(START_MS)
    engine = ExchangeEngine(
        "sim_a", ["BTC/USDT"], seed=5, clock=SimClock(START_MS), withdrawals=1,
        market_model=MarketModel(),
    )  # fmt: skip
    venue = EngineVenue(engine, clock)
    ctx, _ = make_context(venue, clock)
    spec = ParentSpec("vw2", venue.name, "BTC/USDT", "buy", 2.0)
    # the profile promises far more volume than trades: only the live tape may bind
    params = VwapParams(duration_s=600, volumes=(1_000.0,) * 10, slice_s=30, participation=0.1)
    vwap = Vwap(spec, params, ctx)
    await vwap.start()
    assert await run_to_end(clock, vwap) == "completed"
    # ten minutes trade about 3.6 BTC: 2 BTC is far beyond 10% of it, the end order included
    assert vwap.outcome is not None and "left" in vwap.outcome
    minimum = float(minimum_amount(venue.rules("BTC/USDT"), vwap.average))  # a remainder
    filled = 0.0
    for order in sorted(vwap.children.values(), key=lambda o: o.ts):
        filled += order.filled
        ts = round(order.ts.timestamp() * 1000)
        market = tape_volume(venue, "BTC/USDT", START_MS, ts)
        assert filled <= 0.1 * market + minimum, (ts, filled, market)  # at every child
    share = float(vwap.filled) / tape_volume(venue, "BTC/USDT", START_MS, clock.now_ms())
    assert 0.08 < share <= 0.1 + 1e-6  # held at the cap, never over it


async def test_vwap_from_candles_tracks_the_interval_vwap(writer, reader, unique) -> None:
    clock = SimulatedClock(START_MS)
    venue = make_venue(clock, name=f"sim_{unique}")
    rows = [
        row
        for day in (1, 2, 3)
        for row in candle_rows(
            venue.engine, "BTC/USDT", START_MS - day * DAY_MS, START_MS - day * DAY_MS + 1_800_000
        )
    ]
    writer.write_rows("candles", rows, symbols=("exchange", "symbol", "timeframe"))
    reader.wait_visible("candles")
    volumes = load_profile(reader, venue.name, "BTC/USDT", START_MS, 1800, bucket_s=300, days=5)
    assert len(volumes) == 6
    first_bucket = [r["volume"] for r in rows if (r["ts"].minute < 5)]
    assert volumes[0] == pytest.approx(sum(first_bucket) / 3)
    with pytest.raises(ProfileError, match="no 1m candles"):
        load_profile(reader, "nowhere", "BTC/USDT", START_MS, 1800)

    ctx, progress = make_context(venue, clock)
    spec = ParentSpec("vw3", venue.name, "BTC/USDT", "buy", 0.2)
    params = VwapParams(duration_s=1800, volumes=tuple(volumes), bucket_s=300, slice_s=20)
    vwap = Vwap(spec, params, ctx)
    await vwap.start()
    assert await run_to_end(clock, vwap) == "completed"
    assert vwap.filled == Decimal("0.2")
    schedule = {s.time_ms: s.target for s in vwap.schedule()}
    for event in progress.events:
        ts = round(event.ts.timestamp() * 1000)
        if event.message.startswith("child") and ts in schedule:
            assert abs(Decimal(repr(event.filled)) - schedule[ts]) <= Decimal("0.001")
    market = interval_vwap(venue.engine, "BTC/USDT", START_MS, START_MS + 1_800_000)
    assert abs(vwap.average / market - 1) * 10_000 < 10


async def test_vwap_follows_the_stored_hourly_profile(writer, reader, unique) -> None:
    clock = SimulatedClock(START_MS + 1_800_000)  # 09:30: half of hour 9, half of hour 10
    venue = make_venue(clock, name=f"sim_{unique}")
    day = utc_from_ms(START_MS // DAY_MS * DAY_MS)
    rows = [
        {"ts": day, "exchange": venue.name, "symbol": "BTC/USDT", "hour": hour,
         "volume": float(hour), "share": hour / 276, "minutes": 60}
        for hour in range(24)
    ]  # fmt: skip
    stale = {**rows[9], "ts": utc_from_ms(START_MS // DAY_MS * DAY_MS - DAY_MS), "volume": 99.0}
    writer.write_rows("volume_profiles", [*rows, stale], symbols=("exchange", "symbol"))
    reader.wait_visible("volume_profiles")

    volumes = load_hourly_profile(reader, venue.name, "BTC/USDT", clock.now_ms(), 3600, 900)
    assert volumes == pytest.approx([9 / 4, 9 / 4, 10 / 4, 10 / 4])  # the latest profile only
    with pytest.raises(ProfileError, match="no hourly volume profile"):
        load_hourly_profile(reader, "nowhere", "BTC/USDT", START_MS, 1800)

    algos = AlgoSupervisor(
        {venue.name: venue}, clock, lambda _: VenueOrders(venue), MemoryProgress(), reader=reader
    )
    params = {"duration_s": 3600, "bucket_s": 900}
    vwap = await algos.start("vwap", venue.name, "BTC/USDT", "buy", 0.1, params, algo_id="vw4")
    assert vwap.params()["volumes"] == pytest.approx(volumes)
    await vwap.cancel()


# Hour 0 trades six times hour 1 and no bursts: from 00:30 to 01:30 the volume falls sixfold.
STEEP = MarketModel(hourly_volume=(3.0, 0.5) + (1.0,) * 22, burst_probability=0)


async def _tracking_bps(algo: str, seed: int) -> float:
    """A one-hour buy from 00:30 of 5% of the expected volume on a market whose volume falls
    steeply: its average price against the market's interval VWAP, in bps (no fees)."""
    start = START_MS // DAY_MS * DAY_MS + HOUR_MS // 2
    clock = SimulatedClock(start)
    engine = ExchangeEngine(
        f"trk{seed}", ["BTC/USDT"], seed=seed, clock=SimClock(start), withdrawals=1,
        market_model=STEEP,
    )  # fmt: skip
    engine.fund_account("main", {"USDT": 10_000_000})
    venue = EngineVenue(engine, clock)
    volumes = [0.0] * 60
    for day in range(1, 6):
        for row in candle_rows(
            engine, "BTC/USDT", start - day * DAY_MS, start - day * DAY_MS + HOUR_MS
        ):
            volumes[(row["ts"].minute + 30) % 60] += row["volume"] / 5
    ctx, _ = make_context(venue, clock)
    spec = ParentSpec(f"{algo}{seed}", venue.name, "BTC/USDT", "buy", round(sum(volumes) * 0.05, 4))
    if algo == "twap":
        parent = Twap(spec, TwapParams(duration_s=3600, slices=60), ctx)
    else:
        params = VwapParams(duration_s=3600, volumes=tuple(volumes), slice_s=10, live=True)
        parent = Vwap(spec, params, ctx)
    await parent.start()
    assert await run_to_end(clock, parent) == "completed"
    market = interval_vwap(engine, "BTC/USDT", start, start + HOUR_MS)
    return abs(parent.average / market - 1) * 10_000


async def test_vwap_tracks_a_steep_volume_curve_better_than_twap() -> None:
    seeds = range(3)
    vwap = [await _tracking_bps("vwap", seed) for seed in seeds]
    twap = [await _tracking_bps("twap", seed) for seed in seeds]
    assert sum(vwap) < 0.5 * sum(twap), (vwap, twap)
