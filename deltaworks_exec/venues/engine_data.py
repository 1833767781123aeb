"""Market history of a simulated exchange: 1m candles and the interval VWAP of its trades."""

from __future__ import annotations

from typing import Any

from deltaworks_core.models import utc_from_ms
from deltaworks_core.venues.simulator import ExchangeEngine

MINUTE_MS = 60_000


def _klines(engine: ExchangeEngine, symbol: str, start_ms: int, end_ms: int) -> list[tuple]:
    """Closed 1m klines with open time in [start_ms, end_ms), paged 1,000 at a time."""
    out: list[tuple] = []
    since = start_ms
    while since < end_ms:
        page = engine.klines(symbol, "1m", start_ms=since, end_ms=end_ms - 1, limit=1000)
        if not page:
            break
        out.extend(k for k in page if k[0] < end_ms)
        since = page[-1][0] + MINUTE_MS
    return out


def candle_rows(
    engine: ExchangeEngine, symbol: str, start_ms: int, end_ms: int
) -> list[dict[str, Any]]:
    """``candles`` rows (timeframe 1m) of ``symbol`` between two times, in market units."""
    m = engine.market(symbol)
    rows = []
    for k in _klines(engine, symbol, start_ms, end_ms):
        rows.append(
            {
                "ts": utc_from_ms(k[0]),
                "exchange": engine.name,
                "symbol": m.symbol,
                "timeframe": "1m",
                "open": float(k[1] * m.tick),
                "high": float(k[2] * m.tick),
                "low": float(k[3] * m.tick),
                "close": float(k[4] * m.tick),
                "volume": float(k[5] * m.step),
            }
        )
    return rows


def interval_vwap(engine: ExchangeEngine, symbol: str, start_ms: int, end_ms: int) -> float:
    """Volume-weighted price of the market's trades in whole minutes of [start_ms, end_ms)."""
    m = engine.market(symbol)
    klines = _klines(engine, symbol, start_ms, end_ms)
    volume = sum(k[5] for k in klines)
    if not volume:
        raise ValueError(f"no trades of {symbol} between {start_ms} and {end_ms}")
    return float(sum(k[7] for k in klines) * m.tick / volume)
