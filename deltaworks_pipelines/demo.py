"""Demo of the data platform: ``python -m deltaworks_pipelines.demo``.

Expects QuestDB (migrated) and the simulator running where ``deltaworks.toml``
says. For every configured exchange it materializes today's holdings and
portfolio value, a 30-day withdrawals backfill and yesterday's and today's
candles, evaluates the ``withdrawal_sync`` sensor once (running what it
requests), and prints rows per table and the portfolio value per exchange.
"""

import sys
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
from deltaworks_pipelines.partitions import ExchangeDay, utc_today

BACKFILL_DAYS = 30
TABLES = ("holdings", "portfolio_value", "withdrawals", "candles")
_QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
_LATEST_VALUE = """
SELECT exchange, quote, sum(value) AS value, max(ts) AS snapshot FROM (
    SELECT * FROM portfolio_value LATEST ON ts PARTITION BY exchange, account_type
) GROUP BY exchange, quote ORDER BY exchange
"""


def plan(settings: Settings, today: date) -> list[tuple[str, ExchangeDay]]:
    """(job, partition) of every run of the demo, in order."""
    runs = []
    for exchange in (e.name for e in settings.exchanges):
        runs.append((HOLDINGS_JOB, ExchangeDay(exchange, today)))
        runs += [
            (WITHDRAWALS_JOB, ExchangeDay(exchange, today - timedelta(days=n)))
            for n in range(BACKFILL_DAYS - 1, -1, -1)
        ]
        runs += [(CANDLES_JOB, ExchangeDay(exchange, today - timedelta(days=n))) for n in (1, 0)]
    return runs


def _execute(
    defs: dg.Definitions, instance: dg.DagsterInstance, job: str, key: dg.MultiPartitionKey
) -> str | None:
    """Run one partition; the error message of its failed step, or None."""
    result = defs.resolve_job_def(job).execute_in_process(
        partition_key=key, instance=instance, run_config=_QUIET, raise_on_error=False
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


def main() -> int:
    settings = load_settings()
    console = Console()
    defs = build_definitions(settings)
    runs = plan(settings, utc_today())
    errors: list[str] = []
    with dg.DagsterInstance.ephemeral() as instance:
        with Progress(console=console) as progress:
            task = progress.add_task("materializing", total=len(runs))
            for job, part in runs:
                progress.update(task, description=f"{job} {part.exchange} {part.day}")
                error = _execute(defs, instance, job, part.key)
                if error:
                    errors.append(f"{job} {part.exchange} {part.day}: {error}")
                progress.advance(task)
        requests = run_sensor(defs, instance)
        console.print(f"withdrawal_sync sensor: {len(requests)} run(s) requested")
        for request in requests:
            error = _execute(defs, instance, WITHDRAWALS_JOB, request.partition_key)
            if error:
                errors.append(f"sensor run {request.partition_key}: {error}")
    summary(settings, console)
    for error in errors:
        console.print(f"[red]failed[/red] {escape(str(error))}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
