"""Arbitrage scanner on two simulated exchanges: finds spreads net of fees, records them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import typer
from typer.testing import CliRunner

from deltaworks_core.venues.simulator import running_simulator
from deltaworks_exec.arbitrage.scanner import (
    ArbitrageScanner,
    QuestDBOpportunities,
    Top,
    find_opportunities,
)
from deltaworks_exec.cli.arbitrage import arbitrage_app
from deltaworks_exec.cli.client import ServiceClient
from deltaworks_exec.clock import SimulatedClock
from tests.algo_support import START_MS, make_venue

SYMBOLS = ["BTC/USDT", "ETH/USDT"]
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_fees_eat_a_small_spread() -> None:
    tops = {
        "a": Top(bid=99.9, bid_size=1, ask=100.0, ask_size=2, taker_fee=0.001),
        "b": Top(bid=100.15, bid_size=3, ask=100.3, ask_size=1, taker_fee=0.001),
    }
    assert find_opportunities(NOW, "X/USDT", tops, 0.0) == []
    (found,) = find_opportunities(NOW, "X/USDT", tops, -10.0)
    assert (found.buy_exchange, found.sell_exchange, found.amount) == ("a", "b", 2)
    assert found.gross_edge_bps == pytest.approx(15.0)
    assert found.net_edge_bps == pytest.approx(-5.015)


async def test_scanner_records_only_spreads_left_after_fees(writer, reader, unique) -> None:
    clock = SimulatedClock(START_MS)
    venues = {f"{n}_{unique}": make_venue(clock, name=f"{n}_{unique}") for n in ("a", "b")}
    recorded = ArbitrageScanner(
        venues, SYMBOLS, clock, min_edge_bps=0.0, sink=QuestDBOpportunities(writer)
    )
    everything = ArbitrageScanner(venues, SYMBOLS, clock, min_edge_bps=-1e9)
    found, seen = [], []
    for _ in range(360):  # one hour, every 10 s
        found += await recorded.scan_once()
        seen += await everything.scan_once()
        await clock.advance(10)
    eaten = [o for o in seen if o.gross_edge_bps > 0 > o.net_edge_bps]
    assert found and eaten
    assert all(o.net_edge_bps >= 0 and o.gross_edge_bps > 19.9 for o in found)
    assert len(found) == sum(o.net_edge_bps >= 0 for o in seen)
    reader.wait_visible("arbitrage_opportunities")
    rows = reader.query(
        "SELECT * FROM arbitrage_opportunities WHERE buy_exchange IN (%s, %s)",
        tuple(venues),
    )
    assert len(rows) == len(found)
    assert min(r["net_edge_bps"] for r in rows) >= 0


def test_arb_scan_command_on_the_simulator_server(settings, reader, monkeypatch) -> None:
    quest = settings.questdb
    monkeypatch.setenv("DELTAWORKS_QUESTDB_HOST", quest.host)
    monkeypatch.setenv("DELTAWORKS_QUESTDB_HTTP_PORT", str(quest.http_port))
    monkeypatch.setenv("DELTAWORKS_QUESTDB_PG_PORT", str(quest.pg_port))
    config = settings.simulator.model_copy(update={"port": 0})
    cli = typer.Typer()
    cli.add_typer(arbitrage_app(ServiceClient()), name="arb")  # as the service CLI mounts it
    args = ["arb", "scan", "--duration", "0", "--min-edge-bps", "-1000", "--symbol", "SOL/USDT"]
    with running_simulator(config, settings.exchanges) as server:
        result = CliRunner().invoke(cli, [*args, "--simulator-url", server.base_url])
    assert result.exit_code == 0, result.output
    assert "buy sim_a" in result.output and "buy sim_b" in result.output
    assert "2 opportunities" in result.output
    reader.wait_visible("arbitrage_opportunities")
    assert reader.scalar(
        "SELECT count() FROM arbitrage_opportunities WHERE symbol = 'SOL/USDT' AND net_edge_bps < 0"
    )
