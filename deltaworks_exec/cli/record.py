"""``deltaworks-exec record``: the market-data recorder in the foreground."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated

import typer

from deltaworks_core.logging_setup import configure_logging
from deltaworks_exec.cli.client import settings_or_exit


def record(
    simulator_url: Annotated[
        str | None, typer.Option(help="Simulator root URL overriding simulator.host:port.")
    ] = None,
) -> None:
    """Record trades, quotes and book snapshots into QuestDB until SIGINT (this shard's share)."""
    from deltaworks_exec.marketdata import Recorder

    configure_logging()
    recorder = Recorder(settings_or_exit(), simulator_url=simulator_url)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(recorder.run())
