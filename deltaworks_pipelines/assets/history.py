"""History assets over exchange x day partitions, backfilled as ranges: one run per exchange.

A history asset (withdrawals, candles, and any dataset described by a
``HistorySource``) has ``BackfillPolicy.single_run()``: Dagster's backfill groups
the selected partitions by exchange (the dimension with fewer keys) into
contiguous day ranges and launches one run per range, so a year of two exchanges
is two runs. The run covers each of its exchanges in one pass, holding the
exchange's pool slot: the missing days become windows of up to
``window_days`` days, oldest first; each window is fetched with the source's own
paging, written in one ILP batch and then recorded as committed. A run that fails
stops at the failed window; its re-execution (or the backfill's) skips the
committed windows and fetches the rest. A single-day run takes the same path.
"""

import threading
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

import dagster as dg
import pandas as pd

from deltaworks_pipelines.assets._common import exchange_failure, preview, run_parallel
from deltaworks_pipelines.partitions import ExchangeDay
from deltaworks_pipelines.pools import exchange_slot
from deltaworks_pipelines.resources import ExchangeError, ExchangesResource, QuestDBResource
from deltaworks_pipelines.sync_state import (
    Lineage,
    Window,
    commit_window,
    committed_days,
    plan_windows,
)

OnPage = Callable[[], None]  # a fetch calls it once per exchange response


class PageCounter:
    """Pages fetched in one window; the fetch calls ``page()`` once per exchange response."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def page(self) -> None:
        with self._lock:
            self.count += 1


FetchWindow = Callable[[ExchangesResource, str, Window, PageCounter], pd.DataFrame]


@dataclass(frozen=True)
class HistorySource:
    """One history dataset: its table and how one window of one exchange is fetched.

    ``fetch`` returns the window's rows ready for ``table`` (``ts`` designated);
    ``breakdown`` names columns whose value counts the asset reports.
    """

    table: str
    symbols: Sequence[str]
    window_days: int
    fetch: FetchWindow
    breakdown: Sequence[str]
    preview_columns: Sequence[str]


@dataclass
class ExchangeProgress:
    """What a run did for one exchange."""

    exchange: str
    days: int
    days_already_committed: int
    windows: int
    pool_wait_s: float
    pages: int = 0
    records: int = 0
    windows_done: int = 0
    counts: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    latest: pd.DataFrame | None = None

    def add(self, source: HistorySource, frame: pd.DataFrame, pages: int) -> None:
        self.pages += pages
        self.records += len(frame)
        self.windows_done += 1
        for column in source.breakdown:
            if not frame.empty:
                self.counts[column].update(frame[column].astype(str).value_counts().to_dict())
        if not frame.empty:
            self.latest = frame


def days_by_exchange(partition_keys: Sequence[str]) -> dict[str, list[date]]:
    """The run's partitions grouped by exchange, days sorted."""
    grouped: dict[str, list[date]] = defaultdict(list)
    for key in partition_keys:
        part = ExchangeDay.parse(key)
        grouped[part.exchange].append(part.day)
    return {name: sorted(days) for name, days in sorted(grouped.items())}


def sync_exchange(
    context: dg.AssetExecutionContext,
    source: HistorySource,
    questdb: QuestDBResource,
    exchanges: ExchangesResource,
    exchange: str,
    days: list[date],
) -> ExchangeProgress:
    """Fetch and store ``days`` of ``exchange`` window by window, skipping committed ones."""
    lineage = Lineage.of(context.run)
    with exchange_slot(context, exchange) as waited:
        committed = committed_days(questdb, source.table, exchange, lineage)
        windows = plan_windows(exchange, days, committed, source.window_days)
        progress = ExchangeProgress(
            exchange, len(days), len(set(days) & committed), len(windows), round(waited, 3)
        )
        context.log.info(
            f"{source.table} {exchange}: {len(days)} days, {progress.days_already_committed} "
            f"already committed, {len(windows)} windows to fetch"
        )
        for window in windows:
            pages = PageCounter()
            try:
                frame = source.fetch(exchanges, exchange, window, pages)
            except ExchangeError:
                context.log.error(
                    f"{source.table} {exchange}: window {window} failed after {pages.count} "
                    f"pages; {progress.windows_done} windows committed, a re-execution resumes "
                    f"at {window.first}"
                )
                raise
            questdb.writer.write_dataframe(source.table, frame, symbols=list(source.symbols))
            commit_window(questdb, source.table, window, lineage, pages.count, len(frame))
            progress.add(source, frame, pages.count)
            context.log.info(
                f"{source.table} {exchange}: window {progress.windows_done}/{len(windows)} "
                f"{window} committed: {pages.count} pages, {len(frame):,} records "
                f"(total {progress.pages} pages, {progress.records:,} records)"
            )
    return progress


def history_metadata(source: HistorySource, results: list[ExchangeProgress]) -> dict[str, Any]:
    """Pages, records and windows of the run, per exchange and in total, and a preview."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for result in results:
        for column, values in result.counts.items():
            counts[column].update(values)
    metadata: dict[str, Any] = {
        "records_written": sum(r.records for r in results),
        "pages_fetched": sum(r.pages for r in results),
        "windows_fetched": sum(r.windows_done for r in results),
        "days_already_committed": sum(r.days_already_committed for r in results),
        "by_exchange": {
            r.exchange: {
                "days": r.days,
                "records": r.records,
                "pages": r.pages,
                "windows": r.windows_done,
                "pool_wait_s": r.pool_wait_s,
            }
            for r in results
        },
    }
    metadata.update({f"by_{column}": dict(values) for column, values in counts.items()})
    latest = [r.latest for r in results if r.latest is not None]
    if latest:
        metadata["preview"] = preview(latest[-1], list(source.preview_columns))
    return metadata


def build_history_asset(
    source: HistorySource,
    partitions_def: dg.PartitionsDefinition,
    *,
    group_name: str,
    owners: Sequence[str],
    description: str,
) -> dg.AssetsDefinition:
    """An asset storing ``source`` over ``partitions_def`` (exchange x day), ranged backfills."""

    with warnings.catch_warnings():  # backfill_policy is "beta" in Dagster 1.13, and relied on
        warnings.simplefilter("ignore", dg.BetaWarning)
        return _history_asset(source, partitions_def, group_name, owners, description)


def _history_asset(
    source: HistorySource,
    partitions_def: dg.PartitionsDefinition,
    group_name: str,
    owners: Sequence[str],
    description: str,
) -> dg.AssetsDefinition:
    @dg.asset(
        name=source.table,
        partitions_def=partitions_def,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name=group_name,
        owners=list(owners),
        kinds={"questdb", "ccxt"},
        description=description,
    )
    def history(
        context: dg.AssetExecutionContext, questdb: QuestDBResource, exchanges: ExchangesResource
    ) -> dg.MaterializeResult:
        grouped = days_by_exchange(context.partition_keys)
        tasks = [
            partial(sync_exchange, context, source, questdb, exchanges, name, days)
            for name, days in grouped.items()
        ]
        with exchange_failure():
            results = run_parallel(tasks, exchanges.max_workers)
        questdb.reader.wait_visible(source.table)
        return dg.MaterializeResult(metadata=history_metadata(source, results))

    return history
