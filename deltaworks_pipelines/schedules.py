"""Schedules: holdings and transfers every N minutes, candles daily, ledger backstops.

Each tick requests one run per configured exchange (for the day partitions it
covers, for history assets); run keys name the exchange and the tick, so a tick never runs twice.
"""

import math
from datetime import UTC, date, timedelta

import dagster as dg

from deltaworks_core.config import PipelineSettings
from deltaworks_pipelines.partitions import partition_key

CANDLES_CRON = "10 0 * * *"  # yesterday's complete day, ten minutes after midnight UTC
BACKSTOP_CRON = "30 0 * * *"
VOLUME_PROFILES_CRON = "40 0 * * *"  # after yesterday's candles are in


def _requests(
    context: dg.ScheduleEvaluationContext, exchanges: list[str], days: list[date]
) -> list[dg.RunRequest]:
    tick = context.scheduled_execution_time.isoformat()
    return [
        dg.RunRequest(run_key=f"{name}:{day}:{tick}", partition_key=partition_key(name, day))
        for name in exchanges
        for day in days
    ]


def build_holdings_schedule(
    job_name: str, exchanges: list[str], pipelines: PipelineSettings
) -> dg.ScheduleDefinition:
    """Snapshot every exchange (a partition each) every configured interval."""

    @dg.schedule(
        name="holdings_snapshot",
        job_name=job_name,
        cron_schedule=pipelines.holdings_cron,
        execution_timezone="UTC",
        description=f"Holdings (and portfolio value) of every exchange every "
        f"{pipelines.holdings_interval_minutes} minutes, one snapshot per run.",
    )
    def holdings_snapshot(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        tick = context.scheduled_execution_time.isoformat()
        return [dg.RunRequest(run_key=f"{name}:{tick}", partition_key=name) for name in exchanges]

    return holdings_snapshot


def build_transfers_schedule(
    job_name: str, exchanges: list[str], pipelines: PipelineSettings
) -> dg.ScheduleDefinition:
    """Re-match today's transfers of every exchange on the holdings interval, so the
    portfolio's funds in transit follow deposits being credited."""

    @dg.schedule(
        name="transfers_refresh",
        job_name=job_name,
        cron_schedule=pipelines.holdings_cron,
        execution_timezone="UTC",
        description=f"Transfers between the configured exchanges (today's partition of every "
        f"sending exchange, with its look-back) every {pipelines.holdings_interval_minutes} "
        "minutes.",
    )
    def transfers_refresh(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        today = context.scheduled_execution_time.astimezone(UTC).date()
        return _requests(context, exchanges, [today])

    return transfers_refresh


def build_candles_schedule(job_name: str, exchanges: list[str]) -> dg.ScheduleDefinition:
    """Yesterday's 1m candles of every exchange, once a day."""

    @dg.schedule(
        name="candles_daily",
        job_name=job_name,
        cron_schedule=CANDLES_CRON,
        execution_timezone="UTC",
        description="Yesterday's 1m candles of every exchange's configured symbols.",
    )
    def candles_daily(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        today = context.scheduled_execution_time.astimezone(UTC).date()
        return _requests(context, exchanges, [today - timedelta(days=1)])

    return candles_daily


def build_volume_profiles_schedule(job_name: str, exchanges: list[str]) -> dg.ScheduleDefinition:
    """Every exchange's hourly volume profiles as of yesterday, once a day."""

    @dg.schedule(
        name="volume_profiles_daily",
        job_name=job_name,
        cron_schedule=VOLUME_PROFILES_CRON,
        execution_timezone="UTC",
        description="Hourly volume profiles learnt from the candles up to yesterday, for VWAP.",
    )
    def volume_profiles_daily(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        today = context.scheduled_execution_time.astimezone(UTC).date()
        return _requests(context, exchanges, [today - timedelta(days=1)])

    return volume_profiles_daily


def build_ledger_backstop(
    table: str, job_name: str, exchanges: list[str], overlap: timedelta
) -> dg.ScheduleDefinition:
    """Re-sync the days of the sensor's overlap window of ``table`` (withdrawals,
    deposits) once a day, whatever the sensor did."""
    days_back = max(1, math.ceil(overlap / timedelta(days=1)))

    @dg.schedule(
        name=f"{table}_backstop",
        job_name=job_name,
        cron_schedule=BACKSTOP_CRON,
        execution_timezone="UTC",
        description=f"Daily re-sync of the last {days_back} complete days of {table} "
        "of every exchange, in case its sync sensor was stopped or failing.",
    )
    def ledger_backstop(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        today = context.scheduled_execution_time.astimezone(UTC).date()
        days = [today - timedelta(days=n) for n in range(days_back, 0, -1)]
        return _requests(context, exchanges, days)

    return ledger_backstop
