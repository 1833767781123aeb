"""Intraday volume profiles from the ``candles`` table: same time of day over the last N days."""

from __future__ import annotations

from datetime import UTC, datetime

from deltaworks_core.models import utc_from_ms
from deltaworks_core.questdb import QuestDBReader

DAY_MS = 86_400_000


class ProfileError(ValueError):
    """No usable candles for the requested profile."""


def load_profile(
    reader: QuestDBReader,
    exchange: str,
    symbol: str,
    start_ms: int,
    duration_s: float,
    bucket_s: int = 60,
    days: int = 5,
    timeframe: str = "1m",
) -> list[float]:
    """Average volume per ``bucket_s`` bucket of [start, start + duration) over the previous
    ``days`` days at the same time of day; days without candles do not count."""
    duration_ms = round(duration_s * 1000)
    if not 0 < duration_ms < DAY_MS or days < 1 or bucket_s <= 0:
        raise ProfileError("a profile needs 0 < duration < 1 day, days >= 1 and bucket_s > 0")
    rows = reader.query(
        "SELECT ts, volume FROM candles WHERE exchange = %s AND symbol = %s "
        "AND timeframe = %s AND ts >= %s AND ts < %s",
        (
            exchange,
            symbol,
            timeframe,
            utc_from_ms(start_ms - days * DAY_MS),
            utc_from_ms(start_ms - DAY_MS + duration_ms),
        ),
    )
    bucket_ms = bucket_s * 1000
    buckets = [0.0] * -(-duration_ms // bucket_ms)
    seen_days = set()
    for row in rows:
        ts: datetime = row["ts"]
        ts_ms = round((ts if ts.tzinfo else ts.replace(tzinfo=UTC)).timestamp() * 1000)
        offset = (ts_ms - start_ms) % DAY_MS
        if offset < duration_ms:
            buckets[offset // bucket_ms] += row["volume"]
            seen_days.add((ts_ms - start_ms) // DAY_MS)
    if not seen_days or sum(buckets) <= 0:
        raise ProfileError(
            f"no {timeframe} candles of {exchange} {symbol} at this time of day in the last "
            f"{days} days: the VWAP profile needs them (the pipelines fill 'candles')"
        )
    return [volume / len(seen_days) for volume in buckets]


HOUR_MS = 3_600_000
_LATEST_HOURS = """
SELECT hour, volume FROM volume_profiles
WHERE exchange = %s AND symbol = %s AND ts = (
    SELECT max(ts) FROM volume_profiles WHERE exchange = %s AND symbol = %s
)
"""


def load_hourly_profile(
    reader: QuestDBReader,
    exchange: str,
    symbol: str,
    start_ms: int,
    duration_s: float,
    bucket_s: int = 60,
) -> list[float]:
    """Expected volume per ``bucket_s`` bucket of [start, start + duration) from the latest
    hourly profile (``volume_profiles``, the pipelines' asset): each hour's average volume
    spread evenly over the hour."""
    duration_ms = round(duration_s * 1000)
    if not 0 < duration_ms < DAY_MS or bucket_s <= 0:
        raise ProfileError("a profile needs 0 < duration < 1 day and bucket_s > 0")
    rows = reader.query(_LATEST_HOURS, (exchange, symbol, exchange, symbol))
    hourly = {int(row["hour"]): row["volume"] for row in rows}
    if not hourly or sum(hourly.values()) <= 0:
        raise ProfileError(f"no hourly volume profile of {exchange} {symbol} stored yet")
    bucket_ms = bucket_s * 1000
    volumes = []
    for lo in range(start_ms, start_ms + duration_ms, bucket_ms):
        hi = min(lo + bucket_ms, start_ms + duration_ms)
        volume, t = 0.0, lo
        while t < hi:
            hour_end = (t // HOUR_MS + 1) * HOUR_MS
            part = min(hi, hour_end) - t
            volume += hourly.get(t % DAY_MS // HOUR_MS, 0.0) * part / HOUR_MS
            t += part
        volumes.append(volume)
    if sum(volumes) <= 0:
        raise ProfileError(f"the hourly profile of {exchange} {symbol} has no volume then")
    return volumes
