"""``deltaworks-exec``: run the execution service, and talk to a running one over its API."""

from __future__ import annotations

import ipaddress
import json
import os
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from deltaworks_core.config import ConfigError, Settings, load_settings
from deltaworks_core.logging_setup import configure_logging
from deltaworks_exec.algos.cli import algo_app, arb_app
from deltaworks_exec.audit.cli import audit_app
from deltaworks_exec.auth.cli import users_app
from deltaworks_exec.backtest.cli import backtest

app = typer.Typer(
    help="Delta Works execution service: orders, algorithms, arbitrage, kill switch, backtests."
)
order_app = typer.Typer(help="Submit, cancel, list and show orders.")
app.add_typer(order_app, name="order")
app.add_typer(algo_app, name="algo")
app.add_typer(arb_app, name="arb")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.command("backtest")(backtest)
console = Console()

URL_ENV_VAR = "DELTAWORKS_EXEC_URL"
ORDER_COLUMNS = (
    "order_id",
    "client_order_id",
    "exchange",
    "symbol",
    "side",
    "type",
    "amount",
    "price",
    "status",
    "filled",
    "average",
    "reason",
)


class _Options:
    json: bool = False
    url: str | None = None


_options = _Options()


@app.callback()
def main(
    as_json: Annotated[bool, typer.Option("--json", help="Print raw JSON.")] = False,
    url: Annotated[
        str | None,
        typer.Option(help=f"Service URL (default: ${URL_ENV_VAR}, else exec.host:port)."),
    ] = None,
) -> None:
    _options.json = as_json
    _options.url = url


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        console.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default: exec.host).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default: exec.port).")] = None,
    dev: Annotated[
        bool, typer.Option("--dev", help="Allow running without a token, on loopback only.")
    ] = False,
    simulator_url: Annotated[
        str | None, typer.Option(help="Simulator root URL overriding simulator.host:port.")
    ] = None,
    poll_interval: Annotated[
        float | None, typer.Option(help="Seconds between polls (default: exec.poll_interval_s).")
    ] = None,
) -> None:
    """Run the service until SIGTERM/SIGINT (graceful shutdown)."""
    import uvicorn

    from deltaworks_exec.api.app import create_app
    from deltaworks_exec.service import ExecService

    configure_logging()
    settings = _settings()
    host = host or settings.exec.host
    port = port or settings.exec.port
    token = os.environ.get(settings.exec.token_env) or None
    if token is None and not (dev and _is_loopback(host)):
        console.print(
            f"[red]refusing to start:[/red] no API token in ${settings.exec.token_env}; "
            "set it, or run with --dev bound to a loopback address"
        )
        raise typer.Exit(2)
    service = ExecService(
        settings,
        settings.exec.risk.model_copy(),
        simulator_url=simulator_url,
        poll_interval_s=poll_interval or settings.exec.poll_interval_s,
    )
    config = uvicorn.Config(
        create_app(service, token), host=host, port=port, log_config=None, access_log=False
    )
    uvicorn.Server(config).run()


@app.command()
def record(
    simulator_url: Annotated[
        str | None, typer.Option(help="Simulator root URL overriding simulator.host:port.")
    ] = None,
) -> None:
    """Record trades, quotes and book snapshots into QuestDB until SIGINT (this shard's share)."""
    import asyncio
    import contextlib

    from deltaworks_exec.marketdata import Recorder

    configure_logging()
    recorder = Recorder(_settings(), simulator_url=simulator_url)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(recorder.run())


def _client() -> httpx.Client:
    settings = _settings()
    url = (
        _options.url
        or os.environ.get(URL_ENV_VAR)
        or (f"http://{settings.exec.host}:{settings.exec.port}")
    )
    token = os.environ.get(settings.exec.token_env)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=url, headers=headers, timeout=30.0)


