"""``execution_reports`` in QuestDB: which parents still need one, writing and reading them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_exec.algos.base import TERMINAL as ALGO_TERMINAL
from deltaworks_exec.quality.reports import ExecutionReport

TABLE = "execution_reports"
_SYMBOLS = ("kind", "exchange", "symbol", "side", "status")
_LATEST = f"SELECT * FROM {TABLE} LATEST ON ts PARTITION BY parent_id"
_FINISHED_ALGOS = """
SELECT algo_id parent_id, status FROM algo_events WHERE ts >= %s
LATEST ON ts PARTITION BY algo_id
"""
# Plain orders that reached the market and are done (rejected ones never traded).
_FINISHED_ORDERS = """
SELECT order_id parent_id, status, algo_id FROM order_events WHERE ts >= %s
LATEST ON ts PARTITION BY order_id
"""
_REPORTED = f"SELECT DISTINCT parent_id FROM {TABLE} WHERE ended >= %s"


def unreported_parents(reader: QuestDBReader, since: datetime) -> list[str]:
    """Algorithms and plain orders finished since ``since`` that have no report yet."""
    reader.wait_visible(["algo_events", "order_events", TABLE])
    done = [
        row["parent_id"]
        for row in reader.query(_FINISHED_ALGOS, (since,))
        if row["status"] in ALGO_TERMINAL
    ]
    done += [
        row["parent_id"]
        for row in reader.query(_FINISHED_ORDERS, (since,))
        if row["algo_id"] is None and row["status"] in ("filled", "canceled", "expired")
    ]
    reported = {row["parent_id"] for row in reader.query(_REPORTED, (since,))}
    return [parent for parent in done if parent not in reported]


def store_reports(writer: QuestDBWriter, reports: Sequence[ExecutionReport], now: datetime) -> int:
    """Write ``reports`` stamped ``now``; return how many."""
    return writer.write_rows(
        TABLE, [{"ts": now, **report.row()} for report in reports], symbols=_SYMBOLS
    )


def latest_reports(
    reader: QuestDBReader,
    exchange: str | None = None,
    symbol: str | None = None,
    kind: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The current report of each parent, newest end first, optionally filtered."""
    filters = {"exchange": exchange, "symbol": symbol, "kind": kind}
    where = [f"{column} = %s" for column, value in filters.items() if value is not None]
    params = [value for value in filters.values() if value is not None]
    sql = f"SELECT * FROM ({_LATEST})"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return reader.query(f"{sql} ORDER BY ended DESC LIMIT %s", (*params, limit))


def latest_report(reader: QuestDBReader, parent_id: str) -> dict[str, Any] | None:
    """The current report of ``parent_id``, or ``None``."""
    rows = reader.query(
        f"SELECT * FROM {TABLE} WHERE parent_id = %s ORDER BY ts DESC LIMIT 1", (parent_id,)
    )
    return rows[0] if rows else None
