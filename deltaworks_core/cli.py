"""``deltaworks``: infrastructure commands (database, simulator, demo)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from deltaworks_core.config import ConfigError, Settings, load_settings
from deltaworks_core.logging_setup import configure_logging
from deltaworks_core.questdb import (
    ManagedQuestDB,
    MigrationError,
    QuestDBReader,
    QuestDBServerError,
)
from deltaworks_core.questdb import migrate as apply_migrations

app = typer.Typer(help="Delta Works infrastructure: QuestDB, the exchange simulator, the demo.")
db_app = typer.Typer(help="The QuestDB server and its schema.")
app.add_typer(db_app, name="db")
console = Console()


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        console.print(f"[red]configuration error:[/red] {exc}")
        raise typer.Exit(2) from None


def start_database(settings: Settings) -> None:
    """Start (or reuse) the configured QuestDB and apply migrations; print what happened."""
    server = ManagedQuestDB(settings.questdb)
    already = server.state() is not None
    state = server.start()
    if state is None:
        console.print(f"using existing QuestDB at {settings.questdb.host}")
    else:
        verb = "reusing running" if already else "started"
        console.print(
            f"{verb} QuestDB {state.version} (pid {state.pid}, HTTP/ILP {state.http_port}, "
            f"PGWire {state.pg_port}, data {state.data_dir})"
        )
    with QuestDBReader(settings.questdb) as reader:
        applied = apply_migrations(reader)
    console.print(f"migrations: {len(applied)} applied now" if applied else "schema up to date")


@db_app.command("start")
def db_start() -> None:
    """Start the managed QuestDB (fetching the jar with Maven the first time) and migrate."""
    configure_logging()
    settings = _settings()
    try:
        start_database(settings)
    except (QuestDBServerError, MigrationError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None


@db_app.command("stop")
def db_stop() -> None:
    """Stop the managed QuestDB cleanly; the data folder is kept."""
    settings = _settings()
    if ManagedQuestDB(settings.questdb).stop():
        console.print("QuestDB stopped (data kept)")
    else:
        console.print("QuestDB is not running (nothing to stop)")


@db_app.command("status")
def db_status(
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the managed server: pid, ports, version, data folder."""
    settings = _settings()
    server = ManagedQuestDB(settings.questdb)
    state = server.state()
    ready = server.is_ready()
    info = {
        "managed": settings.questdb.managed,
        "running": state is not None or (not settings.questdb.managed and ready),
        "ready": ready,
        "pid": state.pid if state else None,
        "version": state.version if state else settings.questdb.version,
        "host": settings.questdb.host,
        "http_port": settings.questdb.http_port,
        "pg_port": settings.questdb.pg_port,
        "data_dir": state.data_dir if state else str(settings.questdb.data_dir),
    }
    if json_output:
        console.print_json(data=info)
    else:
        table = Table(title="QuestDB", show_header=False)
        for key, value in info.items():
            table.add_row(key, str(value))
        console.print(table)
    if not info["running"]:
        raise typer.Exit(1)


@db_app.command("migrate")
def db_migrate() -> None:
    """Apply the SQL migrations in sql/ that are not applied yet."""
    settings = _settings()
    try:
        with QuestDBReader(settings.questdb) as reader:
            applied = apply_migrations(reader)
    except MigrationError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    for migration in applied:
        console.print(f"applied {migration.path.name}")
    if not applied:
        console.print("schema up to date: nothing to apply")


@app.command("demo")
def demo() -> None:
    """Run the main job on simulated exchanges and print a summary."""
    from deltaworks_core.demo import print_summary

    configure_logging()
    settings = _settings()
    try:
        start_database(settings)
    except (QuestDBServerError, MigrationError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    print_summary(settings, console)
