"""Backups of Delta Works' state: QuestDB's data folder, the configuration, Dagster's storage.

A backup is consistent while QuestDB keeps taking writes: ``CHECKPOINT CREATE``
freezes the database's transaction view (housekeeping pauses, writes go on), the
data folder is copied, then ``CHECKPOINT RELEASE``. A restore lays the copy back
and leaves QuestDB's ``_restore`` trigger file, so that the next server start rolls
every table back to the checkpoint and deletes the trigger. Dagster's SQLite
files are copied with SQLite's online backup API, consistent while Dagster runs.

Layout of one backup folder (``deltaworks-<UTC time>``)::

    manifest.json   what was saved, when, from where
    questdb/        the server's root folder (db/, conf/, .checkpoint/, ...)
    config/         the configuration file in effect
    dagster/        $DAGSTER_HOME (when set)
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from deltaworks_core.config import QuestDBSettings
from deltaworks_core.questdb.server import DAEMON_NAME, ManagedQuestDB

BACKUP_PREFIX = "deltaworks-"
MANIFEST = "manifest.json"
RESTORE_TRIGGER = "_restore"
_PARTIAL = ".partial"
# The managed server's own pid/log files live in its root and describe this machine's process;
# public/ is QuestDB's web console, unpacked from the jar at start.
_NOT_DATA = frozenset({f"{DAEMON_NAME}.json", f"{DAEMON_NAME}.log", "public"})
_CHUNK = 1 << 20
_ZEROS = bytes(_CHUNK)
# SQLite's side files: the online backup API already folds them into the copied database.
_SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says what to fix."""


@dataclass(frozen=True)
class BackupManifest:
    """What a backup holds; written as ``manifest.json`` beside the copies."""

    name: str
    created_at: str
    questdb_version: str
    questdb_data_dir: str
    questdb_files: int
    questdb_bytes: int
    checkpoint_held_s: float
    config_file: str | None
    dagster_home: str | None

    @classmethod
    def read(cls, folder: Path) -> BackupManifest:
        """The manifest of the backup in ``folder``."""
        path = folder / MANIFEST
        try:
            return cls(**json.loads(path.read_text()))
        except FileNotFoundError:
            raise BackupError(
                f"{folder} is not a Delta Works backup (no {MANIFEST}); "
                f"pass a backup folder or the folder that holds them"
            ) from None
        except (json.JSONDecodeError, TypeError) as exc:
            raise BackupError(f"{path} is damaged: {exc}") from None


@dataclass(frozen=True)
class RestoreResult:
    """What a restore put back and where anything it replaced was moved."""

    backup: Path
    manifest: BackupManifest
    questdb_data_dir: Path
    dagster_restored_to: Path | None
    moved_aside: tuple[Path, ...]


def dagster_home_from_env() -> Path | None:
    """``$DAGSTER_HOME`` when set: the Dagster instance whose storage a backup includes."""
    value = os.environ.get("DAGSTER_HOME")
    return Path(value) if value else None


def backup_name(now: datetime) -> str:
    """``deltaworks-20261202T211500.123Z``: sorts by time, one per millisecond."""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S.%f")[:-3]
    return f"{BACKUP_PREFIX}{stamp}Z"


def list_backups(root: Path) -> list[Path]:
    """Complete backups under ``root``, oldest first (an unfinished one has no manifest)."""
    if not root.is_dir():
        return []
    return sorted(
        path
        for path in root.iterdir()
        if path.is_dir()
        and path.name.startswith(BACKUP_PREFIX)
        and not path.name.endswith(_PARTIAL)
        and (path / MANIFEST).is_file()
    )


