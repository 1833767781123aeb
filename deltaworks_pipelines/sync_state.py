"""Committed windows of history backfills, kept in QuestDB's ``sync_windows`` table.

A window is recorded only after its rows are written, so the record proves the rows
are stored. A run's lineage is the backfill it belongs to (the root backfill when a
backfill is re-executed) and its root run (when a run is re-executed); a run skips
the windows its lineage committed and fetches the rest. A fresh run (a new backfill,
a sensor's run for a changed day) has no committed windows and fetches all it covers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import dagster as dg

from deltaworks_pipelines.resources import QuestDBResource

TABLE = "sync_windows"
# The run tags Dagster sets on backfill runs (documented tag names, no public constant).
BACKFILL_ID_TAG = "dagster/backfill"
ROOT_BACKFILL_ID_TAG = "dagster/root_backfill_id"
SYMBOLS = ["dataset", "exchange"]
_COMMITTED = f"""
SELECT ts, window_end FROM {TABLE}
WHERE dataset = %s AND exchange = %s AND (backfill_id = %s OR root_run_id = %s)
"""


@dataclass(frozen=True)
class Lineage:
    """Which earlier runs' committed windows a run may skip."""

    backfill_id: str
    root_run_id: str
    run_id: str

    @classmethod
    def of(cls, run: dg.DagsterRun) -> Lineage:
        tags = run.tags
        backfill = tags.get(ROOT_BACKFILL_ID_TAG) or tags.get(BACKFILL_ID_TAG) or ""
        return cls(backfill, run.root_run_id or run.run_id, run.run_id)


@dataclass(frozen=True)
class Window:
    """Whole UTC days ``[first, last]`` of one exchange, fetched and committed together."""

    exchange: str
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime(self.first.year, self.first.month, self.first.day, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return datetime(self.last.year, self.last.month, self.last.day, tzinfo=UTC) + timedelta(
            days=1
        )

    @property
    def start_ms(self) -> int:
        return int(self.start.timestamp() * 1000)

    @property
    def end_ms(self) -> int:
        return int(self.end.timestamp() * 1000)

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def __str__(self) -> str:
        return f"{self.first}..{self.last}"


def plan_windows(
    exchange: str, days: list[date], committed: set[date], window_days: int
) -> list[Window]:
    """The days not yet ``committed`` as windows of at most ``window_days`` contiguous days."""
    windows: list[Window] = []
    first = previous = None
    for day in sorted(set(days) - committed):
        contiguous = previous is not None and (day - previous).days == 1
        if first is not None and (not contiguous or (day - first).days >= window_days):
            windows.append(Window(exchange, first, previous))
            first = None
        if first is None:
            first = day
        previous = day
    if first is not None:
        windows.append(Window(exchange, first, previous))
    return windows


def committed_days(
    questdb: QuestDBResource, dataset: str, exchange: str, lineage: Lineage
) -> set[date]:
    """Days of ``exchange`` whose ``dataset`` rows ``lineage`` has already committed."""
    questdb.reader.wait_visible(TABLE)
    rows = questdb.reader.query(
        _COMMITTED, (dataset, exchange, lineage.backfill_id or None, lineage.root_run_id)
    )
    days: set[date] = set()
    for row in rows:
        start = row["ts"].replace(tzinfo=UTC)
        end = row["window_end"].replace(tzinfo=UTC)
        days.update(
            (start + timedelta(days=n)).date() for n in range((end - start) // timedelta(days=1))
        )
    return days


def commit_window(
    questdb: QuestDBResource,
    dataset: str,
    window: Window,
    lineage: Lineage,
    pages: int,
    records: int,
) -> None:
    """Record ``window`` as committed; call only once its rows are written."""
    questdb.writer.write_rows(
        TABLE,
        [
            {
                "ts": window.start,
                "dataset": dataset,
                "exchange": window.exchange,
                "window_end": window.end,
                "backfill_id": lineage.backfill_id,
                "root_run_id": lineage.root_run_id,
                "run_id": lineage.run_id,
                "pages": pages,
                "records": records,
                "committed_at": datetime.now(UTC),
            }
        ],
        symbols=SYMBOLS,
    )
