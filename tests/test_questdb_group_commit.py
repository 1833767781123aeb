"""Group commit over the QuestDB writer: one flush for every waiting caller, errors to each."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

import pytest

from deltaworks_core.config import QuestDBSettings
from deltaworks_core.questdb import (
    GroupCommit,
    IlpRow,
    QuestDBReader,
    QuestDBWriter,
    SchemaMismatchError,
)

TS_NS = 1_780_000_000_000_000_000


class CountingWriter(QuestDBWriter):
    """The real writer, counting its flushes."""

    flushes = 0

    def write_tables(self, tables: Mapping[str, Sequence[IlpRow]]) -> None:
        self.flushes += 1
        super().write_tables(tables)


def _control(key: str, i: int) -> IlpRow:
    return {"key": key}, {"value": f"v{i}"}, TS_NS + i * 1_000  # microseconds apart


async def test_every_waiting_caller_is_committed_by_few_flushes(
    questdb_settings: QuestDBSettings, reader: QuestDBReader, unique: str
) -> None:
    writer = CountingWriter(questdb_settings)
    commit = GroupCommit(writer, ["exec_control"])
    await commit.start()
    try:
        callers = 200
        await asyncio.gather(
            *(commit.write({"exec_control": [_control(unique, i)]}) for i in range(callers))
        )
    finally:
        await commit.close()
        writer.close()
    assert writer.flushes < callers / 4
    reader.wait_visible("exec_control")
    stored = reader.scalar("SELECT count() FROM exec_control WHERE key = %s", (unique,))
    assert stored == callers


async def test_a_failed_flush_fails_every_caller_it_covered(
    questdb_settings: QuestDBSettings, reader: QuestDBReader, unique: str
) -> None:
    writer = QuestDBWriter(questdb_settings)
    commit = GroupCommit(writer, ["holdings", "exec_control"])
    await commit.start()
    try:
        bad = {"holdings": [({"exchange": unique}, {"free": "lots"}, TS_NS)]}
        results = await asyncio.gather(
            *(commit.write(bad) for _ in range(3)), return_exceptions=True
        )
        assert all(isinstance(r, SchemaMismatchError) for r in results), results
        assert "holdings" in str(results[0])
        await commit.write({"exec_control": [_control(unique, 0)]})  # the writer recovers
    finally:
        await commit.close()
        writer.close()
    reader.wait_visible("exec_control")
    assert reader.scalar("SELECT count() FROM exec_control WHERE key = %s", (unique,)) == 1


async def test_close_commits_what_is_pending_and_then_refuses_writes(
    questdb_settings: QuestDBSettings, reader: QuestDBReader, unique: str
) -> None:
    writer = QuestDBWriter(questdb_settings)
    commit = GroupCommit(writer, ["exec_control"])
    await commit.start()
    waiting = [
        asyncio.create_task(commit.write({"exec_control": [_control(unique, i)]}))
        for i in range(20)
    ]
    await asyncio.sleep(0)  # every caller is waiting now
    await commit.close()
    await asyncio.gather(*waiting)
    with pytest.raises(RuntimeError, match="after close"):
        await commit.write({"exec_control": [_control(unique, 99)]})
    with pytest.raises(ValueError, match="unknown tables"):
        await commit.write({"fills": []})
    writer.close()
    reader.wait_visible("exec_control")
    assert reader.scalar("SELECT count() FROM exec_control WHERE key = %s", (unique,)) == 20
