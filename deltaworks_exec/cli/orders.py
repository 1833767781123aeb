"""``deltaworks-exec order ...``: submit, cancel, list and show orders of the running service."""

from __future__ import annotations

from typing import Annotated, Any, get_args

import typer

from deltaworks_core.cli_numbers import finite
from deltaworks_core.models import Side
from deltaworks_exec.cli.client import ServiceClient
from deltaworks_exec.cli.output import echo_json, fixed, print_rows, print_table, step_digits
from deltaworks_exec.oms.states import OrderState
from deltaworks_exec.venue import OrderType, TimeInForce

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
STATES = get_args(OrderState)
EXIT_REJECTED = 3  # the order was answered, with status rejected
Digits = dict[tuple[str, str], tuple[int | None, int | None]]


def _precision(client: ServiceClient, orders: list[dict[str, Any]]) -> Digits:
    """(price, amount) decimals of each order's market, from the venue's market rules."""
    digits: Digits = {}
    for exchange in {o["exchange"] for o in orders}:
        markets = client.get_optional(f"/dashboard/api/markets/{exchange}") or []
        for m in markets:
            digits[(exchange, m["symbol"])] = (
                step_digits(m["price_increment"]),
                step_digits(m["amount_increment"]),
            )
    return digits


def order_app(client: ServiceClient) -> typer.Typer:
    """The ``order`` commands, calling the service through ``client``."""
    app = typer.Typer(help="Submit, cancel, list and show orders.")

    def show(orders: list[dict[str, Any]], title: str) -> None:
        if client.as_json:
            echo_json(orders)
            return
        digits = _precision(client, orders)

        def price(column: str) -> Any:
            return lambda o: fixed(
                o.get(column), digits.get((o["exchange"], o["symbol"]), (None,))[0]
            )

        def amount(column: str) -> Any:
            return lambda o: fixed(
                o.get(column), digits.get((o["exchange"], o["symbol"]), (None, None))[1]
            )

        formats = {
            "price": price("price"),
            "average": price("average"),
            "amount": amount("amount"),
            "filled": amount("filled"),
        }
        right = ("amount", "price", "filled", "average")
        print_table(orders, title, ORDER_COLUMNS, right=right, formats=formats)

    @app.command("submit")
    def order_submit(
        exchange: str,
        symbol: str,
        side: Side,
        amount: Annotated[float, typer.Argument(parser=finite)],
        type_: Annotated[OrderType, typer.Option("--type")] = "limit",
        price: Annotated[float | None, typer.Option(parser=finite)] = None,
        stop_price: Annotated[float | None, typer.Option(parser=finite)] = None,
        tif: Annotated[TimeInForce | None, typer.Option(help="Time in force.")] = None,
        client_order_id: str | None = None,
    ) -> None:
        """Submit an order. Exit code 0 when accepted, 3 when rejected (risk or venue)."""
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
        if order.get("status") == "rejected":
            raise typer.Exit(EXIT_REJECTED)

    @app.command("cancel")
    def order_cancel(order_id: str) -> None:
        """Cancel an open order."""
        show([client.call("DELETE", f"/orders/{order_id}")], "order")

    @app.command("list")
    def order_list(
        status: Annotated[
            list[str] | None, typer.Option(help=f"Repeat for several: {', '.join(STATES)}.")
        ] = None,
        exchange: str | None = None,
        symbol: str | None = None,
        open_only: Annotated[bool, typer.Option("--open", help="Open orders only.")] = False,
        limit: int = 50,
    ) -> None:
        """List orders, newest first (ids in full: copy them into ``order show``)."""
        for value in status or ():
            if value not in STATES:
                allowed = ", ".join(STATES)
                raise typer.BadParameter(
                    f"{value!r} is not one of {allowed}", param_hint="'--status'"
                )
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
