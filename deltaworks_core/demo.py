"""The main job: set everything up on simulated exchanges and print a summary."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from deltaworks_core.config import Settings
from deltaworks_core.questdb import QuestDBReader

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
