"""Batches recorder rows per table and writes them through ``QuestDBWriter`` off the loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable

import pandas as pd
from questdb import QuestDBError, QuestDBErrorCode

from deltaworks_core.questdb import QuestDBWriter
from deltaworks_exec.marketdata.rows import TABLES, Row

log = logging.getLogger(__name__)

# Failures worth sending the same rows again: QuestDB unreachable or busy, not bad rows.
_RETRYABLE = {
    QuestDBErrorCode.SocketError,
    QuestDBErrorCode.ConnectTimeout,
    QuestDBErrorCode.ServerFlushError,
    QuestDBErrorCode.ServerInternalError,
}


def _retryable(exc: Exception) -> bool:
    cause = exc.__cause__
    return isinstance(cause, QuestDBError) and cause.code in _RETRYABLE


class TickSink:
    """Rows collect in memory and go to QuestDB every ``flush_interval_s`` or ``batch_rows``.

    A write that fails because QuestDB cannot be reached is logged and its rows kept for the
    next flush (every table deduplicates, so a batch sent twice is stored once); rows QuestDB
    refuses are logged as an error and dropped, so they cannot block the table for good.
    """

    def __init__(
        self,
        writer: QuestDBWriter,
        flush_interval_s: float,
        batch_rows: int,
        on_written: Callable[[str, list[Row]], None] | None = None,
    ) -> None:
        self._writer = writer
        self._on_written = on_written  # told of every batch QuestDB acknowledged
        self._interval_s = flush_interval_s
        self._batch_rows = batch_rows
        self._pending: dict[str, list[Row]] = defaultdict(list)
        self._full = asyncio.Event()
        self._flush_lock = asyncio.Lock()
        self.written: dict[str, int] = defaultdict(int)

    def add(self, table: str, row: Row) -> None:
        """Queue one row of ``table`` (one of ``rows.TABLES``)."""
        rows = self._pending[table]
        rows.append(row)
        if len(rows) >= self._batch_rows:
            self._full.set()

    async def run(self) -> None:
        """Flush until cancelled; a last flush sends what is still pending."""
        try:
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), self._interval_s)
                await self.flush()
        finally:
            await asyncio.shield(self.flush())

    async def flush(self) -> None:
        """Write everything queued so far, one transactional batch per table."""
        async with self._flush_lock:
            self._full.clear()
            batches = {table: rows for table, rows in self._pending.items() if rows}
            self._pending = defaultdict(list)
            for table, rows in batches.items():
                try:
                    await asyncio.to_thread(self._write, table, rows)
                except Exception as exc:
                    details = {"table": table, "rows": len(rows), "error": repr(exc)[:300]}
                    if _retryable(exc):
                        log.warning(
                            "recorder write failed; rows kept for the next flush", extra=details
                        )
                        self._pending[table][:0] = rows
                    else:
                        log.error("recorder rows refused by QuestDB; dropped", extra=details)
                else:
                    self.written[table] += len(rows)
                    if self._on_written is not None:
                        self._on_written(table, rows)

    def _write(self, table: str, rows: list[Row]) -> None:
        spec = TABLES[table]
        frame = pd.DataFrame(rows)
        for column in spec.times:
            # nanoseconds whatever pandas infers (an all-null column would come out in seconds)
            frame[column] = pd.to_datetime(frame[column], unit="ms", utc=True).astype(
                "datetime64[ns, UTC]"
            )
        self._writer.write_dataframe(table, frame, symbols=spec.symbols, at="ts")
