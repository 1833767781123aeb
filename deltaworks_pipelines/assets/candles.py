"""``candles``: 1m OHLCV of every configured symbol of an exchange, per day."""

from datetime import UTC, datetime
from functools import partial
from typing import Any

import dagster as dg
import pandas as pd

from deltaworks_pipelines.assets._common import MARKET_DATA, run_parallel, utc_micros
from deltaworks_pipelines.assets.history import (
    HistorySource,
    OnPage,
    PageCounter,
    build_history_asset,
)
from deltaworks_pipelines.resources import ExchangeClient, ExchangesResource
from deltaworks_pipelines.sync_state import Window

TABLE = "candles"
SYMBOLS = ["exchange", "symbol", "timeframe"]
OHLCV = ["ts", "open", "high", "low", "close", "volume"]
PAGE = 1000  # Binance klines: limit <= 1000
MINUTE_MS = 60_000
COMMIT_DAYS = 7  # 10,080 candles per symbol between commits


def fetch_candles(
    venue: ExchangeClient, symbol: str, start_ms: int, end_ms: int, on_page: OnPage = lambda: None
) -> pd.DataFrame:
    """1m candles of ``symbol`` opening in ``[start_ms, end_ms)``, paging by time."""
    rows: list[list[Any]] = []
    since = start_ms
    while since < end_ms:
        page = venue.fetch_ohlcv(symbol, "1m", since, PAGE, {"until": end_ms - 1})
        on_page()
        page = [row for row in page if since <= row[0] < end_ms]
        if not page:
            break
        rows.extend(page)
        since = page[-1][0] + MINUTE_MS
    frame = pd.DataFrame(rows, columns=OHLCV)
    frame["ts"] = utc_micros(pd.to_datetime(frame["ts"], unit="ms", utc=True))
    frame.insert(1, "exchange", venue.name)
    frame.insert(2, "symbol", symbol)
    frame.insert(3, "timeframe", "1m")
    return frame


def _symbol_candles(
    exchanges: ExchangesResource, exchange: str, symbol: str, window: Window, pages: PageCounter
) -> pd.DataFrame:
    now_ms = int(datetime.now(UTC).timestamp() * 1000)
    end_ms = min(window.end_ms, now_ms - now_ms % MINUTE_MS)  # closed minutes only
    with exchanges.client(exchange) as venue:
        return fetch_candles(venue, symbol, window.start_ms, end_ms, pages.page)


def _fetch_window(
    exchanges: ExchangesResource, exchange: str, window: Window, pages: PageCounter
) -> pd.DataFrame:
    symbols = list(exchanges.exchange_settings(exchange).symbols)
    tasks = [partial(_symbol_candles, exchanges, exchange, s, window, pages) for s in symbols]
    return pd.concat(run_parallel(tasks, exchanges.max_workers), ignore_index=True)


CANDLES = HistorySource(
    table=TABLE,
    symbols=SYMBOLS,
    window_days=COMMIT_DAYS,
    fetch=_fetch_window,
    breakdown=["symbol"],
    preview_columns=["ts", "symbol", *OHLCV[1:]],
)


def build_candles(partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """The ``candles`` asset over ``partitions_def`` (exchange x day), ranged backfills."""
    return build_history_asset(
        CANDLES,
        partitions_def,
        group_name="market_data",
        owners=MARKET_DATA,
        description="1m OHLCV candles of the exchange's configured symbols, for VWAP "
        "profiles and backtests. Today's partition holds the minutes closed so far; a "
        "backfill of many days runs once per exchange.",
    )
