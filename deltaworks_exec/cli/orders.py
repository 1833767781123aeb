"""``deltaworks-exec order ...``: submit, cancel, list and show orders of the running service."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from deltaworks_core.cli_numbers import finite
from deltaworks_exec.cli.client import ServiceClient
from deltaworks_exec.cli.output import echo_json, print_rows, print_table

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


def order_app(client: ServiceClient) -> typer.Typer:
    """The ``order`` commands, calling the service through ``client``."""
    app = typer.Typer(help="Submit, cancel, list and show orders.")

    def show(orders: list[dict[str, Any]], title: str) -> None:
        if client.as_json:
            echo_json(orders)
        else:
            print_table(orders, title, ORDER_COLUMNS, right=("amount", "price"))

    @app.command("submit")
    def order_submit(
        exchange: str,
        symbol: str,
        side: str,
        amount: Annotated[float, typer.Argument(parser=finite)],
        type_: Annotated[
            str, typer.Option("--type", help="market, limit, stop_loss, ...")
        ] = "limit",
        price: Annotated[float | None, typer.Option(parser=finite)] = None,
        stop_price: Annotated[float | None, typer.Option(parser=finite)] = None,
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
        order = client.call(
            "POST", "/orders", json={k: v for k, v in body.items() if v is not None}
        )
        show([order], "order")

    @app.command("cancel")
    def order_cancel(order_id: str) -> None:
        """Cancel an open order."""
        show([client.call("DELETE", f"/orders/{order_id}")], "order")

    @app.command("list")
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
        show(client.call("GET", "/orders", params=params), "orders")

    @app.command("show")
    def order_show(order_id: str) -> None:
        """One order with its events and fills."""
        detail = client.call("GET", f"/orders/{order_id}")
        if client.as_json:
            echo_json(detail)
            return
        show([detail["order"]], "order")
        for name in ("events", "fills"):
            print_rows(detail[name], name)

    return app
