"""Backup and restore against a real QuestDB of its own (it is stopped and its folder deleted)."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from deltaworks_core.config import BackupSettings, Settings
from deltaworks_core.questdb import ManagedQuestDB, QuestDBReader, migrate
from deltaworks_core.questdb.backup import (
    MANIFEST,
    BackupError,
    BackupManifest,
    confirm_restored,
    create_backup,
    list_backups,
    prune_backups,
    restore_backup,
    restore_config,
)
from deltaworks_core.questdb.server import private_server_settings
from deltaworks_exec.oms.journal import Journal
from deltaworks_pipelines.backup import build_backup_job

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ManagedQuestDB]:
    """A private QuestDB these tests may stop, delete and restore (each leaves it running)."""
    folder = tmp_path_factory.mktemp("own")
    server = ManagedQuestDB(private_server_settings(folder / "questdb"), die_with_parent=True)
    server.start()
    with QuestDBReader(server.settings) as reader:
        migrate(reader)
    try:
        yield server
    finally:
        server.stop()


def _order_event(n: int) -> dict:
    return {
        "ts_us": int(time.time() * 1_000_000),
        "order_id": f"bk-{n}",
        "seq": 1,
        "client_order_id": f"bk-{n}",
        "exchange": "sim_a",
        "symbol": "BTC/USDT",
        "side": "buy",
        "type": "limit",
        "time_in_force": "GTC",
        "status": "filled",
        "price": 100.0,
        "amount": 1.0,
        "filled": 1.0,
    }


def _fill(n: int) -> dict:
    return {
        "ts_us": int(time.time() * 1_000_000),
        "exchange": "sim_a",
        "fill_id": f"bk-fill-{n}",
        "order_id": f"bk-{n}",
        "symbol": "BTC/USDT",
        "side": "buy",
        "price": 100.0,
        "amount": 1.0,
        "cost": 100.0,
    }


async def _write_orders(journal: Journal, acknowledged: list[int], stop: asyncio.Event) -> None:
    """Commit one order event and its fill at a time, as the OMS does, until told to stop."""
    n = 0
    while not stop.is_set():
        await journal.write(events=[_order_event(n)], fills=[_fill(n)])
        acknowledged.append(n)
        n += 1


@dg.op
def _hello() -> int:
    return 1


@dg.job
def _dagster_job() -> None:
    _hello()


async def test_restore_keeps_everything_acknowledged_before_the_backup(
    own_server: ManagedQuestDB, tmp_path: Path
) -> None:
    settings = own_server.settings
    config_file = tmp_path / "deltaworks.toml"
    config_file.write_text("[exec]\nport = 8899\n")
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    instance_config = "telemetry:\n  enabled: false\n"  # the instance's own configuration
    (dagster_home / "dagster.yaml").write_text(instance_config)
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        run_id = _dagster_job.execute_in_process(instance=instance).run_id
    journal = Journal(settings)
    await journal.start()
    acknowledged: list[int] = []
    stop = asyncio.Event()
    writing = asyncio.create_task(_write_orders(journal, acknowledged, stop))
    while len(acknowledged) < 200:
        await asyncio.sleep(0.01)
    before_backup = set(acknowledged)
    backup = await asyncio.to_thread(
        create_backup, settings, tmp_path / "backups", config_file, dagster_home
    )
    after_backup = len(acknowledged)
    while len(acknowledged) < after_backup + 100:  # writes that a restore must lose
        await asyncio.sleep(0.01)
    stop.set()
    await writing
    await journal.close()
    lost_by_design = set(acknowledged[after_backup:])

    manifest = BackupManifest.read(backup)
    assert manifest.questdb_files > 0 and manifest.config_file == str(config_file)
    assert list_backups(tmp_path / "backups") == [backup]
    with pytest.raises(BackupError, match="QuestDB is running"):
        restore_backup(backup, settings)

    own_server.stop()
    with pytest.raises(BackupError, match="holds data already; pass --replace"):
        restore_backup(backup, settings)
    shutil.rmtree(settings.data_dir)
    config_file.unlink()
    assert restore_config(backup, config_file)
    assert config_file.read_text() == "[exec]\nport = 8899\n"
    assert not restore_config(backup, config_file)  # never overwrites a configuration
    result = restore_backup(tmp_path / "backups", settings, dagster_home, replace=True)
    assert result.backup == backup  # the newest backup of the folder
    (aside,) = result.moved_aside  # the Dagster folder that was there, kept
    assert aside.name.startswith("dagster_home.before-restore-")
    own_server.start()
    confirm_restored(own_server)

    with QuestDBReader(settings) as reader:
        reader.wait_visible(["order_events", "fills"])
        orders = {r["order_id"] for r in reader.query("SELECT order_id FROM order_events")}
        fills = {r["fill_id"] for r in reader.query("SELECT fill_id FROM fills")}
        assert migrate(reader) == []  # the schema came back with the data
    assert {f"bk-{n}" for n in before_backup} <= orders
    assert {f"bk-fill-{n}" for n in before_backup} <= fills
    assert not {f"bk-{n}" for n in lost_by_design} & orders  # restored to the checkpoint
    assert not {f"bk-fill-{n}" for n in lost_by_design} & fills
    assert (dagster_home / "dagster.yaml").read_text() == instance_config
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        run = instance.get_run_by_id(run_id)
        assert run is not None and run.is_success


def test_a_folder_without_manifest_is_not_a_backup(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(BackupError, match=f"no Delta Works backup there \\(no {MANIFEST}"):
        restore_backup(tmp_path / "empty", private_server_settings(tmp_path / "q"))


def test_backup_of_a_folder_that_is_not_questdb_is_refused(tmp_path: Path) -> None:
    settings = private_server_settings(tmp_path / "nothing")
    with pytest.raises(BackupError, match=r"questdb.data_dir: .* is not a QuestDB root folder"):
        create_backup(settings, tmp_path / "backups")


def test_retention_keeps_the_newest(tmp_path: Path) -> None:
    names = [f"deltaworks-2026120{day}T000000.000Z" for day in range(1, 6)]
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / MANIFEST).write_text("{}")
    (tmp_path / "deltaworks-20261209T000000.000Z.partial").mkdir()  # a backup under way
    deleted = prune_backups(tmp_path, keep=2)
    assert [p.name for p in deleted] == names[:3]
    assert [p.name for p in list_backups(tmp_path)] == names[3:]
    assert (tmp_path / "deltaworks-20261209T000000.000Z.partial").exists()
    with pytest.raises(BackupError, match="keep: 0 is invalid"):
        prune_backups(tmp_path, keep=0)


def test_the_scheduled_job_backs_up_and_keeps_the_newest(
    own_server: ManagedQuestDB, tmp_path: Path
) -> None:
    settings = Settings(
        questdb=own_server.settings, backup=BackupSettings(folder=tmp_path / "nightly", keep=2)
    )
    job = build_backup_job(settings)
    outputs = [job.execute_in_process().output_for_node("take_backup") for _ in range(3)]
    assert [p.name for p in list_backups(tmp_path / "nightly")] == [
        Path(o).name for o in outputs[1:]
    ]