def create_backup(
    questdb: QuestDBSettings,
    dest_root: Path,
    config_file: Path | None = None,
    dagster_home: Path | None = None,
) -> Path:
    """Back up QuestDB (under a checkpoint), the configuration and Dagster's storage.

    Returns the new backup folder inside ``dest_root``. The folder only gets its
    final name once everything is copied: an interrupted backup is never listed.
    """
    data_dir = Path(questdb.data_dir).expanduser()
    if not (data_dir / "db").is_dir():
        raise BackupError(
            f"questdb.data_dir: {data_dir} is not a QuestDB root folder (no db/ inside); "
            f"a backup copies the server's data folder, so run it on the machine that holds it"
        )
    started = datetime.now(UTC)
    name = backup_name(started)
    final = dest_root / name
    partial = dest_root / f"{name}{_PARTIAL}"
    try:
        partial.mkdir(parents=True)
    except FileExistsError:
        raise BackupError(f"{partial} exists already: another backup is running") from None
    try:
        files, size, held_s = _copy_under_checkpoint(questdb, data_dir, partial / "questdb")
        if config_file is not None and config_file.is_file():
            (partial / "config").mkdir()
            shutil.copy2(config_file, partial / "config" / config_file.name)
        if dagster_home is not None and dagster_home.is_dir():
            _copy_dagster_home(dagster_home, partial / "dagster")
        manifest = BackupManifest(
            name=name,
            created_at=started.isoformat(),
            questdb_version=questdb.version,
            questdb_data_dir=str(data_dir),
            questdb_files=files,
            questdb_bytes=size,
            checkpoint_held_s=round(held_s, 3),
            config_file=str(config_file) if config_file is not None else None,
            dagster_home=str(dagster_home) if dagster_home is not None else None,
        )
        (partial / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2) + "\n")
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    partial.rename(final)
    return final


def _checkpoint_connection(questdb: QuestDBSettings) -> psycopg.Connection:
    try:
        return psycopg.connect(
            host=questdb.host,
            port=questdb.pg_port,
            user=questdb.user,
            password=questdb.password,
            dbname="qdb",
            autocommit=True,
            connect_timeout=10,
        )
    except psycopg.OperationalError as exc:
        raise BackupError(
            f"QuestDB does not answer at {questdb.host}:{questdb.pg_port} "
            f"(start it with `deltaworks db start`): {exc}"
        ) from None


def _copy_under_checkpoint(
    questdb: QuestDBSettings, data_dir: Path, target: Path
) -> tuple[int, int, float]:
    """Copy the data folder between CHECKPOINT CREATE and RELEASE; (files, bytes, seconds held)."""
    with _checkpoint_connection(questdb) as connection:
        try:
            connection.execute("CHECKPOINT CREATE")
        except psycopg.Error as exc:
            raise BackupError(
                f"QuestDB refused CHECKPOINT CREATE (is another backup running?): {exc}"
            ) from None
        held_from = time.monotonic()
        try:
            files, size = _copy_tree(data_dir, target, skip_top_level=_NOT_DATA)
        finally:
            connection.execute("CHECKPOINT RELEASE")
        return files, size, time.monotonic() - held_from


def _copy_tree(source: Path, target: Path, skip_top_level: frozenset[str]) -> tuple[int, int]:
    """Copy files and folders; (files, bytes on disk). A file removed meanwhile is skipped."""
    files = size = 0
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if relative.parts[0] in skip_top_level:
            continue
        destination = target / relative
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            _sparse_copy(path, destination)
        except FileNotFoundError:  # a temporary file: checkpointed data is never removed
            continue
        files += 1
        size += destination.stat().st_blocks * 512
    return files, size


def _sparse_copy(source: Path, destination: Path) -> None:
    """Copy a file with zero blocks left as holes: a running QuestDB maps files past their data."""
    with source.open("rb") as reading, destination.open("wb") as writing:
        while chunk := reading.read(_CHUNK):
            if chunk == _ZEROS[: len(chunk)]:
                writing.seek(len(chunk), 1)
            else:
                writing.write(chunk)
        writing.truncate()
    shutil.copystat(source, destination)


def _copy_dagster_home(home: Path, target: Path) -> None:
    """Copy ``$DAGSTER_HOME``; SQLite databases through SQLite's online backup."""
    target.mkdir(parents=True)
    for path in sorted(home.rglob("*")):
        destination = target / path.relative_to(home)
        if path.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
        elif path.name.endswith(_SQLITE_SIDE_FILES):
            continue
        elif path.suffix == ".db":
            destination.parent.mkdir(parents=True, exist_ok=True)
            _sqlite_copy(path, destination)
        elif path.is_file():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


