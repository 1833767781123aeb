"""``deltaworks-exec arb scan``: cross-exchange opportunities, live.

The command connects to the configured exchanges itself and prints
opportunities as it finds them, recording them to ``arbitrage_opportunities``;
it never trades (execution mode is a service feature, behind the OMS's risk
checks).
"""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

import typer

from deltaworks_core.cli_numbers import finite
from deltaworks_exec.cli.output import console

arb_app = typer.Typer(help="Cross-exchange arbitrage.")


async def _scan(
    symbols: list[str] | None,
    min_edge_bps: float,
    interval_s: float,
    duration_s: float | None,
    simulator_url: str | None,
    record: bool,
) -> int:
    from deltaworks_core.config import load_settings
    from deltaworks_core.questdb import QuestDBWriter
    from deltaworks_core.venues.factory import create_exchange
    from deltaworks_exec.arbitrage.scanner import ArbitrageScanner, QuestDBOpportunities
    from deltaworks_exec.clock import WallClock
    from deltaworks_exec.venues.ccxt_venue import CcxtVenue

    settings = load_settings()
    venues = {
        e.name: CcxtVenue(
            e.name, create_exchange(settings, e, asynchronous=True, simulator_url=simulator_url)
        )
        for e in settings.exchanges
    }
    writer = QuestDBWriter(settings.questdb) if record else None
    try:
        await asyncio.gather(*(v.connect() for v in venues.values()))
        common = set.intersection(*(set(e.symbols) for e in settings.exchanges))
        chosen = symbols or sorted(common)
        sink = QuestDBOpportunities(writer) if writer is not None else None
        scanner = ArbitrageScanner(venues, chosen, WallClock(), min_edge_bps, sink)
        console.print(
            f"scanning {', '.join(chosen)} on {', '.join(venues)} (min {min_edge_bps} bps)"
        )
        found = 0
        deadline = None if duration_s is None else time.monotonic() + duration_s
        while True:
            for o in await scanner.scan_once():
                found += 1
                console.print(
                    f"{o.ts:%H:%M:%S} {o.symbol} buy {o.buy_exchange} {o.buy_price} "
                    f"sell {o.sell_exchange} {o.sell_price} amount {o.amount} "
                    f"gross {o.gross_edge_bps:.1f} bps net {o.net_edge_bps:.1f} bps"
                )
            if deadline is not None and time.monotonic() >= deadline:
                return found
            await asyncio.sleep(interval_s)
    finally:
        for venue in venues.values():
            await venue.close()
        if writer is not None:
            writer.close()


@arb_app.command("scan")
def arb_scan(
    symbol: Annotated[list[str] | None, typer.Option(help="Repeat for several.")] = None,
    min_edge_bps: Annotated[
        float, typer.Option(parser=finite, help="Net edge after taker fees.")
    ] = 0.0,
    interval: Annotated[float, typer.Option(parser=finite, help="Seconds between scans.")] = 1.0,
    duration: Annotated[
        float | None, typer.Option(parser=finite, help="Stop after this many seconds.")
    ] = None,
    simulator_url: str | None = None,
    record: Annotated[bool, typer.Option(help="Record to arbitrage_opportunities.")] = True,
) -> None:
    """Show cross-exchange opportunities live (Ctrl-C stops)."""
    found = asyncio.run(_scan(symbol, min_edge_bps, interval, duration, simulator_url, record))
    console.print(f"{found} opportunities")
