"""The scheduled backup: QuestDB, the configuration and Dagster's storage, with retention."""

import dagster as dg

from deltaworks_core.config import BackupSettings, Settings, config_path
from deltaworks_core.questdb.backup import (
    BackupManifest,
    create_backup,
    dagster_home_from_env,
    prune_backups,
)
from deltaworks_pipelines.console_logger import RUN_CONFIG, console_logger

BACKUP_JOB = "backup_job"


def build_backup_job(settings: Settings) -> dg.JobDefinition:
    """A job that takes one backup into ``backup.folder`` and keeps the newest ``backup.keep``."""
    folder = settings.backup.folder
    keep = settings.backup.keep

    @dg.op(description=f"Back up QuestDB, the configuration and $DAGSTER_HOME into {folder}.")
    def take_backup(context: dg.OpExecutionContext) -> dg.Output[str]:
        backup = create_backup(settings.questdb, folder, config_path(), dagster_home_from_env())
        pruned = prune_backups(folder, keep)
        for path in pruned:
            context.log.info(f"deleted old backup {path.name} (keeping the newest {keep})")
        manifest = BackupManifest.read(backup)
        return dg.Output(
            str(backup),
            metadata={
                "backup": dg.MetadataValue.path(str(backup)),
                "questdb_files": manifest.questdb_files,
                "questdb_mb": round(manifest.questdb_bytes / 1e6, 1),
                "checkpoint_held_s": manifest.checkpoint_held_s,
                "dagster_storage": manifest.dagster_home is not None,
                "deleted_old_backups": len(pruned),
            },
        )

    @dg.job(
        name=BACKUP_JOB,
        description="One backup of Delta Works' state, with retention.",
        config=RUN_CONFIG,
        logger_defs={"console": console_logger},
    )
    def backup_job() -> None:
        take_backup()

    return backup_job


def build_backup_schedule(job: dg.JobDefinition, backup: BackupSettings) -> dg.ScheduleDefinition:
    """Run the backup job on ``backup.cron`` (UTC)."""
    return dg.ScheduleDefinition(
        name="scheduled_backup",
        job=job,
        cron_schedule=backup.cron,
        execution_timezone="UTC",
        description=f"Backup into {backup.folder}, keeping the newest {backup.keep}.",
    )
