"""Partitions: history per exchange and UTC day; snapshots per exchange only.

History assets (withdrawals, candles) exist for every past day, so they are
partitioned by exchange x day and a day can be backfilled or re-run. Snapshot
assets (holdings, portfolio value) exist only from the moment they are taken:
exchanges keep no balance history, so a day partition could never be filled
after that day. They are partitioned by exchange only; each materialization
appends a time-indexed snapshot to the table.

The exchange dimension is a ``StaticPartitionsDefinition`` over the names in
``deltaworks.toml``: adding an exchange to the configuration adds its
partitions. The day dimension ends one day after today (``end_offset=1``), so
today's partition exists while the day runs and the sensor can sync it. 20
exchanges over 10 years is 73,000 partitions, below Dagster's 100,000; the snapshot
interval is a schedule setting, never a partition size.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from deltaworks_core.config import Settings

EXCHANGE = "exchange"
DATE = "date"
DAY_FORMAT = "%Y-%m-%d"


def exchange_partitions(settings: Settings) -> dg.StaticPartitionsDefinition:
    """One partition per configured exchange, for snapshots."""
    return dg.StaticPartitionsDefinition([e.name for e in settings.exchanges])


def exchange_day_partitions(settings: Settings) -> dg.MultiPartitionsDefinition:
    """Configured exchanges x UTC days from ``pipelines.partitions_start_date`` to today."""
    return dg.MultiPartitionsDefinition(
        {
            EXCHANGE: exchange_partitions(settings),
            DATE: dg.DailyPartitionsDefinition(
                start_date=settings.pipelines.partitions_start_date,
                end_offset=1,
                timezone="UTC",
                fmt=DAY_FORMAT,
            ),
        }
    )


def partition_key(exchange: str, day: date) -> dg.MultiPartitionKey:
    """The partition of ``exchange`` on ``day``."""
    return dg.MultiPartitionKey({EXCHANGE: exchange, DATE: day.strftime(DAY_FORMAT)})


@dataclass(frozen=True)
class ExchangeDay:
    """One (exchange, UTC day) partition with its time window ``[start, end)``."""

    exchange: str
    day: date

    @property
    def start(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(days=1)

    @property
    def start_ms(self) -> int:
        return int(self.start.timestamp() * 1000)

    @property
    def end_ms(self) -> int:
        return int(self.end.timestamp() * 1000)

    @property
    def key(self) -> dg.MultiPartitionKey:
        return partition_key(self.exchange, self.day)

    @classmethod
    def parse(cls, key: str | dg.MultiPartitionKey) -> ExchangeDay:
        """An ``ExchangeDay`` from a multi-partition key (object or ``"date|exchange"`` string)."""
        if not isinstance(key, dg.MultiPartitionKey):
            date_part, exchange = str(key).split("|", 1)
            key = dg.MultiPartitionKey({DATE: date_part, EXCHANGE: exchange})
        dims = key.keys_by_dimension
        day = datetime.strptime(dims[DATE], DAY_FORMAT).date()
        return cls(exchange=dims[EXCHANGE], day=day)


def range_tags(first: ExchangeDay, last: ExchangeDay) -> dict[str, str]:
    """Run tags selecting partitions ``first`` to ``last`` of one exchange, as a backfill does."""
    return {
        ASSET_PARTITION_RANGE_START_TAG: str(first.key),
        ASSET_PARTITION_RANGE_END_TAG: str(last.key),
    }


def utc_today(now: datetime | None = None) -> date:
    """Today's date in UTC (of ``now`` when given)."""
    return (now or datetime.now(UTC)).astimezone(UTC).date()


def days_between(start: datetime, end: datetime) -> list[date]:
    """Every UTC day touched by ``[start, end]``, oldest first."""
    first, last = start.astimezone(UTC).date(), end.astimezone(UTC).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
