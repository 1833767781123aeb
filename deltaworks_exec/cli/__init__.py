"""``deltaworks-exec``: run the execution service, and talk to a running one over its API.

One module per command group; the groups that call the service get the one
``ServiceClient`` that the root options (``--json``, ``--url``) set up.
"""

from __future__ import annotations

from typing import Annotated

import typer

from deltaworks_exec.cli.algos import algo_app
from deltaworks_exec.cli.arbitrage import arbitrage_app
from deltaworks_exec.cli.audit import audit_app
from deltaworks_exec.cli.backtest import backtest
from deltaworks_exec.cli.client import URL_ENV_VAR, ServiceClient
from deltaworks_exec.cli.entry import run
from deltaworks_exec.cli.orders import order_app
from deltaworks_exec.cli.record import record
from deltaworks_exec.cli.reports import report_app
from deltaworks_exec.cli.service import add_service_commands
from deltaworks_exec.cli.users import users_app

client = ServiceClient()
app = typer.Typer(
    help="Delta Works execution service: orders, algorithms, arbitrage, kill switch, backtests.",
    rich_markup_mode=None,  # plain help: no type label on flags
)


@app.callback()
def root(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print raw JSON (accepted anywhere on the line).")
    ] = False,
    url: Annotated[
        str | None,
        typer.Option(help=f"Service URL (default: ${URL_ENV_VAR}, else exec.host:port)."),
    ] = None,
) -> None:
    client.as_json = as_json
    client.url = url


app.command("backtest")(backtest)
app.command("record")(record)
add_service_commands(app, client)
app.add_typer(order_app(client), name="order")
app.add_typer(algo_app(client), name="algo")
app.add_typer(arbitrage_app(client), name="arb")
app.add_typer(report_app(client), name="report")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")


def main() -> None:
    """The ``deltaworks-exec`` command (exit codes: see ``cli.entry``)."""
    run(app, "deltaworks-exec")
