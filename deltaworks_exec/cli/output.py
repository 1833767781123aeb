"""How the CLI prints: rich tables for people, JSON with ``--json``."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

# Piped output is not cut to 80 columns: whole ids and reasons for the next program.
PIPED_WIDTH = 200
console = Console(width=None if sys.stdout.isatty() else PIPED_WIDTH)
# Columns holding ids are never shortened: they are copied into other commands.
ID_COLUMNS = frozenset({"order_id", "client_order_id", "algo_id", "run_id", "fill_id"})
WRAPPED_WIDTH = 40  # free text (reasons, messages) wraps at this width


def echo_json(value: Any) -> None:
    """``value`` as indented JSON on stdout."""
    typer.echo(json.dumps(value, indent=2))


def step_digits(step: float | None) -> int | None:
    """Decimals of a market step (0.001 -> 3, 1 -> 0); ``None`` when unknown."""
    if not step:
        return None
    return max(0, -Decimal(str(step)).normalize().as_tuple().exponent)  # type: ignore[operator]


def fixed(value: Any, digits: int | None) -> str:
    """A number with ``digits`` decimals and thousands separators (as given when unknown)."""
    if value is None:
        return ""
    if digits is None or not isinstance(value, int | float):
        return str(value)
    return f"{value:,.{digits}f}"


def iso_ms(value: Any) -> str:
    """Epoch milliseconds as an ISO time (UTC)."""
    if not isinstance(value, int | float):
        return "" if value is None else str(value)
    return datetime.fromtimestamp(value / 1000, UTC).isoformat(timespec="milliseconds")


def print_table(
    rows: list[dict[str, Any]],
    title: str,
    columns: Sequence[str],
    right: Sequence[str] = (),
    formats: Mapping[str, Any] | None = None,
) -> None:
    """``rows`` as a table of ``columns``; ``right`` aligned right; ``formats`` maps a column
    to ``(row) -> text``. Ids are shown whole; long text wraps; values print literally
    (``[...]`` is not markup)."""
    formats = formats or {}
    table = Table(title=title)
    for column in columns:
        if column in ID_COLUMNS:
            longest = max((len(str(r.get(column) or "")) for r in rows), default=0)
            table.add_column(column, no_wrap=True, min_width=max(longest, len(column)))
        else:
            justify = "right" if column in right else "left"
            table.add_column(column, justify=justify, max_width=WRAPPED_WIDTH)
    for row in rows:
        cells = []
        for column in columns:
            if column in formats:
                cells.append(Text(formats[column](row)))
            else:
                cells.append(Text("" if row.get(column) is None else str(row[column])))
        table.add_row(*cells)
    console.print(table)


def print_rows(rows: list[dict[str, Any]], title: str) -> None:
    """``rows`` as a table whose columns are the first row's keys."""
    print_table(rows, title, list(rows[0]) if rows else [])
