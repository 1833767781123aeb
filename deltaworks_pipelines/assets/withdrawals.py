"""``withdrawals``: every crypto and fiat withdrawal applied on one day at one exchange.

Rows are keyed by (ts = applied time, exchange, withdrawal_id): a status change
re-writes the same key and QuestDB's dedup replaces the row (see ``ledger``).
"""

from datetime import datetime

import dagster as dg
import pandas as pd

from deltaworks_core.models import Withdrawal
from deltaworks_core.venues.history import OnPage
from deltaworks_pipelines.assets.ledger import SYMBOLS, WITHDRAWALS
from deltaworks_pipelines.resources import ExchangeClient, QuestDBResource

TABLE = WITHDRAWALS.table
__all__ = [
    "SYMBOLS",
    "TABLE",
    "build_withdrawals",
    "fetch_withdrawals",
    "withdrawals_frame",
    "write_withdrawals",
]


def fetch_withdrawals(
    venue: ExchangeClient, start_ms: int, end_ms: int, on_page: OnPage = lambda: None
) -> list[Withdrawal]:
    """Crypto and fiat withdrawals applied in ``[start_ms, end_ms)``, oldest first, by id once.

    Pages by the exchange profile's rules, calling ``on_page`` after every response.
    """
    return WITHDRAWALS.fetch(venue, start_ms, end_ms, on_page)  # type: ignore[return-value]


def withdrawals_frame(withdrawals: list[Withdrawal], synced_at: datetime) -> pd.DataFrame:
    """Rows for the ``withdrawals`` table."""
    return WITHDRAWALS.frame(list(withdrawals), synced_at)


def write_withdrawals(questdb: QuestDBResource, withdrawals: list[Withdrawal]) -> pd.DataFrame:
    """Upsert ``withdrawals`` and wait until they are readable; return the rows written."""
    return WITHDRAWALS.write(questdb, list(withdrawals))


def build_withdrawals(partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """The ``withdrawals`` asset over ``partitions_def`` (exchange x day), ranged backfills."""
    return WITHDRAWALS.asset(
        partitions_def,
        "Crypto and fiat withdrawals applied on the day; status changes update the same "
        "row. Kept current by the withdrawal_sync sensor; a backfill of many days runs once "
        "per exchange.",
    )
