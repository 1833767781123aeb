"""The market-data Grafana dashboard over two recorded venues: every panel and variable query
(macros expanded) returns rows, and the cross-venue spread agrees with the recorded quotes."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime, timedelta

import pytest

from deltaworks_core.config import Settings, settings_from_dict
from deltaworks_core.questdb import QuestDBReader
from deltaworks_core.venues.simulator import SimClock, running_simulator
from deltaworks_exec.marketdata import Recorder
from tests.test_grafana_queries import GRAFANA, expand
from tests.test_recorder import EPOCH_MS, SYMBOLS, eventually

BOARD = GRAFANA / "dashboards" / "market_data.json"
SECONDS = 8


def _queries() -> dict[str, str]:
    board = json.loads(BOARD.read_text())
    found = {f"variable {v['name']}": v["query"]["rawSql"] for v in board["templating"]["list"]}
    for panel in board["panels"]:
        for target in panel["targets"]:
            found[panel["title"]] = target["rawSql"]
    return found


async def record_two_venues(settings: Settings, names: list[str]) -> None:
    """Both venues' markets move (and trade) for ``SECONDS``, a forced gap on the first."""
    raw = {
        "simulator": {"host": "127.0.0.1", "port": 0},
        "exchanges": [{"name": n, "mode": "simulated", "symbols": list(SYMBOLS)} for n in names],
        "recorder": {"snapshot_interval_s": 0.5, "flush_interval_s": 0.05},
    }
    config = settings_from_dict(raw).model_copy(update={"questdb": settings.questdb})
    with running_simulator(config.simulator, config.exchanges, clock=SimClock(EPOCH_MS)) as server:
        engines = [server.engine(name) for name in names]
        recorder = Recorder(config, simulator_url=server.base_url)
        task = asyncio.create_task(recorder.run())
        try:
            await eventually(
                lambda: (
                    len(recorder.feeds) == 2
                    and all(
                        s.book_nonce is not None
                        for f in recorder.feeds.values()
                        for s in f.states.values()
                    )
                )
            )
            await asyncio.sleep(0.5)
            for i in range(SECONDS):
                if i == SECONDS // 2:
                    server.force_gap(names[0])
                for engine in engines:
                    engine.advance(1)
                    engine.place_order("main", SYMBOLS[i % 2], "BUY", "MARKET", "0.01")
                await asyncio.sleep(0.15)
            newest = {(e.name, s): str(e.trades(s, 1)[-1].id) for e in engines for s in SYMBOLS}
            await eventually(
                lambda: all(
                    recorder.feeds[name].states[symbol].last_trade_id == trade_id
                    for (name, symbol), trade_id in newest.items()
                )
            )
            await asyncio.sleep(0.3)
            assert recorder.sink is not None
            await recorder.sink.flush()
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


@pytest.mark.timeout(120)
async def test_market_dashboard_queries_over_two_venues(
    settings: Settings, reader: QuestDBReader, unique: str
) -> None:
    names = [f"xa_{unique}", f"xb_{unique}"]
    await record_two_venues(settings, names)
    reader.wait_visible(["trades", "quotes", "book_snapshots", "feed_gaps"])
    queries = _queries()
    files = {path.read_text().strip() for path in (GRAFANA / "queries").glob("market_*.sql")}
    assert set(queries.values()) <= files  # the dashboard uses the shared, reviewed query files
    assert {"Cross-venue spread (bps)", "Messages per second", "Feed gaps per interval"} <= set(
        queries
    )
    start = datetime.fromtimestamp(EPOCH_MS / 1000, UTC) - timedelta(hours=1)
    end = datetime.now(UTC) + timedelta(minutes=5)  # gaps carry the time they were seen
    for title, sql in queries.items():
        for interval in (timedelta(seconds=1), timedelta(hours=1)):
            rows = reader.query(expand(sql, start, end, interval, names))
            assert rows, title

    # One daily bucket holding the simulated session (its clock stands at EPOCH_MS; the REST
    # snapshots' quotes carry the wall clock's time and stay outside): the venues' last
    # quotes decide the spread.
    session_end = datetime.fromtimestamp(EPOCH_MS / 1000, UTC) + timedelta(hours=1)
    panel = queries["Cross-venue spread (bps)"]
    sql = expand(panel, start, session_end, timedelta(days=1), names)
    spreads = {row["symbol"]: row for row in reader.query(sql)}
    for symbol in SYMBOLS:
        last = [
            reader.query(
                "SELECT bid_price, ask_price FROM quotes WHERE exchange = %s AND symbol = %s "
                "AND ts >= %s AND ts <= %s ORDER BY ts DESC LIMIT 1",
                (name, symbol, start, session_end),
            )[0]
            for name in names
        ]
        bid = max(q["bid_price"] for q in last)
        ask = min(q["ask_price"] for q in last)
        mids = [(q["bid_price"] + q["ask_price"]) / 2 for q in last]
        row = spreads[symbol]
        assert row["venues"] == 2
        assert row["crossed_bps"] == pytest.approx((bid - ask) / ((bid + ask) / 2) * 10_000)
        assert row["mid_range_bps"] == pytest.approx(
            (max(mids) - min(mids)) / (sum(mids) / 2) * 10_000
        )
