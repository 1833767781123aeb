"""``deltaworks``: infrastructure commands (database, simulator, demo)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from deltaworks_core.config import (
    REPO_ROOT,
    ConfigError,
    ExchangeSettings,
    Settings,
    config_path,
    load_settings,
)
from deltaworks_core.daemon import Daemon, DaemonError, python_module_command, url_ready
from deltaworks_core.demo import DEMO_STEPS, DemoStepError, print_summary, run_step
from deltaworks_core.exchanges_cli import exchanges_app
from deltaworks_core.logging_setup import configure_logging
from deltaworks_core.questdb import (
    ManagedQuestDB,
    MigrationError,
    QuestDBReader,
    QuestDBServerError,
)
from deltaworks_core.questdb import migrate as apply_migrations
from deltaworks_core.questdb.backup import (
    BackupError,
    BackupManifest,
    confirm_restored,
    create_backup,
    dagster_home_from_env,
    prune_backups,
    restore_backup,
    restore_config,
)

app = typer.Typer(help="Delta Works infrastructure: QuestDB, the exchange simulator, the demo.")
db_app = typer.Typer(help="The QuestDB server and its schema.")
app.add_typer(db_app, name="db")
app.add_typer(exchanges_app, name="exchanges")
console = Console()


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        console.print(f"[red]configuration error:[/red] {escape(str(exc))}")
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
        console.print(f"[red]error:[/red] {escape(str(exc))}")
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
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    for migration in applied:
        console.print(f"applied {migration.path.name}")
    if not applied:
        console.print("schema up to date: nothing to apply")


@db_app.command("backup")
def db_backup(
    dest: Annotated[
        Path | None,
        typer.Argument(help="Folder that receives the backup [default: backup.folder]."),
    ] = None,
    keep: Annotated[
        int | None,
        typer.Option(min=1, help="Then delete all but the newest KEEP backups in DEST."),
    ] = None,
) -> None:
    """Back up QuestDB (consistent while it runs), the configuration and $DAGSTER_HOME."""
    configure_logging()
    settings = _settings()
    root = dest or settings.backup.folder
    try:
        backup = create_backup(settings.questdb, root, config_path(), dagster_home_from_env())
        pruned = prune_backups(root, keep) if keep is not None else []
    except BackupError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    manifest = BackupManifest.read(backup)
    console.print(
        f"backup {backup}: QuestDB {manifest.questdb_files} files, "
        f"{manifest.questdb_bytes / 1e6:.1f} MB (checkpoint held {manifest.checkpoint_held_s} s)"
        + (", Dagster storage" if manifest.dagster_home else "")
        + (", configuration" if manifest.config_file else "")
    )
    for path in pruned:
        console.print(f"deleted old backup {path.name}")


@db_app.command("restore")
def db_restore(
    src: Annotated[Path, typer.Argument(help="A backup folder, or a folder of backups (newest).")],
    replace: Annotated[
        bool, typer.Option(help="Move existing data folders aside instead of refusing.")
    ] = False,
    start: Annotated[
        bool, typer.Option(help="Start the managed QuestDB afterwards and check the restore.")
    ] = True,
) -> None:
    """Restore a backup with QuestDB stopped; the next start rolls back to the checkpoint."""
    configure_logging()
    try:
        if restore_config(src, config_path()):
            console.print(f"configuration restored to {config_path()}")
        settings = _settings()
        result = restore_backup(src, settings.questdb, dagster_home_from_env(), replace=replace)
    except BackupError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    console.print(f"restored {result.backup.name} (taken {result.manifest.created_at})")
    for aside in result.moved_aside:
        console.print(f"moved the previous data aside to {aside}")
    if result.dagster_restored_to is not None:
        console.print(f"Dagster storage restored to {result.dagster_restored_to}")
    if not start or not settings.questdb.managed:
        console.print(
            "start QuestDB now: it rolls every table back to the backup's checkpoint on start"
        )
        return
    try:
        start_database(settings)
        confirm_restored(ManagedQuestDB(settings.questdb))
    except (QuestDBServerError, MigrationError, BackupError) as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    console.print("QuestDB restored to the backup's checkpoint")


@app.command("demo")
def demo() -> None:
    """Run the main job on simulated exchanges and print a summary."""

    configure_logging()
    settings = _settings()
    try:
        start_database(settings)
        start_simulator(settings)
        for title, module in DEMO_STEPS:
            console.rule(title)
            run_step(module)
    except (QuestDBServerError, MigrationError, DaemonError, DemoStepError) as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    console.rule("Summary")
    print_summary(settings, console)


DAGSTER_CLI = "deltaworks_pipelines.dagster_cli"  # run as a module: core never imports apps
WORKSPACE = REPO_ROOT / "workspace.yaml"


@app.command("ui")
def ui(port: Annotated[int, typer.Option(help="Port of the Dagster web UI.")] = 3000) -> None:
    """Dagster's web UI and daemon (schedules, sensors, backfills) on the deployment's instance."""
    command = python_module_command(DAGSTER_CLI, "dev", "-w", str(WORKSPACE), "-p", str(port))
    os.execv(command[0], command)


@app.command(
    "dagster",
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    add_help_option=False,
)
def dagster(context: typer.Context) -> None:
    """Dagster's CLI (``deltaworks dagster asset materialize ...``) on the deployment's instance."""
    command = python_module_command(DAGSTER_CLI, *context.args)
    os.execv(command[0], command)


sim_app = typer.Typer(help="The exchange simulator serving every simulated exchange.")
app.add_typer(sim_app, name="sim")
SIMULATOR = Daemon("simulator")


def _simulated(settings: Settings) -> list[ExchangeSettings]:
    exchanges = [e for e in settings.exchanges if e.mode == "simulated"]
    if not exchanges:
        console.print('[red]error:[/red] no exchange in the configuration has mode = "simulated"')
        raise typer.Exit(2)
    return exchanges


def start_simulator(settings: Settings) -> None:
    """Start (or reuse) the simulator as a background process; print where it serves."""
    sim = settings.simulator
    names = [e.name for e in _simulated(settings)]
    ping = f"http://{sim.host}:{sim.port}/{names[0]}/api/v3/ping"
    state, started = SIMULATOR.start(
        python_module_command("deltaworks_core.cli", "sim", "run"),
        ready=lambda: url_ready(ping),
        info={"host": sim.host, "port": sim.port, "exchanges": names, "seed": sim.seed},
    )
    verb = "started" if started else "reusing running"
    console.print(
        f"{verb} exchange simulator (pid {state['pid']}) at http://{sim.host}:{sim.port}/"
        f"<exchange> for {', '.join(names)}"
    )


@sim_app.command("start")
def sim_start() -> None:
    """Start the simulator in the background (reused when it runs already)."""
    configure_logging()
    try:
        start_simulator(_settings())
    except DaemonError as exc:
        console.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None


@sim_app.command("run")
def sim_run() -> None:
    """Run the simulator in the foreground until interrupted."""
    from deltaworks_core.venues.simulator import serve_forever

    configure_logging()
    settings = _settings()
    asyncio.run(serve_forever(settings.simulator, _simulated(settings)))


@sim_app.command("stop")
def sim_stop() -> None:
    """Stop the background simulator."""
    if SIMULATOR.stop():
        console.print("simulator stopped")
    else:
        console.print("simulator is not running (nothing to stop)")


@sim_app.command("status")
def sim_status(
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show the background simulator: pid, address, exchanges (a table, like ``db status``)."""
    state = SIMULATOR.state()
    if state is None:
        console.print("simulator is not running")
        raise typer.Exit(1)
    if json_output:
        console.print_json(data=state)
        return
    table = Table(title="simulator", show_header=False)
    for key, value in state.items():
        shown = ", ".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        table.add_row(key, shown)
    console.print(table)


if __name__ == "__main__":
    app()
