"""``deltaworks-exec algo ...`` and ``deltaworks-exec arb scan``.

``algo`` commands talk to the running service's ``/algos`` endpoints (through
the service CLI's HTTP helper). ``arb scan`` connects to the configured
exchanges itself and prints opportunities as it finds them, recording them to
``arbitrage_opportunities``; it never trades (execution mode is a service
feature, behind the OMS's risk checks). The service CLI mounts both with
``app.add_typer(algo_app, name="algo")`` and ``app.add_typer(arb_app, name="arb")``.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

algo_app = typer.Typer(help="Start, list, show, pause, resume and cancel algorithms.")
arb_app = typer.Typer(help="Cross-exchange arbitrage.")
console = Console()
COLUMNS = ("algo_id", "algo", "status", "exchange", "symbol", "side", "quantity", "filled",
           "average", "target", "message")  # fmt: skip


def _call(method: str, path: str, **kwargs: Any) -> Any:
    from deltaworks_exec.cli import _call as call  # the service CLI's client (token, URL)

    return call(method, path, **kwargs)


def _as_json() -> bool:
    from deltaworks_exec.cli import _options

    return _options.json


def _show(rows: list[dict[str, Any]], title: str) -> None:
    if _as_json():
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=title)
    for column in COLUMNS:
        table.add_column(column)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row[c]) for c in COLUMNS))
    console.print(table)


@algo_app.command("start")
def algo_start(
    algo: Annotated[str, typer.Argument(help="twap, vwap, iceberg, stop or bracket")],
    exchange: str,
    symbol: str,
    side: str,
    quantity: float,
    params: Annotated[str, typer.Option(help='JSON, e.g. {"duration_s": 600, "slices": 10}')],
    algo_id: str | None = None,
) -> None:
    """Start a parent order."""
    try:
        parsed = json.loads(params)
    except json.JSONDecodeError as exc:
        console.print(f"[red]--params is not JSON:[/red] {exc}")
        raise typer.Exit(2) from None
    body = {"algo": algo, "exchange": exchange, "symbol": symbol, "side": side,
            "quantity": quantity, "params": parsed, "algo_id": algo_id}  # fmt: skip
    _show([_call("POST", "/algos", json=body)], "algorithm")


@algo_app.command("list")
def algo_list(status: str | None = None) -> None:
    """Every algorithm of the service."""
    _show(_call("GET", "/algos", params={"status": status} if status else {}), "algorithms")


@algo_app.command("show")
def algo_show(algo_id: str) -> None:
    """Progress, schedule against actual, and child orders."""
    detail = _call("GET", f"/algos/{algo_id}")
    if _as_json():
        typer.echo(json.dumps(detail, indent=2))
        return
    _show([detail], "algorithm")
    for name in ("schedule", "orders"):
        rows = detail[name]
        table = Table(title=name)
        for column in rows[0] if rows else ():
            table.add_column(column)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row.values()))
        console.print(table)


def _action(action: str, algo_id: str) -> None:
    _show([_call("POST", f"/algos/{algo_id}/{action}")], "algorithm")


@algo_app.command("pause")
def algo_pause(algo_id: str) -> None:
    """Stop sending and cancel open child orders."""
    _action("pause", algo_id)


@algo_app.command("resume")
def algo_resume(algo_id: str) -> None:
    _action("resume", algo_id)


@algo_app.command("cancel")
def algo_cancel(algo_id: str) -> None:
    """End the algorithm and cancel its open child orders."""
    _action("cancel", algo_id)


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
    min_edge_bps: Annotated[float, typer.Option(help="Net edge after taker fees.")] = 0.0,
    interval: Annotated[float, typer.Option(help="Seconds between scans.")] = 1.0,
    duration: Annotated[float | None, typer.Option(help="Stop after this many seconds.")] = None,
    simulator_url: str | None = None,
    record: Annotated[bool, typer.Option(help="Record to arbitrage_opportunities.")] = True,
) -> None:
    """Show cross-exchange opportunities live (Ctrl-C stops)."""
    found = asyncio.run(_scan(symbol, min_edge_bps, interval, duration, simulator_url, record))
    console.print(f"{found} opportunities")
