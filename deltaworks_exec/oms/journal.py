"""Durable persistence of order events, fills and control rows, through QuestDB's one write path.

Policy: every caller awaits ``write``, which returns only once its rows are
committed to QuestDB (``GroupCommit`` over ``QuestDBWriter``: callers that
arrive while a flush is in flight are committed together by the next one). The
OMS writes an order's ``pending_new`` row through here *before* it sends the
order to a venue (write-ahead).
"""

from __future__ import annotations

import logging
from typing import Any

from deltaworks_core.config import QuestDBSettings
from deltaworks_core.crash_points import crash_point
from deltaworks_core.questdb import GroupCommit, IlpRow, QuestDBWriter
from deltaworks_exec.oms.model import FILL_SYMBOLS, ORDER_EVENT_SYMBOLS

log = logging.getLogger(__name__)

# Fills before the order events that count them; controls last.
_TABLES = ("fills", "order_events", "exec_control")
_FILL_SYMBOLS = frozenset(FILL_SYMBOLS)
_EVENT_SYMBOLS = frozenset(ORDER_EVENT_SYMBOLS)
_CONTROL_SYMBOLS = frozenset({"key"})
# The client retries transient errors this long; an order waits at most about this long.
RETRY_TIMEOUT_MS = 2_000
REQUEST_TIMEOUT_MS = 10_000


class JournalError(RuntimeError):
    """Rows could not be committed to QuestDB."""


def _ilp(row: dict[str, Any], symbols: frozenset[str]) -> IlpRow:
    """A row as ILP symbols, columns and timestamp; numbers other than ``seq`` go as DOUBLE.

    One pass over the row: this runs twice per order on the OMS's hot path.
    """
    sym: dict[str, Any] = {}
    cols: dict[str, Any] = {}
    for key, value in row.items():
        if value is None or key == "ts_us":
            continue
        if key in symbols:
            sym[key] = value
        elif value.__class__ is int and key != "seq":
            cols[key] = float(value)
        else:
            cols[key] = value
    return sym, cols, row["ts_us"] * 1000


class Journal:
    """Group-committing writer for ``order_events``, ``fills`` and ``exec_control``."""

    def __init__(self, settings: QuestDBSettings) -> None:
        self._writer = QuestDBWriter(
            settings, retry_timeout_ms=RETRY_TIMEOUT_MS, request_timeout_ms=REQUEST_TIMEOUT_MS
        )
        self._commit = GroupCommit(self._writer, _TABLES)

    async def start(self) -> None:
        """Start committing."""
        await self._commit.start()

    async def close(self) -> None:
        """Commit what is pending, stop, and close the connection."""
        await self._commit.close()
        self._writer.close()

    async def write(
        self,
        events: list[dict[str, Any]] = (),  # type: ignore[assignment]
        fills: list[dict[str, Any]] = (),  # type: ignore[assignment]
        control: list[dict[str, Any]] = (),  # type: ignore[assignment]
    ) -> None:
        """Commit ``order_events``, ``fills`` and ``exec_control`` rows; return once durable.

        Every row has its designated timestamp in ``ts_us`` (microseconds).
        """
        rows = {
            "fills": [_ilp(row, _FILL_SYMBOLS) for row in fills],
            "order_events": [_ilp(row, _EVENT_SYMBOLS) for row in events],
            "exec_control": [_ilp(row, _CONTROL_SYMBOLS) for row in control],
        }
        try:
            await self._commit.write(rows)
        except Exception as exc:
            raise JournalError(f"QuestDB write failed: {type(exc).__name__}: {exc}") from exc
        for row in fills:  # the trail of every fill written (deduplication would hide a repeat)
            extra = {"exchange": row["exchange"], "fill_id": row["fill_id"]}
            log.info("fill recorded", extra=extra)
        if fills:
            crash_point("journal.fills_durable")
