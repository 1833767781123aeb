"""Demo of the data platform: ``python -m deltaworks_pipelines.demo``.

Expects QuestDB (migrated) and the simulator running where ``deltaworks.toml``
says. For every configured exchange it takes a holdings snapshot (and portfolio
value), backfills 30 days of withdrawals and yesterday's and today's candles (one
ranged run each, as a backfill from the UI runs), evaluates the ``withdrawal_sync``
sensor once (running what it requests), and prints rows per table and the
portfolio value per exchange. Runs are recorded in the deployment's Dagster
instance (``instance.py``), so ``deltaworks ui`` shows them.
"""

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import dagster as dg
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from deltaworks_core.config import Settings, load_settings
from deltaworks_core.questdb import QuestDBReader
from deltaworks_pipelines.definitions import (
    CANDLES_JOB,
    HOLDINGS_JOB,
    WITHDRAWALS_JOB,
    build_definitions,
)
from deltaworks_pipelines.instance import dagster_home, open_instance
from deltaworks_pipelines.partitions import ExchangeDay, range_tags, utc_today

BACKFILL_DAYS = 30
TABLES = ("holdings", "portfolio_value", "withdrawals", "candles")
_QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
_LATEST_VALUE = """
SELECT exchange, quote, sum(value) AS value, max(ts) AS snapshot FROM (
    SELECT * FROM portfolio_value LATEST ON ts PARTITION BY exchange, account_type
) GROUP BY exchange, quote ORDER BY exchange
"""


@dataclass(frozen=True)
class DemoRun:
    """One run of the demo: a job over one partition or a range of day partitions."""

    job: str
    label: str
    partition_key: str | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


def plan(settings: Settings, today: date) -> list[DemoRun]:
    """Every run of the demo, in order: a snapshot and two ranged backfills per exchange."""
    runs = []
    for exchange in (e.name for e in settings.exchanges):
        runs.append(DemoRun(HOLDINGS_JOB, f"holdings {exchange}", partition_key=exchange))
        for job, days in ((WITHDRAWALS_JOB, BACKFILL_DAYS), (CANDLES_JOB, 2)):
            first = ExchangeDay(exchange, today - timedelta(days=days - 1))
            last = ExchangeDay(exchange, today)
            label = f"{job} {exchange} {first.day}..{last.day}"
            runs.append(DemoRun(job, label, tags=range_tags(first, last)))
    return runs


def _execute(defs: dg.Definitions, instance: dg.DagsterInstance, run: DemoRun) -> str | None:
    """Execute ``run``; the error message of its failed step, or None."""
    result = defs.resolve_job_def(run.job).execute_in_process(
        partition_key=run.partition_key,
        tags=dict(run.tags),
        instance=instance,
        run_config=_QUIET,
        raise_on_error=False,
    )
    if result.success:
        return None
    failures = [e for e in result.all_events if e.is_step_failure]
    return failures[0].step_failure_data.error.message.strip() if failures else "run failed"


def run_sensor(defs: dg.Definitions, instance: dg.DagsterInstance) -> list[dg.RunRequest]:
    """Evaluate ``withdrawal_sync`` once; its run requests."""
    sensor = defs.resolve_sensor_def("withdrawal_sync")
    with dg.build_sensor_context(
        instance=instance, resources=defs.resources, definitions=defs
    ) as context:
        return list(sensor.evaluate_tick(context).run_requests or [])


def summary(settings: Settings, console: Console) -> None:
    """Rows per table and the latest portfolio value per exchange."""
    with QuestDBReader(settings.questdb) as reader:
        reader.wait_visible(TABLES)
        rows = Table(title="rows per table")
        rows.add_column("table")
        rows.add_column("rows", justify="right")
        for table in TABLES:
            rows.add_row(table, f"{reader.scalar(f'SELECT count() FROM {table}'):,}")
        values = Table(title="portfolio value per exchange (latest snapshot)")
        for column in ("exchange", "value", "snapshot (UTC)"):
            values.add_column(column, justify="right" if column == "value" else "left")
        for row in reader.query(_LATEST_VALUE):
            values.add_row(
                row["exchange"], f"{row['value']:,.2f} {row['quote']}", str(row["snapshot"])
            )
    console.print(rows, values)


def materialize(
    defs: dg.Definitions, settings: Settings, instance: dg.DagsterInstance, console: Console
) -> list[str]:
    """Execute every run of the demo and the sensor's requests on ``instance``; the errors."""
    runs = plan(settings, utc_today())
    errors: list[str] = []
    with Progress(console=console) as progress:
        task = progress.add_task("materializing", total=len(runs))
        for run in runs:
            progress.update(task, description=run.label)
            error = _execute(defs, instance, run)
            if error:
                errors.append(f"{run.label}: {error}")
            progress.advance(task)
    requests = run_sensor(defs, instance)
    console.print(f"withdrawal_sync sensor: {len(requests)} run(s) requested")
    for request in requests:
        sensor_run = DemoRun(WITHDRAWALS_JOB, "sensor", partition_key=request.partition_key)
        error = _execute(defs, instance, sensor_run)
        if error:
            errors.append(f"sensor run {request.partition_key}: {error}")
    return errors


def main() -> int:
    settings = load_settings()
    console = Console()
    with open_instance() as instance:
        errors = materialize(build_definitions(settings), settings, instance, console)
    summary(settings, console)
    console.print(f"Dagster instance: {dagster_home()}; browse it with `deltaworks ui`")
    for error in errors:
        console.print(f"[red]failed[/red] {escape(str(error))}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
