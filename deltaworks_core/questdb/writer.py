"""Writes over ILP/HTTP with QuestDB's ``questdb`` client.

Every table is a WAL table with ``DEDUP UPSERT KEYS``, so a write that is
retried (by the client after a transient error, or by a re-run) never
duplicates a row. Each call is sent as transactional flushes per table: a
failed call leaves either all rows of a chunk or none. Transient errors are
retried by the client itself for ``retry_timeout``; nothing is retried on top.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import pandas as pd
from questdb import QuestDBError, Sender, TimestampNanos

from deltaworks_core.config import QuestDBSettings

DEFAULT_CHUNK_ROWS = 250_000
IlpRow = tuple[Mapping[str, str], Mapping[str, Any], int]
"""One row for ``write_tables``: SYMBOL columns, other columns, designated timestamp (ns)."""
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
        chunk_rows: int = DEFAULT_CHUNK_ROWS,
        retry_timeout_ms: int = 5_000,
        request_timeout_ms: int = 60_000,
    ) -> None:
        self._conf = (
            f"http::addr={settings.host}:{settings.http_port};auto_flush=off;"
            f"retry_timeout={retry_timeout_ms};request_timeout={request_timeout_ms};"
        )
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

    def write_tables(self, tables: Mapping[str, Sequence[IlpRow]]) -> None:
        """Write rows of several tables, one transactional flush per table in the given order.

        The low-latency path (no pandas) of the OMS journal's group commit.
        """
        for table, rows in tables.items():
            if rows:
                self._send(table, lambda sender, t=table, r=rows: _add_rows(sender, t, r))

    def _send(self, table: str, build: Callable[[Sender], None]) -> None:
        with self._lock:
            try:
                if self._sender is None:
                    self._sender = Sender.from_conf(self._conf)
                    self._sender.establish()
                build(self._sender)
                self._sender.flush(transactional=True)
            except QuestDBError as exc:
                self._discard_sender()
                raise _write_error(table, exc) from exc


def _add_rows(sender: Sender, table: str, rows: Sequence[IlpRow]) -> None:
    row = sender.row
    for symbols, columns, ts_ns in rows:
        row(table, symbols=symbols, columns=columns, at=TimestampNanos(ts_ns))


def _write_error(table: str, exc: QuestDBError) -> QuestDBWriteError:
    """The error to raise for ``exc``: a schema mismatch names the column when it can."""
    message = str(exc)
    if _is_schema_error(message):
        match = _COLUMN_PATTERN.search(message)
        return SchemaMismatchError(table, match.group(1) if match else None, message)
    return QuestDBWriteError(f"write to table {table!r} failed: {message}")
