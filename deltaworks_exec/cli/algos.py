"""``deltaworks-exec algo ...``: the running service's parent orders, through ``/algos``."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import typer
from rich.markup import escape

from deltaworks_core.cli_numbers import finite
from deltaworks_core.models import Side
from deltaworks_exec.cli.client import ServiceClient
from deltaworks_exec.cli.output import console, echo_json, iso_ms, print_rows, print_table

Algorithm = Literal["twap", "vwap", "pov", "iceberg", "stop", "bracket"]

COLUMNS = ("algo_id", "algo", "status", "exchange", "symbol", "side", "quantity", "filled",
           "average", "target", "message")  # fmt: skip


def algo_app(client: ServiceClient) -> typer.Typer:
    """The ``algo`` commands, calling the service through ``client``."""
    app = typer.Typer(help="Start, list, show, pause, resume and cancel algorithms.")

    def show(rows: list[dict[str, Any]], title: str) -> None:
        if client.as_json:
            echo_json(rows)
        else:
            print_table(rows, title, COLUMNS)

    def action(name: str, algo_id: str) -> None:
        show([client.call("POST", f"/algos/{algo_id}/{name}")], "algorithm")

    @app.command("start")
    def algo_start(
        algo: Algorithm,
        exchange: str,
        symbol: str,
        side: Side,
        quantity: Annotated[float, typer.Argument(parser=finite)],
        params: Annotated[str, typer.Option(help='JSON, e.g. {"duration_s": 600, "slices": 10}')],
        algo_id: str | None = None,
    ) -> None:
        """Start a parent order."""
        try:
            parsed = json.loads(params)
        except json.JSONDecodeError as exc:
            console.print(f"[red]--params is not JSON:[/red] {escape(str(exc))}")
            raise typer.Exit(2) from None
        body = {"algo": algo, "exchange": exchange, "symbol": symbol, "side": side,
                "quantity": quantity, "params": parsed, "algo_id": algo_id}  # fmt: skip
        show([client.call("POST", "/algos", json=body)], "algorithm")

    @app.command("list")
    def algo_list(status: str | None = None) -> None:
        """Every algorithm of the service."""
        show(
            client.call("GET", "/algos", params={"status": status} if status else {}), "algorithms"
        )

    @app.command("show")
    def algo_show(algo_id: str) -> None:
        """Progress, schedule against actual, and child orders."""
        detail = client.call("GET", f"/algos/{algo_id}")
        if client.as_json:
            echo_json(detail)
            return
        started = {**detail, "start": iso_ms(detail.get("start_ms"))}
        print_table([started], "algorithm", (*COLUMNS, "start"))
        schedule = [
            {"time": iso_ms(p["time_ms"]), "target": p["target"]} for p in detail["schedule"]
        ]
        print_rows(schedule, "schedule")
        print_rows(detail["orders"], "orders")

    @app.command("pause")
    def algo_pause(algo_id: str) -> None:
        """Stop sending and cancel open child orders."""
        action("pause", algo_id)

    @app.command("resume")
    def algo_resume(algo_id: str) -> None:
        action("resume", algo_id)

    @app.command("cancel")
    def algo_cancel(algo_id: str) -> None:
        """End the algorithm and cancel its open child orders."""
        action("cancel", algo_id)

    return app