def _sqlite_copy(source: Path, destination: Path) -> None:
    with (
        contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as reading,
        contextlib.closing(sqlite3.connect(destination)) as writing,
    ):
        reading.backup(writing)


def prune_backups(root: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` complete backups under ``root``; return the deleted."""
    if keep < 1:
        raise BackupError(f"keep: {keep} is invalid: at least one backup must be kept")
    doomed = list_backups(root)[:-keep]
    for path in doomed:
        shutil.rmtree(path)
    return doomed


def resolve_backup(source: Path) -> Path:
    """``source`` itself when it is a backup, else the newest backup inside it."""
    if (source / MANIFEST).is_file():
        return source
    found = list_backups(source)
    if not found:
        raise BackupError(f"{source}: no Delta Works backup there (no {MANIFEST} in it or below)")
    return found[-1]


def restore_config(source: Path, config_file: Path) -> bool:
    """Put the backed-up configuration at ``config_file`` unless a file is there; True if done.

    A restore reads the configuration (where QuestDB keeps its data) first, so on a
    lost disk the configuration comes back before anything else.
    """
    saved = resolve_backup(source) / "config"
    copies = sorted(saved.iterdir()) if saved.is_dir() else []
    if config_file.exists() or not copies:
        return False
    config_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(copies[0], config_file)
    return True


def restore_backup(
    source: Path,
    questdb: QuestDBSettings,
    dagster_home: Path | None = None,
    replace: bool = False,
) -> RestoreResult:
    """Lay a backup back in place; QuestDB rolls back to the checkpoint on its next start.

    The server must be stopped. Folders that hold data already are refused unless
    ``replace``, which moves them aside (``<folder>.before-restore-<time>``), never deletes.
    """
    backup = resolve_backup(source)
    manifest = BackupManifest.read(backup)
    server = ManagedQuestDB(questdb)
    if server.state() is not None or server.is_ready():
        raise BackupError(
            f"QuestDB is running at {questdb.host}:{questdb.pg_port}: stop it first "
            f"(`deltaworks db stop`), a restore replaces its data folder"
        )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    moved: list[Path] = []
    data_dir = Path(questdb.data_dir).expanduser()
    _make_room(data_dir, "questdb.data_dir", replace, stamp, moved, ignore=_NOT_DATA)
    _copy_tree(backup / "questdb", data_dir, skip_top_level=frozenset())
    (data_dir / RESTORE_TRIGGER).touch()

    dagster_restored_to = None
    if dagster_home is not None and (backup / "dagster").is_dir():
        _make_room(dagster_home, "DAGSTER_HOME", replace, stamp, moved)
        shutil.copytree(backup / "dagster", dagster_home, dirs_exist_ok=True)
        dagster_restored_to = dagster_home
    return RestoreResult(
        backup=backup,
        manifest=manifest,
        questdb_data_dir=data_dir,
        dagster_restored_to=dagster_restored_to,
        moved_aside=tuple(moved),
    )


def _make_room(
    folder: Path,
    label: str,
    replace: bool,
    stamp: str,
    moved: list[Path],
    ignore: frozenset[str] = frozenset(),
) -> None:
    """Ensure ``folder`` is empty (but for ``ignore``); move it aside when ``replace``."""
    if not folder.exists() or all(child.name in ignore for child in folder.iterdir()):
        return
    if not replace:
        raise BackupError(
            f"{label}: {folder} holds data already; pass --replace to move it aside "
            f"(to {folder}.before-restore-<time>) and restore the backup in its place"
        )
    aside = folder.with_name(f"{folder.name}.before-restore-{stamp}")
    folder.rename(aside)
    moved.append(aside)


def confirm_restored(server: ManagedQuestDB) -> None:
    """After the first start on restored data: QuestDB deletes the trigger once it rolled back."""
    trigger = server.data_dir / RESTORE_TRIGGER
    if trigger.exists():
        raise BackupError(
            f"QuestDB started but did not complete the restore ({trigger} is still there); "
            f"see the server log {server.log_path}:\n{server.log_tail()}"
        )
