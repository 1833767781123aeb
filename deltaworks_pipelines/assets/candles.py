"""``candles``: 1m OHLCV of every configured symbol of an exchange for one day."""

from datetime import UTC, datetime
from functools import partial
from typing import Any

import dagster as dg
import pandas as pd

from deltaworks_pipelines.assets._common import (
    exchange_failure,
    preview,
    run_parallel,
    utc_micros,
)
from deltaworks_pipelines.partitions import ExchangeDay
from deltaworks_pipelines.resources import ExchangeClient, ExchangesResource, QuestDBResource

TABLE = "candles"
SYMBOLS = ["exchange", "symbol", "timeframe"]
OHLCV = ["ts", "open", "high", "low", "close", "volume"]
PAGE = 1000  # Binance klines: limit <= 1000
MINUTE_MS = 60_000


def fetch_candles(venue: ExchangeClient, symbol: str, start_ms: int, end_ms: int) -> pd.DataFrame:
    """1m candles of ``symbol`` opening in ``[start_ms, end_ms)``, paging by time."""
    rows: list[list[Any]] = []
    since = start_ms
    while since < end_ms:
        page = venue.fetch_ohlcv(symbol, "1m", since, PAGE, {"until": end_ms - 1})
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
    exchanges: ExchangesResource, exchange: str, symbol: str, start_ms: int, end_ms: int
) -> pd.DataFrame:
    with exchanges.client(exchange) as venue:
        return fetch_candles(venue, symbol, start_ms, end_ms)


def build_candles(partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """The ``candles`` asset over ``partitions_def`` (exchange x day)."""

    @dg.asset(
        name=TABLE,
        partitions_def=partitions_def,
        group_name="market_data",
        kinds={"questdb", "ccxt"},
        description="1m OHLCV candles of the exchange's configured symbols, for VWAP "
        "profiles and backtests. Today's partition holds the minutes closed so far.",
    )
    def candles(
        context: dg.AssetExecutionContext, questdb: QuestDBResource, exchanges: ExchangesResource
    ) -> dg.MaterializeResult:
        part = ExchangeDay.parse(context.partition_key)
        now_ms = int(datetime.now(UTC).timestamp() * 1000)
        end_ms = min(part.end_ms, now_ms - now_ms % MINUTE_MS)
        symbols = list(exchanges.exchange_settings(part.exchange).symbols)
        tasks = [
            partial(_symbol_candles, exchanges, part.exchange, s, part.start_ms, end_ms)
            for s in symbols
        ]
        with exchange_failure():
            frames = run_parallel(tasks, exchanges.max_workers)
        frame = pd.concat(frames, ignore_index=True)
        questdb.writer.write_dataframe(TABLE, frame, symbols=SYMBOLS)
        questdb.reader.wait_visible(TABLE)
        context.log.info(f"candles {part.exchange} {part.day}: {len(frame)} rows upserted")
        return dg.MaterializeResult(
            metadata={
                "dagster/row_count": len(frame),
                "candles_by_symbol": {k: int(v) for k, v in frame["symbol"].value_counts().items()},
                "preview": preview(frame, ["ts", "symbol", *OHLCV[1:]]),
            }
        )

    return candles
