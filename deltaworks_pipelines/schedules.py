"""Schedules: holdings and transfers every N minutes, candles daily, ledger backstops.

Each tick requests one run per configured exchange (for the day partitions it
covers, for history assets); run keys name the exchange and the tick, so a tick never runs twice.
"""

import math
from collections.abc import Sequence
from datetime import UTC, timedelta

import dagster as dg

from deltaworks_core.config import PipelineSettings
from deltaworks_pipelines.partitions import partition_key

CANDLES_CRON = "10 0 * * *"  # yesterday's complete day, ten minutes after midnight UTC
BACKSTOP_CRON = "30 0 * * *"
VOLUME_PROFILES_CRON = "40 0 * * *"  # after yesterday's candles are in


def day_schedule(
    name: str,
    job_name: str,
    cron: str,
    exchanges: list[str],
    days_back: Sequence[int],
    description: str,
) -> dg.ScheduleDefinition:
    """A schedule requesting, at each tick, the (exchange, day) partitions of every exchange
    for the days ``days_back`` before the tick's UTC date (0: that day)."""

    @dg.schedule(
        name=name,
        job_name=job_name,
        cron_schedule=cron,
        execution_timezone="UTC",
        description=description,
    )
    def days(context: dg.ScheduleEvaluationContext) -> list[dg.RunRequest]:
        tick = context.scheduled_execution_time
        today = tick.astimezone(UTC).date()
        return [
            dg.RunRequest(
                run_key=f"{exchange}:{day}:{tick.isoformat()}",
                partition_key=partition_key(exchange, day),
            )
            for exchange in exchanges
            for day in (today - timedelta(days=n) for n in days_back)
        ]

    return days


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
    return day_schedule(
        "transfers_refresh",
        job_name,
        pipelines.holdings_cron,
        exchanges,
        [0],
        f"Transfers between the configured exchanges (today's partition of every sending "
        f"exchange, with its look-back) every {pipelines.holdings_interval_minutes} minutes.",
    )


def build_candles_schedule(job_name: str, exchanges: list[str]) -> dg.ScheduleDefinition:
    """Yesterday's 1m candles of every exchange, once a day."""
    return day_schedule(
        "candles_daily",
        job_name,
        CANDLES_CRON,
        exchanges,
        [1],
        "Yesterday's 1m candles of every exchange's configured symbols.",
    )


def build_volume_profiles_schedule(job_name: str, exchanges: list[str]) -> dg.ScheduleDefinition:
    """Every exchange's hourly volume profiles as of yesterday, once a day."""
    return day_schedule(
        "volume_profiles_daily",
        job_name,
        VOLUME_PROFILES_CRON,
        exchanges,
        [1],
        "Hourly volume profiles learnt from the candles up to yesterday, for VWAP.",
    )


def build_ledger_backstop(
    table: str, job_name: str, exchanges: list[str], overlap: timedelta
) -> dg.ScheduleDefinition:
    """Re-sync the days of the sensor's overlap window of ``table`` (withdrawals,
    deposits) once a day, whatever the sensor did."""
    days_back = max(1, math.ceil(overlap / timedelta(days=1)))
    return day_schedule(
        f"{table}_backstop",
        job_name,
        BACKSTOP_CRON,
        exchanges,
        range(days_back, 0, -1),
        f"Daily re-sync of the last {days_back} complete days of {table} "
        "of every exchange, in case its sync sensor was stopped or failing.",
    )
