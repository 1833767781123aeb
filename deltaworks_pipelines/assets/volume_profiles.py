"""``volume_profiles``: each symbol's hourly volume profile, learnt from the stored 1m candles.

For the partition's day, the candles of the ``PROFILE_DAYS`` days up to its end are summed
per UTC hour in QuestDB; an hour's volume is its average over the minutes present, and its
share is that against the day. The execution service's VWAP follows the latest profile.
"""

from datetime import timedelta
from typing import Any

import dagster as dg

from deltaworks_pipelines.partitions import ExchangeDay
from deltaworks_pipelines.resources import QuestDBResource

ASSET = "volume_profiles"
TABLE = "volume_profiles"
PROFILE_DAYS = 14
_HOURS = """
SELECT symbol, hour(ts) hour, sum(volume) volume, count() minutes FROM candles
WHERE exchange = %s AND timeframe = '1m' AND ts >= %s AND ts < %s
GROUP BY symbol, hour ORDER BY symbol, hour
"""


def hourly_profiles(rows: list[dict[str, Any]]) -> dict[str, list[tuple[int, float, int]]]:
    """Per symbol, (hour, average volume of that hour, minutes seen) from summed candles;
    hours without a candle are left out."""
    out: dict[str, list[tuple[int, float, int]]] = {}
    for row in rows:
        if row["minutes"]:
            hourly = row["volume"] / row["minutes"] * 60
            out.setdefault(row["symbol"], []).append((row["hour"], hourly, row["minutes"]))
    return out


def build_volume_profiles(partitions_def: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """The ``volume_profiles`` asset over ``partitions_def`` (exchange x day)."""

    @dg.asset(
        name=ASSET,
        partitions_def=partitions_def,
        deps=["candles"],
        group_name="market_data",
        description=f"Hourly volume profile per symbol from the last {PROFILE_DAYS} days of "
        "1m candles: average volume and share of the day per UTC hour, for VWAP.",
    )
    def volume_profiles(
        context: dg.AssetExecutionContext, questdb: QuestDBResource
    ) -> dg.MaterializeResult:
        part = ExchangeDay.parse(context.partition_key)
        reader = questdb.reader
        reader.wait_visible(["candles", TABLE])
        start = part.end - timedelta(days=PROFILE_DAYS)
        profiles = hourly_profiles(reader.query(_HOURS, (part.exchange, start, part.end)))
        rows = []
        for symbol, hours in profiles.items():
            day = sum(volume for _, volume, _ in hours)
            rows += [
                {
                    "ts": part.start,
                    "exchange": part.exchange,
                    "symbol": symbol,
                    "hour": hour,
                    "volume": volume,
                    "share": volume / day if day else 0.0,
                    "minutes": minutes,
                }
                for hour, volume, minutes in hours
            ]
        questdb.writer.write_rows(TABLE, rows, symbols=("exchange", "symbol"))
        return dg.MaterializeResult(metadata={"symbols": len(profiles), "rows": len(rows)})

    return volume_profiles
