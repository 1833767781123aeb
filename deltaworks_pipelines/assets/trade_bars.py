"""``trade_ohlcv_daily``: the recorder's trades rolled into one OHLCV bar per exchange, symbol
and UTC day (QuestDB ``SAMPLE BY 1d``), and a check of the recorded trades against the
exchange's own 1-minute candles.

The roll-up runs inside QuestDB (``INSERT INTO ... SELECT ... SAMPLE BY``); the table
deduplicates on (day, exchange, symbol), so re-running a day replaces its bars.
"""

from datetime import UTC, datetime
from typing import Any

import dagster as dg
import pandas as pd

from deltaworks_pipelines.assets.candles import MINUTE_MS, fetch_candles
from deltaworks_pipelines.partitions import ExchangeDay
from deltaworks_pipelines.resources import ExchangesResource, QuestDBResource

ASSET = "trade_ohlcv_daily"
TABLE = "trade_ohlcv_daily"
PRICE_TOLERANCE = 1e-9  # relative: the same prices, printed with the market's precision
VOLUME_TOLERANCE = 1e-6  # relative: sums of amounts in floating point
EXAMPLES = 5

_ROLL_UP = f"""
INSERT INTO {TABLE} (ts, exchange, symbol, open, high, low, close, volume, trades,
                     first_trade, last_trade)
SELECT ts, exchange, symbol, first(price), max(price), min(price), last(price), sum(amount),
       count(), min(received_ts), max(received_ts)
FROM (SELECT ts, ts received_ts, exchange, symbol, price, amount FROM trades
      WHERE exchange = %s AND ts >= %s AND ts < %s)
SAMPLE BY 1d ALIGN TO CALENDAR
"""
_BARS = f"SELECT * FROM {TABLE} WHERE exchange = %s AND ts = %s ORDER BY symbol"
_MINUTES = """
SELECT ts, first(price) open, max(price) high, min(price) low, last(price) close,
       sum(amount) volume
FROM trades WHERE exchange = %s AND symbol = %s AND ts >= %s AND ts < %s
SAMPLE BY 1m ALIGN TO CALENDAR
"""


def _ms(stamp: datetime) -> int:
    return int(stamp.replace(tzinfo=UTC).timestamp() * 1000)


def build_trade_bars(partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """The ``trade_ohlcv_daily`` asset over ``partitions_def`` (exchange x day)."""

    @dg.asset(
        name=ASSET,
        partitions_def=partitions_def,
        group_name="market_data",
        description="Daily OHLCV per exchange and symbol from the recorder's trades "
        "(SAMPLE BY 1d in QuestDB); first_trade/last_trade show what the recording covered.",
    )
    def trade_ohlcv_daily(
        context: dg.AssetExecutionContext, questdb: QuestDBResource
    ) -> dg.MaterializeResult:
        part = ExchangeDay.parse(context.partition_key)
        reader = questdb.reader
        reader.wait_visible(["trades", TABLE])
        reader.execute(_ROLL_UP, (part.exchange, part.start, part.end))
        reader.wait_visible(TABLE)
        bars = reader.query(_BARS, (part.exchange, part.start))
        return dg.MaterializeResult(
            metadata={
                "symbols": len(bars),
                "trades": sum(bar["trades"] for bar in bars),
                "bars": dg.MetadataValue.md(_bars_table(bars)),
            }
        )

    return trade_ohlcv_daily


def _bars_table(bars: list[dict[str, Any]]) -> str:
    columns = ["symbol", "open", "high", "low", "close", "volume", "trades"]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(bar[c]) for c in columns) + " |" for bar in bars]
    return "\n".join(lines)


def _differs(recorded: float, exchange: float, tolerance: float) -> bool:
    return abs(recorded - exchange) > tolerance * max(abs(exchange), 1e-12)


def compare_minutes(recorded: pd.DataFrame, candles: pd.DataFrame) -> list[str]:
    """Minutes where the recorded trades' bar differs from the exchange's candle."""
    exchange = candles.set_index(candles["ts"].dt.tz_convert(UTC))
    minutes = {pd.Timestamp(stamp, tz=UTC) for stamp in recorded["ts"]} if len(recorded) else set()
    problems = [
        f"{stamp:%H:%M} traded {candle['volume']} on the exchange but no trade was recorded"
        for stamp, candle in exchange.iterrows()
        if candle["volume"] > 0 and stamp not in minutes
    ]
    for row in recorded.itertuples():
        stamp = pd.Timestamp(row.ts, tz=UTC)
        if stamp not in exchange.index:
            problems.append(f"{stamp:%H:%M} has trades but no exchange candle")
            continue
        candle = exchange.loc[stamp]
        for field, tolerance in (
            ("open", PRICE_TOLERANCE),
            ("high", PRICE_TOLERANCE),
            ("low", PRICE_TOLERANCE),
            ("close", PRICE_TOLERANCE),
            ("volume", VOLUME_TOLERANCE),
        ):
            if _differs(getattr(row, field), float(candle[field]), tolerance):
                problems.append(
                    f"{stamp:%H:%M} {field} {getattr(row, field)} != {float(candle[field])}"
                )
    return problems


@dg.asset_check(
    asset=ASSET,
    name="trades_match_exchange_candles",
    description="Within what the recording covered (its whole minutes), the recorded "
    "trades make the exchange's own 1m candles: same open, high, low, close and volume.",
)
def trades_match_exchange_candles(
    context: dg.AssetCheckExecutionContext, questdb: QuestDBResource, exchanges: ExchangesResource
) -> dg.AssetCheckResult:
    part = ExchangeDay.parse(context.partition_key)
    reader = questdb.reader
    compared: dict[str, int] = {}
    problems: list[str] = []
    for bar in reader.query(_BARS, (part.exchange, part.start)):
        # the first and last minutes may hold trades from before or after the recording
        start_ms = _ms(bar["first_trade"]) // MINUTE_MS * MINUTE_MS + MINUTE_MS
        end_ms = _ms(bar["last_trade"]) // MINUTE_MS * MINUTE_MS
        if end_ms <= start_ms:
            compared[bar["symbol"]] = 0
            continue
        recorded = pd.DataFrame(
            reader.query(
                _MINUTES,
                (
                    part.exchange,
                    bar["symbol"],
                    datetime.fromtimestamp(start_ms / 1000, UTC),
                    datetime.fromtimestamp(end_ms / 1000, UTC),
                ),
            )
        )
        with exchanges.client(part.exchange) as venue:
            candles = fetch_candles(venue, bar["symbol"], start_ms, end_ms)
        compared[bar["symbol"]] = len(recorded)
        problems += [f"{bar['symbol']} {p}" for p in compare_minutes(recorded, candles)]
    return dg.AssetCheckResult(
        passed=not problems,
        metadata={
            "exchange": part.exchange,
            "day": str(part.day),
            "minutes_compared": compared,
            "mismatches": len(problems),
            "examples": "; ".join(problems[:EXAMPLES]) or "none",
        },
    )
