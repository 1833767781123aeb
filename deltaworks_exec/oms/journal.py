"""Durable, batched persistence of order events and fills (group commit over ILP/HTTP).

Policy: every caller awaits ``write``, which returns only once its rows are
committed to QuestDB. Callers that arrive while a flush is in flight are
committed together in the next flush, so throughput grows with load while an
idle order pays one round trip. The OMS writes an order's ``pending_new`` row
through here *before* it sends the order to a venue (write-ahead).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from questdb import QuestDBError, Sender, TimestampNanos

from deltaworks_core.config import QuestDBSettings
from deltaworks_exec.oms.model import FILL_SYMBOLS, ORDER_EVENT_SYMBOLS

log = logging.getLogger(__name__)

_Rows = dict[str, list[dict[str, Any]]]
_Batch = tuple[_Rows, asyncio.Future[None]]
# Fills before the order events that count them; controls last.
_TABLES = ("fills", "order_events", "exec_control")
_SYMBOLS = {
    "fills": FILL_SYMBOLS,
    "order_events": ORDER_EVENT_SYMBOLS,
    "exec_control": ("key",),
}


class JournalError(RuntimeError):
    """Rows could not be committed to QuestDB."""


def _split(row: dict[str, Any], symbols: tuple[str, ...]) -> tuple[dict, dict]:
    """ILP symbols and columns of a row; numbers other than ``seq`` go as DOUBLE."""
    sym = {k: row[k] for k in symbols if row.get(k) is not None}
    cols = {
        k: float(v) if isinstance(v, int) and k != "seq" else v
        for k, v in row.items()
        if k not in symbols and k != "ts_us" and v is not None
    }
    return sym, cols


class Journal:
    """Group-committing writer for ``order_events`` and ``fills``."""

    def __init__(self, settings: QuestDBSettings, attempts: int = 5) -> None:
        self._conf = (
            f"http::addr={settings.host}:{settings.http_port};auto_flush=off;"
            "retry_timeout=2000;request_timeout=10000;"
        )
        self._attempts = attempts
        self._pending: list[_Batch] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._sender: Sender | None = None
        self._flushing = False

    async def start(self) -> None:
        """Start the background flusher."""
        self._task = asyncio.create_task(self._run(), name="journal")

    async def close(self) -> None:
        """Flush what is pending, stop the flusher and close the connection."""
        if self._task is not None:
            while self._pending or self._flushing:
                await asyncio.sleep(0.005)
            self._task.cancel()
            self._task = None
        if self._sender is not None:
            self._sender.close(flush=False)
            self._sender = None

    async def write(
        self,
        events: list[dict[str, Any]] = (),  # type: ignore[assignment]
        fills: list[dict[str, Any]] = (),  # type: ignore[assignment]
        control: list[dict[str, Any]] = (),  # type: ignore[assignment]
    ) -> None:
        """Commit ``order_events``, ``fills`` and ``exec_control`` rows; return once durable.

        Every row has its designated timestamp in ``ts_us`` (microseconds).
        """
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        rows = {"order_events": list(events), "fills": list(fills), "exec_control": list(control)}
        self._pending.append((rows, future))
        self._wake.set()
        await future

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._pending:
                batch, self._pending = self._pending, []
                self._flushing = True
                try:
                    await asyncio.to_thread(self._flush, batch)
                except Exception as exc:  # every waiter learns its rows were not stored
                    error = JournalError(f"QuestDB write failed: {type(exc).__name__}: {exc}")
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                finally:
                    self._flushing = False
                for _, future in batch:
                    if not future.done():
                        future.set_result(None)

    def _flush(self, batch: list[_Batch]) -> None:
        for attempt in range(1, self._attempts + 1):
            try:
                self._send(batch)
                return
            except QuestDBError as exc:
                if self._sender is not None:
                    self._sender.close(flush=False)
                    self._sender = None
                if attempt == self._attempts:
                    raise
                log.warning("journal flush retry", extra={"attempt": attempt, "error": str(exc)})
                time.sleep(0.05 * 2**attempt)

    def _send(self, batch: list[_Batch]) -> None:
        if self._sender is None:
            self._sender = Sender.from_conf(self._conf)
            self._sender.establish()
        sender = self._sender
        for table in _TABLES:
            rows = [row for entry, _ in batch for row in entry[table]]
            if not rows:
                continue
            for row in rows:
                sym, cols = _split(row, _SYMBOLS[table])
                sender.row(table, symbols=sym, columns=cols, at=TimestampNanos(row["ts_us"] * 1000))
            sender.flush(transactional=True)
