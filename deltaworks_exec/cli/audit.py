"""``deltaworks-exec audit``: read the audit trail from QuestDB directly."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from deltaworks_core.config import ConfigError, load_settings
from deltaworks_core.questdb import QuestDBReader
from deltaworks_exec.audit.log import AuditLog

audit_app = typer.Typer(help="The audit trail: who did what (local: reads QuestDB directly).")
console = Console()


@audit_app.command("list")
def list_events(
    user: Annotated[str | None, typer.Option(help="Only this user.")] = None,
    action: Annotated[str | None, typer.Option(help="Only this action: submit_order, ...")] = None,
    denied: Annotated[bool, typer.Option(help="Only refused requests.")] = False,
    since: Annotated[datetime | None, typer.Option(help="From this UTC time on.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
) -> None:
    """Audited requests, newest first."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        console.print(f"[red]configuration error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    with QuestDBReader(settings.questdb, max_connections=1) as reader:
        rows = AuditLog(reader).query(user, action, "denied" if denied else None, since, limit)
    table = Table("time (UTC)", "user", "role", "action", "target", "outcome", "params")
    for row in rows:
        table.add_row(
            row["ts"].isoformat(timespec="seconds"),
            row["user_name"],
            row["role"],
            row["action"],
            row["target"] or "",
            row["outcome"],
            (row["params"] or "")[:60],
        )
    console.print(table)
