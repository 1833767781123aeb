"""``deltaworks exchanges check [NAME]``: read-only checks of the configured exchange accounts."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from deltaworks_core.config import ConfigError, load_settings
from deltaworks_core.venues.check import report

exchanges_app = typer.Typer(help="The configured exchange accounts.")
console = Console()


@exchanges_app.command("check")
def check(
    name: Annotated[str | None, typer.Argument(help="One exchange (default: every one).")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Read-only calls per exchange (markets, each wallet's balance, one page of withdrawals
    and deposits, open orders): what works, what the credentials allow, what the profile
    covers. Exits 1 when a call failed. The first command to run after adding an account."""
    try:
        settings = load_settings()
        names = [settings.exchange(name).name] if name else [e.name for e in settings.exchanges]
    except ConfigError as exc:
        console.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from None
    found = report(settings, names)
    if json_output:
        console.print_json(data=found)
    else:
        for entry in found:
            console.print(_table(entry))
    if not all(entry["ok"] for entry in found):
        raise typer.Exit(1)


def _table(entry: dict[str, Any]) -> Table:
    caps = entry["capabilities"]
    table = Table(title=f"{entry['exchange']} ({caps['ccxt_id']}, {entry['mode']})")
    for column in ("check", "result", "detail", "seconds"):
        table.add_column(column)
    for result in entry["checks"]:
        status = "[green]ok[/green]" if result["ok"] else "[red]failed[/red]"
        table.add_row(result["check"], status, result["detail"], f"{result['seconds']:.2f}")
    table.add_section()
    table.add_row("credentials allow", "", ", ".join(entry["credentials_allow"]) or "nothing", "")
    for key, value in caps.items():
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        table.add_row(key.replace("_", " "), "", text, "")
    return table
