"""Numbered SQL migrations (``sql/NNN_name.sql``), applied in order and recorded once."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from deltaworks_core.config import REPO_ROOT
from deltaworks_core.questdb.reader import QuestDBReader

MIGRATIONS_DIR = REPO_ROOT / "sql"
_FILE_PATTERN = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")

# The designated timestamp of a migration record is derived from its version, so a
# record written twice (two concurrent `migrate` runs) is deduplicated by QuestDB.
_LEDGER_DDL = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    ts TIMESTAMP,
    version LONG,
    name VARCHAR,
    checksum VARCHAR,
    applied_at TIMESTAMP
) TIMESTAMP(ts) PARTITION BY YEAR WAL DEDUP UPSERT KEYS(ts, version)
"""


class MigrationError(RuntimeError):
    """A migration file is malformed, changed after it was applied, or failed to apply."""


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    version: int
    name: str
    path: Path
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()[:16]

    def statements(self) -> list[str]:
        """The file's statements, comments removed."""
        body = "\n".join(
            line for line in self.sql.splitlines() if not line.strip().startswith("--")
        )
        return [statement.strip() for statement in body.split(";") if statement.strip()]


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """All migrations in ``directory`` in version order; unknown file names are an error."""
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_PATTERN.match(path.name)
        if match is None:
            raise MigrationError(f"{path}: migration files must be named NNN_lower_snake.sql")
        migrations.append(Migration(int(match.group(1)), match.group(2), path, path.read_text()))
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"{directory}: two migrations share a version number")
    return migrations


def applied_checksums(reader: QuestDBReader) -> dict[int, str]:
    """Version -> checksum of every migration recorded as applied."""
    reader.execute(_LEDGER_DDL)
    rows = reader.query("SELECT version, checksum FROM schema_migrations")
    return {row["version"]: row["checksum"] for row in rows}


def migrate(reader: QuestDBReader, directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Apply every migration not yet recorded, in order; return those applied now."""
    done = applied_checksums(reader)
    applied = []
    for migration in discover(directory):
        if migration.version in done:
            if done[migration.version] != migration.checksum:
                raise MigrationError(
                    f"{migration.path.name} changed after it was applied; "
                    f"add a new migration instead of editing an applied one"
                )
            continue
        for statement in migration.statements():
            try:
                reader.execute(statement)
            except Exception as exc:
                raise MigrationError(f"{migration.path.name}: {exc}") from exc
        reader.execute(
            "INSERT INTO schema_migrations VALUES (%s, %s, %s, %s, %s)",
            (
                datetime.fromtimestamp(migration.version, UTC),
                migration.version,
                migration.name,
                migration.checksum,
                datetime.now(UTC),
            ),
        )
        applied.append(migration)
    reader.wait_visible("schema_migrations")
    return applied
