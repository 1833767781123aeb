"""Writes over ILP/HTTP with QuestDB's ``questdb`` client.

Every table is a WAL table with ``DEDUP UPSERT KEYS``, so a write that is
retried (by the client after a transient error, or by a re-run) never
duplicates a row. Each call is sent as transactional flushes per table: a
failed call leaves either all rows of a chunk or none.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from questdb import QuestDBError, QuestDBErrorCode, Sender

from deltaworks_core.config import QuestDBSettings

DEFAULT_CHUNK_ROWS = 250_000
_TRANSIENT = {
    QuestDBErrorCode.SocketError,
    QuestDBErrorCode.ServerFlushError,
    QuestDBErrorCode.ConnectTimeout,
    QuestDBErrorCode.ServerInternalError,
}
_COLUMN_PATTERN = re.compile(r"column[^A-Za-z0-9_]*[:=]?\s*['\"]?([A-Za-z_][A-Za-z0-9_]*)", re.I)


class QuestDBWriteError(RuntimeError):
    """A write was refused or could not be delivered; nothing of the failed chunk was stored."""


class SchemaMismatchError(QuestDBWriteError):
    """Rows do not fit the table's schema; names the table and, when known, the column."""

    def __init__(self, table: str, column: str | None, detail: str) -> None:
        self.table = table
        self.column = column
        where = f"table {table!r}" + (f", column {column!r}" if column else "")
        super().__init__(f"schema mismatch in {where}: {detail}")


def _is_schema_error(message: str) -> bool:
    lowered = message.lower()
    return any(
        marker in lowered
        for marker in (
            "cast error",
            "invalid column",
            "column type",
            "cannot be cast",
            "type mismatch",
        )
    )


class QuestDBWriter:
    """Row and dataframe writes to QuestDB over ILP/HTTP."""

    def __init__(
        self,
        settings: QuestDBSettings,
        attempts: int = 4,
        backoff_s: float = 0.2,
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
    ) -> None:
        self._conf = (
            f"http::addr={settings.host}:{settings.http_port};auto_flush=off;"
            f"retry_timeout=5000;request_timeout=60000;"
        )
        self._attempts = attempts
        self._backoff_s = backoff_s
        self._chunk_rows = chunk_rows
        self._sender: Sender | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the underlying ILP connection."""
        with self._lock:
            self._discard_sender()

    def __enter__(self) -> QuestDBWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _discard_sender(self) -> None:
        if self._sender is not None:
            sender, self._sender = self._sender, None
            with contextlib.suppress(QuestDBError):
                sender.close(flush=False)

    def write_rows(
        self,
        table: str,
        rows: Iterable[Mapping[str, Any]],
        symbols: Sequence[str] = (),
        at: str = "ts",
    ) -> int:
        """Write dict rows; ``symbols`` names SYMBOL columns, ``at`` the designated timestamp."""
        frame = pd.DataFrame(list(rows))
        if frame.empty:
            return 0
        return self.write_dataframe(table, frame, symbols=symbols, at=at)

    def write_dataframe(
        self, table: str, frame: pd.DataFrame, symbols: Sequence[str] = (), at: str = "ts"
    ) -> int:
        """Write a dataframe in transactional chunks; return the number of rows sent."""
        if frame.empty:
            return 0
        if at not in frame.columns:
            raise QuestDBWriteError(f"table {table!r}: rows have no timestamp column {at!r}")
        if frame[at].dtype.kind != "M":
            frame = frame.assign(**{at: pd.to_datetime(frame[at], utc=True)})
        for start in range(0, len(frame), self._chunk_rows):
            chunk = frame.iloc[start : start + self._chunk_rows]
            self._send(
                table,
                lambda sender, c=chunk: sender.dataframe(
                    c, table_name=table, symbols=list(symbols), at=at
                ),
            )
        return len(frame)

    def write_row(
        self,
        table: str,
        ts: datetime,
        symbols: Mapping[str, str | None],
        columns: Mapping[str, Any],
    ) -> None:
        """Write one row without pandas (the low-latency path for order events)."""

        def send(sender: Sender) -> None:
            sender.row(
                table,
                symbols={k: v for k, v in symbols.items() if v is not None},
                columns={k: v for k, v in columns.items() if v is not None},
                at=ts,
            )

        self._send(table, send)

    def _send(self, table: str, build: Callable[[Sender], None]) -> None:
        with self._lock:
            for attempt in range(1, self._attempts + 1):
                try:
                    self._attempt(build)
                    return
                except QuestDBError as exc:
                    self._discard_sender()
                    self._classify(table, exc, last=attempt == self._attempts)
                    time.sleep(self._backoff_s * 2 ** (attempt - 1))

    def _attempt(self, build: Callable[[Sender], None]) -> None:
        if self._sender is None:
            self._sender = Sender.from_conf(self._conf)
            self._sender.establish()
        build(self._sender)
        self._sender.flush(transactional=True)

    @staticmethod
    def _classify(table: str, exc: QuestDBError, last: bool) -> None:
        """Raise for a permanent error (or the last attempt); return to retry a transient one."""
        message = str(exc)
        if _is_schema_error(message):
            match = _COLUMN_PATTERN.search(message)
            raise SchemaMismatchError(table, match.group(1) if match else None, message) from exc
        if exc.code not in _TRANSIENT or last:
            raise QuestDBWriteError(f"write to table {table!r} failed: {message}") from exc