def _call(method: str, path: str, **kwargs: Any) -> Any:
    try:
        with _client() as client:
            response = client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        console.print(f"[red]cannot reach the service:[/red] {exc}")
        raise typer.Exit(1) from None
    if response.status_code >= 400:
        console.print(f"[red]{response.status_code}:[/red] {response.text}")
        raise typer.Exit(1)
    return response.json()


def _show_orders(orders: list[dict[str, Any]], title: str) -> None:
    if _options.json:
        typer.echo(json.dumps(orders, indent=2))
        return
    table = Table(title=title)
    for column in ORDER_COLUMNS:
        table.add_column(column, justify="right" if column in ("amount", "price") else "left")
    for order in orders:
        table.add_row(*("" if order.get(c) is None else str(order.get(c)) for c in ORDER_COLUMNS))
    console.print(table)


@order_app.command("submit")
def order_submit(
    exchange: str,
    symbol: str,
    side: str,
    amount: float,
    type_: Annotated[str, typer.Option("--type", help="market, limit, stop_loss, ...")] = "limit",
    price: float | None = None,
    stop_price: float | None = None,
    tif: Annotated[str | None, typer.Option(help="GTC, IOC, FOK or PO")] = None,
    client_order_id: str | None = None,
) -> None:
    """Submit an order."""
    body = {
        "exchange": exchange,
        "symbol": symbol,
        "side": side,
        "amount": amount,
        "type": type_,
        "price": price,
        "stop_price": stop_price,
        "time_in_force": tif,
        "client_order_id": client_order_id,
    }
    order = _call("POST", "/orders", json={k: v for k, v in body.items() if v is not None})
    _show_orders([order], "order")


@order_app.command("cancel")
def order_cancel(order_id: str) -> None:
    """Cancel an open order."""
    _show_orders([_call("DELETE", f"/orders/{order_id}")], "order")


@order_app.command("list")
def order_list(
    status: Annotated[list[str] | None, typer.Option(help="Repeat for several.")] = None,
    exchange: str | None = None,
    symbol: str | None = None,
    open_only: Annotated[bool, typer.Option("--open", help="Open orders only.")] = False,
    limit: int = 50,
) -> None:
    """List orders, newest first."""
    params: dict[str, Any] = {"open_only": open_only, "limit": limit}
    for key, value in (("status", status), ("exchange", exchange), ("symbol", symbol)):
        if value:
            params[key] = value
    _show_orders(_call("GET", "/orders", params=params), "orders")


@order_app.command("show")
def order_show(order_id: str) -> None:
    """One order with its events and fills."""
    detail = _call("GET", f"/orders/{order_id}")
    if _options.json:
        typer.echo(json.dumps(detail, indent=2))
        return
    _show_orders([detail["order"]], "order")
    for name in ("events", "fills"):
        rows = detail[name]
        table = Table(title=name)
        for column in rows[0] if rows else ():
            table.add_column(column)
        for row in rows:
            table.add_row(*("" if v is None else str(v) for v in row.values()))
        console.print(table)


@app.command("kill-switch")
def kill_switch(
    state: Annotated[str, typer.Argument(help="on or off")],
    reason: str | None = None,
) -> None:
    """Engage (cancel everything, block new orders) or release the kill switch."""
    if state not in ("on", "off"):
        console.print("[red]state must be on or off[/red]")
        raise typer.Exit(2)
    result = _call("POST", "/risk/kill-switch", json={"engaged": state == "on", "reason": reason})
    if _options.json:
        typer.echo(json.dumps(result))
    else:
        word = "ON" if result["engaged"] else "off"
        console.print(f"kill switch {word}; canceled {result['canceled']} open orders")


@app.command()
def status() -> None:
    """Service status: readiness, kill switch, open orders, reconciliation findings."""
    result = _call("GET", "/status")
    if _options.json:
        typer.echo(json.dumps(result, indent=2))
        return
    table = Table(title="execution service")
    table.add_column("item")
    table.add_column("value")
    for key, value in result.items():
        table.add_row(key, json.dumps(value) if isinstance(value, dict | list) else str(value))
    console.print(table)
