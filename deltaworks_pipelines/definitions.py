"""The Dagster code location: every asset, check, job, schedule and sensor.

``workspace.yaml`` loads ``defs`` from here; ``build_definitions`` builds the same
for any ``Settings`` (tests use it with their own exchanges and simulator).
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg

from deltaworks_core.config import Settings, load_settings
from deltaworks_pipelines.assets.candles import build_candles
from deltaworks_pipelines.assets.deposits import build_deposits
from deltaworks_pipelines.assets.holdings import build_holdings
from deltaworks_pipelines.assets.ledger import DEPOSITS, WITHDRAWALS
from deltaworks_pipelines.assets.portfolio import build_portfolio
from deltaworks_pipelines.assets.trade_bars import build_trade_bars, trades_match_exchange_candles
from deltaworks_pipelines.assets.transfers import build_transfers
from deltaworks_pipelines.assets.volume_profiles import build_volume_profiles
from deltaworks_pipelines.assets.withdrawals import build_withdrawals
from deltaworks_pipelines.backup import build_backup_job, build_backup_schedule
from deltaworks_pipelines.checks import build_checks
from deltaworks_pipelines.console_logger import RUN_CONFIG, console_logger
from deltaworks_pipelines.partitions import exchange_day_partitions, exchange_partitions
from deltaworks_pipelines.resources import ExchangesResource, QuestDBResource
from deltaworks_pipelines.schedules import (
    build_candles_schedule,
    build_holdings_schedule,
    build_ledger_backstop,
    build_transfers_schedule,
    build_volume_profiles_schedule,
)
from deltaworks_pipelines.sensors import build_ledger_sync

HOLDINGS_JOB = "holdings_job"
WITHDRAWALS_JOB = "withdrawals_job"
DEPOSITS_JOB = "deposits_job"
TRANSFERS_JOB = "transfers_job"
CANDLES_JOB = "candles_job"
VOLUME_PROFILES_JOB = "volume_profiles_job"


def build_definitions(settings: Settings, simulator_url: str | None = None) -> dg.Definitions:
    """Definitions for ``settings``; ``simulator_url`` overrides the configured simulator."""
    partitions = exchange_day_partitions(settings)
    snapshots = exchange_partitions(settings)
    names = [e.name for e in settings.exchanges]
    overlap = timedelta(hours=settings.pipelines.withdrawal_overlap_hours)
    interval = settings.pipelines.holdings_interval_minutes

    jobs = [
        dg.define_asset_job(name, selection=dg.AssetSelection.assets(*assets), config=RUN_CONFIG)
        for name, assets in (
            (HOLDINGS_JOB, ("holdings", "portfolio_value")),
            (TRANSFERS_JOB, ("transfers",)),
            (WITHDRAWALS_JOB, ("withdrawals",)),
            (DEPOSITS_JOB, ("deposits",)),
            (CANDLES_JOB, ("candles",)),
            (VOLUME_PROFILES_JOB, ("volume_profiles",)),
        )
    ]
    backup_job = build_backup_job(settings)
    return dg.Definitions(
        assets=[
            build_holdings(snapshots, interval),
            build_portfolio(snapshots),
            build_withdrawals(partitions),
            build_deposits(partitions),
            build_transfers(partitions),
            build_candles(partitions),
            build_trade_bars(partitions),
            build_volume_profiles(partitions),
        ],
        asset_checks=[*build_checks(interval), trades_match_exchange_candles],
        jobs=[*jobs, backup_job],
        schedules=[
            build_holdings_schedule(HOLDINGS_JOB, names, settings.pipelines),
            build_transfers_schedule(TRANSFERS_JOB, names, settings.pipelines),
            build_candles_schedule(CANDLES_JOB, names),
            build_volume_profiles_schedule(VOLUME_PROFILES_JOB, names),
            build_ledger_backstop(WITHDRAWALS.table, WITHDRAWALS_JOB, names, overlap),
            build_ledger_backstop(DEPOSITS.table, DEPOSITS_JOB, names, overlap),
            build_backup_schedule(backup_job, settings.backup),
        ],
        sensors=[
            build_ledger_sync(WITHDRAWALS, WITHDRAWALS_JOB, overlap),
            build_ledger_sync(DEPOSITS, DEPOSITS_JOB, overlap),
        ],
        # Each job is one or two steps in sequence: a step subprocess per run would only add
        # a Python start-up (seconds) to every run the daemon launches.
        executor=dg.in_process_executor,
        loggers={"console": console_logger},
        resources={
            "questdb": QuestDBResource.from_settings(settings.questdb),
            "exchanges": ExchangesResource.from_settings(settings, simulator_url),
        },
    )


defs = build_definitions(load_settings())
