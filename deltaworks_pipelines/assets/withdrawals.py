"""``withdrawals``: every crypto and fiat withdrawal applied on one day at one exchange.

Rows are keyed by (ts = applied time, exchange, withdrawal_id): a status change
re-writes the same key and QuestDB's dedup replaces the row, so re-running a
day or a sync window never duplicates a withdrawal. The asset is a history
asset (``assets.history``): a backfill of many days is one run per exchange.
"""

from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import dagster as dg
import pandas as pd

from deltaworks_core.models import Withdrawal
from deltaworks_core.venues.normalize import withdrawal_from_transaction
from deltaworks_core.venues.profiles import HistoryPaging, profile_for
from deltaworks_pipelines.assets._common import TREASURY, utc_micros
from deltaworks_pipelines.assets.history import (
    HistorySource,
    OnPage,
    PageCounter,
    build_history_asset,
)
from deltaworks_pipelines.resources import ExchangeClient, ExchangesResource, QuestDBResource
from deltaworks_pipelines.sync_state import Window

TABLE = "withdrawals"
SYMBOLS = ["exchange", "kind", "asset", "network", "status", "status_raw"]
FIAT_PAGE = 500  # Binance fiat/orders: rows <= 500, paged by page number
COMMIT_DAYS = 30  # a backfill commits (and can resume) every 30 days of history

Pages = Callable[[ExchangeClient, HistoryPaging, int, int, OnPage], Iterator[dict[str, Any]]]


def _by_offset(
    venue: ExchangeClient, paging: HistoryPaging, start_ms: int, end_ms: int, on_page: OnPage
) -> Iterator[dict[str, Any]]:
    """Binance's crypto history: pages of ``page_size`` by ``offset``; a short page ends it."""
    offset = 0
    while True:
        page = venue.fetch_withdrawals(
            None, start_ms, paging.page_size, {"endTime": end_ms - 1, "offset": offset}
        )
        on_page()
        yield from page
        if len(page) < paging.page_size:
            return
        offset += len(page)


def _by_until(
    venue: ExchangeClient, paging: HistoryPaging, start_ms: int, end_ms: int, on_page: OnPage
) -> Iterator[dict[str, Any]]:
    """Newest-first history (OKX's ``after`` cursor, ccxt's ``until``): each next page
    ends just after the oldest record seen; a short page ends it."""
    until = end_ms
    seen: set[str] = set()
    while True:
        page = venue.fetch_withdrawals(None, start_ms, paging.page_size, {"until": until})
        on_page()
        new = [tx for tx in page if str(tx.get("id")) not in seen]
        yield from new
        seen.update(str(tx.get("id")) for tx in new)
        if len(page) < paging.page_size:
            return
        oldest = min(int(tx["timestamp"]) for tx in page)
        # the bound is exclusive: +1 re-reads the oldest millisecond, unless a whole page
        # shared it (then move past it rather than loop)
        until = oldest + 1 if new and oldest + 1 < until else oldest


def _fiat(
    venue: ExchangeClient, paging: HistoryPaging, start_ms: int, end_ms: int, on_page: OnPage
) -> Iterator[dict[str, Any]]:
    """Binance's separate fiat history: pages of ``FIAT_PAGE`` by page number."""
    page_number = 1
    while True:
        page = venue.fetch_withdrawals(
            None,
            start_ms,
            None,
            {"fiat": True, "until": end_ms - 1, "page": page_number, "rows": FIAT_PAGE},
        )
        on_page()
        yield from page
        if len(page) < FIAT_PAGE:
            return
        page_number += 1


_CURSORS: dict[str, Pages] = {"offset": _by_offset, "until": _by_until}


def fetch_withdrawals(
    venue: ExchangeClient, start_ms: int, end_ms: int, on_page: OnPage = lambda: None
) -> list[Withdrawal]:
    """Crypto and fiat withdrawals applied in ``[start_ms, end_ms)``, oldest first, by id once.

    Pages by the exchange profile's rules (page size, cursor, longest window, a
    separate fiat pass), calling ``on_page`` after every response. When nothing is
    new, each window costs one request per pass.
    """
    paging = profile_for(venue.config.ccxt_id).withdrawals
    if paging.currency_required:
        raise NotImplementedError(
            f"withdrawals of {venue.name}: {venue.config.ccxt_id} lists withdrawals per "
            "currency, which this sync does not do yet"
        )
    passes: list[tuple[str, Pages]] = [("crypto", _CURSORS[paging.cursor])]
    if paging.fiat_pass:
        passes.append(("fiat", _fiat))
    step = paging.window_ms or max(end_ms - start_ms, 1)
    found: dict[str, Withdrawal] = {}
    for window_start in range(start_ms, end_ms, step):
        window_end = min(window_start + step, end_ms)
        for kind, pages in passes:
            for tx in pages(venue, paging, window_start, window_end, on_page):
                withdrawal = withdrawal_from_transaction(tx, venue.name, kind)
                ms = int(withdrawal.ts.timestamp() * 1000)
                if start_ms <= ms < end_ms:
                    found[withdrawal.withdrawal_id] = withdrawal
    return sorted(found.values(), key=lambda w: (w.ts, w.withdrawal_id))


def withdrawals_frame(withdrawals: list[Withdrawal], synced_at: datetime) -> pd.DataFrame:
    """Rows for the ``withdrawals`` table."""
    frame = pd.DataFrame([asdict(w) for w in withdrawals])
    if frame.empty:
        return frame
    frame["ts"] = utc_micros(frame["ts"])
    frame["updated"] = utc_micros(frame["updated"])
    frame["synced_at"] = utc_micros([synced_at] * len(frame))
    return frame


def write_withdrawals(questdb: QuestDBResource, withdrawals: list[Withdrawal]) -> pd.DataFrame:
    """Upsert ``withdrawals`` and wait until they are readable; return the rows written."""
    frame = withdrawals_frame(withdrawals, datetime.now(UTC))
    questdb.writer.write_dataframe(TABLE, frame, symbols=SYMBOLS)
    questdb.reader.wait_visible(TABLE)
    return frame


def _fetch_window(
    exchanges: ExchangesResource, exchange: str, window: Window, pages: PageCounter
) -> pd.DataFrame:
    with exchanges.client(exchange) as venue:
        found = fetch_withdrawals(venue, window.start_ms, window.end_ms, on_page=pages.page)
    return withdrawals_frame(found, datetime.now(UTC))


WITHDRAWALS = HistorySource(
    table=TABLE,
    symbols=SYMBOLS,
    window_days=COMMIT_DAYS,
    fetch=_fetch_window,
    breakdown=["kind", "status"],
    preview_columns=["ts", "withdrawal_id", "kind", "asset", "amount", "status", "status_raw"],
)


def build_withdrawals(partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """The ``withdrawals`` asset over ``partitions_def`` (exchange x day), ranged backfills."""
    return build_history_asset(
        WITHDRAWALS,
        partitions_def,
        group_name="treasury",
        owners=TREASURY,
        description="Crypto and fiat withdrawals applied on the day; status changes update "
        "the same row. Kept current by the withdrawal_sync sensor; a backfill of many days "
        "runs once per exchange.",
    )
