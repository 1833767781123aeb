"""``deltaworks-exec arb ...``: opportunities live, and the service's arbitrage executor.

``arb scan`` connects to the configured exchanges itself and prints
opportunities as it finds them, recording them to ``arbitrage_opportunities``;
it never trades. ``arb enable/disable/pairs/trades/show`` call the running
service's ``/arbitrage`` API: the executor trades through the OMS's risk checks.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Annotated, Any

import typer

from deltaworks_core.cli_numbers import finite
from deltaworks_exec.cli.client import ServiceClient
from deltaworks_exec.cli.output import console, echo_json, print_table

PAIR_COLUMNS = ("pair_id", "symbol", "exchanges", "amount", "min_edge_bps", "retry_bound_bps",
                "enabled")  # fmt: skip
TRADE_COLUMNS = ("trade_id", "status", "symbol", "buy_exchange", "sell_exchange", "amount",
                 "bought", "sold", "residual", "realised_edge", "ts", "message")  # fmt: skip
LEG_COLUMNS = ("role", "exchange", "side", "client_order_id", "amount", "price", "status",
               "filled", "average", "reason")  # fmt: skip


def _positive(value: float) -> float:
    if not math.isfinite(value) or value <= 0:
        raise typer.BadParameter(f"must be a positive finite number, not {value}")
    return value


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


def arbitrage_app(client: ServiceClient) -> typer.Typer:
    """The ``arb`` commands; those of the executor call the service through ``client``."""
    app = typer.Typer(help="Cross-exchange arbitrage: scan, and the service's executor.")

    def show(rows: list[dict[str, Any]], title: str, columns: tuple[str, ...]) -> None:
        if client.as_json:
            echo_json(rows)
        else:
            print_table(rows, title, columns)

    @app.command("scan")
    def arb_scan(
        symbol: Annotated[list[str] | None, typer.Option(help="Repeat for several.")] = None,
        min_edge_bps: Annotated[
            float, typer.Option(parser=finite, help="Net edge after taker fees.")
        ] = 0.0,
        interval: Annotated[
            float, typer.Option(parser=finite, help="Seconds between scans.")
        ] = 1.0,
        duration: Annotated[
            float | None, typer.Option(parser=finite, help="Stop after seconds.")
        ] = None,
        simulator_url: str | None = None,
        record: Annotated[bool, typer.Option(help="Record to arbitrage_opportunities.")] = True,
    ) -> None:
        """Show cross-exchange opportunities live (Ctrl-C stops)."""
        found = asyncio.run(_scan(symbol, min_edge_bps, interval, duration, simulator_url, record))
        console.print(f"{found} opportunities")

    @app.command("enable")
    def arb_enable(
        symbol: str,
        exchange_a: str,
        exchange_b: str,
        amount: Annotated[
            float, typer.Option(help="Base amount per trade (at most).", callback=_positive)
        ],
        min_edge_bps: Annotated[
            float, typer.Option(help="Net edge after both taker fees; > 0.", callback=_positive)
        ],
        retry_bound_bps: Annotated[
            float, typer.Option(help="How much worse a failed leg may be retried.")
        ] = 10.0,
    ) -> None:
        """Enable (or change) arbitrage of SYMBOL between two venues of the service."""
        body = {"symbol": symbol, "exchanges": [exchange_a, exchange_b], "amount": amount,
                "min_edge_bps": min_edge_bps, "retry_bound_bps": retry_bound_bps}  # fmt: skip
        show([client.call("PUT", "/arbitrage/pairs", json=body)], "arbitrage pair", PAIR_COLUMNS)

    @app.command("disable")
    def arb_disable(pair_id: str) -> None:
        """Stop trading a pair (see ``arb pairs`` for its id)."""
        pair = client.call("POST", f"/arbitrage/pairs/{pair_id}/disable")
        show([pair], "arbitrage pair", PAIR_COLUMNS)

    @app.command("pairs")
    def arb_pairs() -> None:
        """Every configured pair."""
        show(client.call("GET", "/arbitrage/pairs"), "arbitrage pairs", PAIR_COLUMNS)

    @app.command("trades")
    def arb_trades(status: str | None = None, limit: int = 50) -> None:
        """Trades of the executor, newest first."""
        params: dict[str, Any] = {"limit": limit} | ({"status": status} if status else {})
        show(client.call("GET", "/arbitrage/trades", params=params), "arbitrage trades",
             TRADE_COLUMNS)  # fmt: skip

    @app.command("show")
    def arb_show(trade_id: str) -> None:
        """One trade with every leg."""
        trade = client.call("GET", f"/arbitrage/trades/{trade_id}")
        if client.as_json:
            echo_json(trade)
            return
        show([trade], "arbitrage trade", TRADE_COLUMNS)
        print_table(trade["legs"], "legs", LEG_COLUMNS)

    return app
