"""Group commit over ``QuestDBWriter`` for asyncio callers that must wait until rows are durable.

Every caller awaits ``write``, which returns once its rows are committed. Callers
that arrive while a flush is in flight are committed together by the next flush,
so throughput grows with load while an idle caller pays one round trip. A failed
flush raises its error in every caller it covered; nothing is dropped: ``close``
flushes what is pending before it returns.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from deltaworks_core.questdb.writer import IlpRow, QuestDBWriter

_Waiter = tuple[Mapping[str, Sequence[IlpRow]], asyncio.Future[None]]


class GroupCommit:
    """Commits the rows of every waiting caller: one flush per table, in ``tables`` order."""

    def __init__(self, writer: QuestDBWriter, tables: Sequence[str]) -> None:
        self._writer = writer
        self._tables = tuple(tables)
        self._table_set = frozenset(self._tables)
        self._pending: list[_Waiter] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    async def start(self) -> None:
        """Start the flusher task."""
        self._closing = False
        self._task = asyncio.create_task(self._run(), name="group-commit")

    async def close(self) -> None:
        """Commit what is pending, then stop the flusher; later writes are refused."""
        if self._task is None:
            return
        task, self._task = self._task, None
        self._closing = True
        self._wake.set()
        await task

    async def write(self, rows: Mapping[str, Sequence[IlpRow]]) -> None:
        """Commit ``rows`` (per table name); return once durable, raise if they are not."""
        if not rows.keys() <= self._table_set:
            unknown = sorted(set(rows) - self._table_set)
            raise ValueError(f"unknown tables {unknown}: this commits {self._tables}")
        if self._task is None:
            raise RuntimeError("GroupCommit.write before start() or after close()")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((rows, future))
        self._wake.set()
        await future

    async def _run(self) -> None:
        while not self._closing:
            await self._wake.wait()
            self._wake.clear()
            await self._flush_pending()

    async def _flush_pending(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            tables = {
                table: [row for rows, _ in batch for row in rows.get(table, ())]
                for table in self._tables
            }
            try:
                await asyncio.to_thread(self._writer.write_tables, tables)
            except Exception as exc:  # every waiter learns its rows were not stored
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for _, future in batch:
                if not future.done():
                    future.set_result(None)
