"""``deltaworks-exec serve``, ``kill-switch`` and ``status``: run the service, steer it."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from deltaworks_core.cli_numbers import finite
from deltaworks_core.logging_setup import OneLineTracebacks, configure_logging
from deltaworks_exec.cli.client import ServiceClient, settings_or_exit
from deltaworks_exec.cli.output import console, echo_json

log = logging.getLogger(__name__)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
        float | None,
        typer.Option(
            parser=finite, min=0.001, help="Seconds between polls (default: exec.poll_interval_s)."
        ),
    ] = None,
) -> None:
    """Run the service until SIGTERM/SIGINT (graceful shutdown)."""
    import uvicorn

    from deltaworks_exec.api.app import create_app
    from deltaworks_exec.service import ExecService

    configure_logging()
    logging.getLogger("uvicorn.error").addFilter(OneLineTracebacks())
    settings = settings_or_exit()
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
    log.info("serving", extra=service_urls(host, port))
    server = uvicorn.Server(config)
    server.run()
    if not server.started:  # the reason is logged in one line
        raise typer.Exit(1)


def service_urls(host: str, port: int) -> dict[str, str]:
    """Where the dashboard and the API documentation are, for a service bound to host:port."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    base = f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"
    return {"dashboard": f"{base}/dashboard/", "docs": f"{base}/docs", "redoc": f"{base}/redoc"}


def add_service_commands(app: typer.Typer, client: ServiceClient) -> None:
    """Add ``serve``, ``kill-switch`` and ``status`` to ``app``; the last two call ``client``."""
    app.command()(serve)

    @app.command("kill-switch")
    def kill_switch(
        state: Annotated[str, typer.Argument(help="on or off")],
        reason: str | None = None,
    ) -> None:
        """Engage (cancel everything, block new orders) or release the kill switch."""
        if state not in ("on", "off"):
            console.print("[red]state must be on or off[/red]")
            raise typer.Exit(2)
        body = {"engaged": state == "on", "reason": reason}
        result = client.call("POST", "/risk/kill-switch", json=body)
        if client.as_json:
            typer.echo(json.dumps(result))
        else:
            word = "ON" if result["engaged"] else "off"
            console.print(f"kill switch {word}; canceled {result['canceled']} open orders")

    @app.command()
    def status() -> None:
        """Service status: readiness, kill switch, open orders, reconciliation findings."""
        result = client.call("GET", "/status")
        if client.as_json:
            echo_json(result)
            return
        table = Table(title="execution service")
        table.add_column("item")
        table.add_column("value")
        for key, value in result.items():
            shown = json.dumps(value) if isinstance(value, dict | list) else str(value)
            table.add_row(key, Text(shown))
        console.print(table)
