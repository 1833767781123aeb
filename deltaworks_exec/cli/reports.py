"""``deltaworks-exec report ...``: execution reports of the running service's parent orders."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from deltaworks_exec.cli.client import ServiceClient
from deltaworks_exec.cli.output import echo_json, print_table

REPORT_COLUMNS = (
    "parent_id",
    "kind",
    "exchange",
    "symbol",
    "side",
    "status",
    "quantity",
    "fill_rate",
    "average_price",
    "arrival_mid",
    "interval_vwap",
    "slippage_arrival_bps",
    "slippage_vwap_bps",
    "participation_rate",
    "shortfall_bps",
    "spread_bps",
    "impact_bps",
    "timing_bps",
    "fees_bps",
)


def report_app(client: ServiceClient) -> typer.Typer:
    """The ``report`` commands, calling the service through ``client``."""
    app = typer.Typer(help="Execution quality of finished algorithms and orders.")

    def show(reports: list[dict[str, Any]], title: str) -> None:
        if client.as_json:
            echo_json(reports)
        else:
            print_table(reports, title, REPORT_COLUMNS, right=REPORT_COLUMNS[6:])

    @app.command("list")
    def report_list(
        exchange: str | None = None,
        symbol: str | None = None,
        kind: Annotated[str | None, typer.Option(help="twap, vwap, ... or order")] = None,
        limit: int = 50,
    ) -> None:
        """Reports of finished parent orders, most recently ended first."""
        params: dict[str, Any] = {"limit": limit}
        for key, value in (("exchange", exchange), ("symbol", symbol), ("kind", kind)):
            if value:
                params[key] = value
        show(client.call("GET", "/execution-reports", params=params), "execution reports")

    @app.command("show")
    def report_show(parent_id: str) -> None:
        """The report of one algorithm (algo id) or plain order (order id)."""
        show([client.call("GET", f"/execution-reports/{parent_id}")], "execution report")

    return app
