"""The main job: set everything up on simulated exchanges and print a summary.

The infrastructure (QuestDB, the simulator) is started by ``deltaworks demo``;
each application then runs its own demo as a separate process, so this package
never imports the applications (they meet in QuestDB tables).
"""

from __future__ import annotations

import os
import subprocess
import sys

from rich.console import Console
from rich.table import Table

from deltaworks_core.config import Settings
from deltaworks_core.daemon import python_module_command
from deltaworks_core.questdb import QuestDBReader

DEMO_STEPS = (
    ("Data platform: holdings, withdrawals, candles, portfolio", "deltaworks_pipelines.demo"),
    ("Execution service: orders on the simulated exchanges", "deltaworks_exec.demo"),
)

SUMMARY_TABLES = (
    "holdings",
    "withdrawals",
    "candles",
    "portfolio_value",
    "order_events",
    "fills",
    "algo_events",
    "arbitrage_opportunities",
)


def print_summary(settings: Settings, console: Console) -> None:
    """Rows per table, read back from QuestDB."""
    table = Table(title="Delta Works: rows per table")
    table.add_column("table")
    table.add_column("rows", justify="right")
    with QuestDBReader(settings.questdb) as reader:
        reader.wait_visible(SUMMARY_TABLES)
        for name in SUMMARY_TABLES:
            table.add_row(name, f"{reader.scalar(f'SELECT count() FROM {name}'):,}")
    console.print(table)


class DemoStepError(RuntimeError):
    """One application's demo failed."""


def run_step(module: str) -> None:
    """Run ``python -m module`` in the foreground; its output goes straight to the terminal."""
    env = dict(os.environ)
    if not sys.stdout.isatty():
        env.setdefault("COLUMNS", "160")  # rich would squeeze tables into 80 columns in a log
    result = subprocess.run(
        python_module_command(module), stdin=subprocess.DEVNULL, env=env, check=False
    )
    if result.returncode != 0:
        raise DemoStepError(f"{module} exited with code {result.returncode} (see its output above)")
