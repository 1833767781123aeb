"""Reads over PGWire with psycopg 3 and a small connection pool."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, TypeVar

import pandas as pd
import psycopg
from psycopg.rows import class_row, dict_row
from psycopg_pool import ConnectionPool

from deltaworks_core.config import QuestDBSettings

T = TypeVar("T")


class WalNotAppliedError(RuntimeError):
    """A table's WAL did not catch up in time, or the table is suspended."""


class QuestDBReader:
    """SQL queries against QuestDB, returning dicts, typed rows or dataframes."""

    def __init__(self, settings: QuestDBSettings, max_connections: int = 4) -> None:
        self._pool = ConnectionPool(
            kwargs={
                "host": settings.host,
                "port": settings.pg_port,
                "user": settings.user,
                "password": settings.password,
                "dbname": "qdb",
                "autocommit": True,
                "prepare_threshold": None,
            },
            min_size=1,
            max_size=max_connections,
            # QuestDB closes connections idle for 5 minutes (a long backfill run leaves some
            # idle): check each one as it is lent out and replace it when closed.
            check=ConnectionPool.check_connection,
            open=True,
            name="questdb",
        )

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.close()

    def __enter__(self) -> QuestDBReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute(self, sql: str | psycopg.sql.Composable, params: Sequence[Any] = ()) -> None:
        """Run a statement that returns nothing (DDL, INSERT)."""
        with self._pool.connection() as connection:
            connection.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one parameterised statement for many rows."""
        with self._pool.connection() as connection, connection.cursor() as cursor:
            cursor.executemany(sql, rows)

    def query(self, sql: str | psycopg.sql.Composable, params: Sequence[Any] = ()) -> list[dict]:
        """Rows as dicts keyed by column name."""
        with self._pool.connection() as connection, connection.cursor(row_factory=dict_row) as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def query_as(
        self, row_type: type[T], sql: str | psycopg.sql.Composable, params: Sequence[Any] = ()
    ) -> list[T]:
        """Rows as instances of ``row_type`` (a dataclass or any class taking columns as kwargs)."""
        with (
            self._pool.connection() as connection,
            connection.cursor(row_factory=class_row(row_type)) as cur,
        ):
            cur.execute(sql, params)
            return cur.fetchall()

    def query_df(
        self, sql: str | psycopg.sql.Composable, params: Sequence[Any] = ()
    ) -> pd.DataFrame:
        """Rows as a pandas dataframe (timestamps as naive UTC)."""
        with self._pool.connection() as connection, connection.cursor() as cur:
            cur.execute(sql, params)
            columns = [column.name for column in cur.description or ()]
            return pd.DataFrame(cur.fetchall(), columns=columns)

    def scalar(self, sql: str | psycopg.sql.Composable, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or ``None``."""
        with self._pool.connection() as connection:
            row = connection.execute(sql, params).fetchone()
            return None if row is None else row[0]

    def wait_visible(self, tables: str | Sequence[str], timeout_s: float = 30.0) -> None:
        """Wait until every write acknowledged so far to ``tables`` is applied and readable.

        QuestDB acknowledges WAL commits before it applies them; this polls
        ``wal_tables()`` until the writer has caught up with the sequencer and
        fails at once if a table is suspended.
        """
        names = [tables] if isinstance(tables, str) else list(tables)
        deadline = time.monotonic() + timeout_s
        pending = set(names)
        while pending:
            rows = self.query("SELECT name, suspended, writerTxn, sequencerTxn FROM wal_tables()")
            status = {row["name"]: row for row in rows}
            for name in list(pending):
                row = status.get(name)
                if row is None:
                    raise WalNotAppliedError(f"table {name!r} does not exist or is not a WAL table")
                if row["suspended"]:
                    raise WalNotAppliedError(
                        f"table {name!r} is suspended: its WAL cannot be applied "
                        f"(see the QuestDB log; ALTER TABLE {name} RESUME WAL after fixing)"
                    )
                if row["writerTxn"] >= row["sequencerTxn"]:
                    pending.discard(name)
            if pending and time.monotonic() > deadline:
                raise WalNotAppliedError(
                    f"WAL of {', '.join(sorted(pending))} not applied within {timeout_s:.0f} s"
                )
            if pending:
                time.sleep(0.01)
