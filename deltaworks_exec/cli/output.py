"""How the CLI prints: rich tables for people, JSON with ``--json``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

console = Console()


def echo_json(value: Any) -> None:
    """``value`` as indented JSON on stdout."""
    typer.echo(json.dumps(value, indent=2))


def print_table(
    rows: list[dict[str, Any]], title: str, columns: Sequence[str], right: Sequence[str] = ()
) -> None:
    """``rows`` as a table of ``columns``, those in ``right`` right-aligned; values print
    literally (``[...]`` is not markup)."""
    table = Table(title=title)
    for column in columns:
        table.add_column(column, justify="right" if column in right else "left")
    for row in rows:
        table.add_row(*(Text("" if row.get(c) is None else str(row[c])) for c in columns))
    console.print(table)


def print_rows(rows: list[dict[str, Any]], title: str) -> None:
    """``rows`` as a table whose columns are the first row's keys."""
    print_table(rows, title, list(rows[0]) if rows else [])
