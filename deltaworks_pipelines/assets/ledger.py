"""Deposit and withdrawal histories as history assets: one ``Ledger`` per direction.

Rows are keyed by (ts = applied or seen time, exchange, record id): a status change
re-writes the same key and QuestDB's dedup replaces the row, so re-running a day or a
sync window never duplicates a record. Paging follows the exchange profile
(``deltaworks_core.venues.history``); a backfill of many days is one run per exchange.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import dagster as dg
import pandas as pd

from deltaworks_core.models import Deposit, Withdrawal
from deltaworks_core.venues.history import Direction, OnPage, fetch_history
from deltaworks_core.venues.normalize import deposit_from_transaction, withdrawal_from_transaction
from deltaworks_pipelines.assets._common import TREASURY, utc_micros
from deltaworks_pipelines.assets.history import HistorySource, PageCounter, build_history_asset
from deltaworks_pipelines.resources import ExchangeClient, ExchangesResource, QuestDBResource
from deltaworks_pipelines.sync_state import Window

SYMBOLS = ["exchange", "kind", "asset", "network", "status", "status_raw"]
COMMIT_DAYS = 30  # a backfill commits (and can resume) every 30 days of history
Record = Deposit | Withdrawal


@dataclass(frozen=True)
class Ledger:
    """One direction of transfers: its table, id column and record type."""

    direction: Direction
    table: str
    id_column: str
    build: Callable[[dict[str, Any], str, str], Record]

    def record_id(self, record: Record) -> str:
        return str(getattr(record, self.id_column))

    def fetch(
        self, venue: ExchangeClient, start_ms: int, end_ms: int, on_page: OnPage = lambda: None
    ) -> list[Record]:
        """Crypto and fiat records in ``[start_ms, end_ms)``, oldest first, each once."""
        found = fetch_history(venue, self.direction, start_ms, end_ms, on_page)
        records = {}
        for kind, tx in found:
            record = self.build(tx, venue.name, kind)
            records[self.record_id(record)] = record
        return sorted(records.values(), key=lambda r: (r.ts, self.record_id(r)))

    def frame(self, records: list[Record], synced_at: datetime) -> pd.DataFrame:
        """Rows for the ledger's table."""
        frame = pd.DataFrame([asdict(r) for r in records])
        if frame.empty:
            return frame
        frame["ts"] = utc_micros(frame["ts"])
        frame["updated"] = utc_micros(frame["updated"])
        frame["synced_at"] = utc_micros([synced_at] * len(frame))
        return frame

    def write(self, questdb: QuestDBResource, records: list[Record]) -> pd.DataFrame:
        """Upsert ``records`` and wait until they are readable; return the rows written."""
        frame = self.frame(records, datetime.now(UTC))
        questdb.writer.write_dataframe(self.table, frame, symbols=SYMBOLS)
        questdb.reader.wait_visible(self.table)
        return frame

    def source(self) -> HistorySource:
        """The ledger as a history dataset (windows of ``COMMIT_DAYS``)."""

        def fetch_window(
            exchanges: ExchangesResource, exchange: str, window: Window, pages: PageCounter
        ) -> pd.DataFrame:
            with exchanges.client(exchange) as venue:
                found = self.fetch(venue, window.start_ms, window.end_ms, on_page=pages.page)
            return self.frame(found, datetime.now(UTC))

        return HistorySource(
            table=self.table,
            symbols=SYMBOLS,
            window_days=COMMIT_DAYS,
            fetch=fetch_window,
            breakdown=["kind", "status"],
            preview_columns=["ts", self.id_column, "kind", "asset", "amount", "status"],
        )

    def asset(
        self, partitions_def: dg.PartitionsDefinition, description: str
    ) -> dg.AssetsDefinition:
        """The ledger's asset over ``partitions_def`` (exchange x day), ranged backfills."""
        return build_history_asset(
            self.source(),
            partitions_def,
            group_name="treasury",
            owners=TREASURY,
            description=description,
        )


WITHDRAWALS = Ledger("withdrawals", "withdrawals", "withdrawal_id", withdrawal_from_transaction)
DEPOSITS = Ledger("deposits", "deposits", "deposit_id", deposit_from_transaction)
