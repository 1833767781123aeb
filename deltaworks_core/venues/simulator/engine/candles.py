"""Candles of every interval, aggregated from the market's per-second trades.

A candle row is (open time, open, high, low, close, volume, close time, quote volume,
trades, taker buy volume, taker buy quote volume); prices in ticks, volumes in steps,
quote volumes in steps times ticks.

The synthetic market's candles are computed on numpy arrays: a day has 86,400 trades and
a request may ask for 1,000 days. Two properties keep that cheap. The log-price is linear
between multiples of its layers' periods (whole seconds), hence monotonic there: a
candle's high and low lie on those grid points or its ends, so they are exact from a few
thousand evaluations a day. Candles of up to an hour sum every trade's volume exactly
(a 5m candle is the sum of its five 1m candles); longer ones sum ``SAMPLES`` evenly spread
trades scaled to the candle. Other liquidity sources (the backtester's) are aggregated
from their 1m klines.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .synthetic import STEP_MS, Synthetic

MINUTE_MS = 60_000
DAY_MS = 86_400_000
INTERVAL_MS = {
    "1m": MINUTE_MS,
    "3m": 3 * MINUTE_MS,
    "5m": 5 * MINUTE_MS,
    "15m": 15 * MINUTE_MS,
    "30m": 30 * MINUTE_MS,
    "1h": 60 * MINUTE_MS,
    "2h": 120 * MINUTE_MS,
    "4h": 240 * MINUTE_MS,
    "6h": 360 * MINUTE_MS,
    "8h": 480 * MINUTE_MS,
    "12h": 720 * MINUTE_MS,
    "1d": DAY_MS,
    "3d": 3 * DAY_MS,
    "1w": 7 * DAY_MS,
}
WEEK_OFFSET_MS = 4 * DAY_MS  # 1970-01-01 was a Thursday; weekly candles open on Mondays
EXACT_STEPS = 3_600  # candles of up to this many trades sum every one of them
SAMPLES = 1_440  # longer candles sum this many evenly spread trades, scaled

Candle = tuple[int, int, int, int, int, int, int, int, int, int, int]
OneMinute = Callable[[int], tuple | None]  # minute -> (o, h, l, c, v, qv, n, tbv, tbqv)


def offset_ms(interval_ms: int) -> int:
    """Where candles of ``interval_ms`` are aligned: weeks on Mondays, the rest on the epoch."""
    return WEEK_OFFSET_MS if interval_ms == 7 * DAY_MS else 0


def synthetic_candles(
    synth: Synthetic, first_ms: int, interval_ms: int, count: int, last_step: int
) -> list[Candle]:
    """``count`` consecutive candles opening at ``first_ms``, the trades up to ``last_step``."""
    size = interval_ms // STEP_MS
    first = first_ms // STEP_MS
    starts = first + size * np.arange(count, dtype=np.int64)
    ends = np.minimum(starts + size, last_step + 1)
    end = int(ends[-1])
    stride = 1 if size <= EXACT_STEPS else size // SAMPLES
    steps = np.arange(first, end, stride, dtype=np.int64)
    prices, qty, buyer_maker = synth.trades_at(steps)
    at = (starts - first) // stride
    scale = (ends - starts) / np.diff(np.append(at, len(steps)))
    quote = qty * prices
    sums = [
        np.add.reduceat(values, at) * scale
        for values in (qty, quote, np.where(buyer_maker, 0, qty), np.where(buyer_maker, 0, quote))
    ]
    opens = prices[at]
    if stride == 1:
        closes = prices[np.append(at[1:], len(prices)) - 1]
        highs, lows = np.maximum.reduceat(prices, at), np.minimum.reduceat(prices, at)
    else:
        closes = synth.ticks_at(ends - 1)
        highs, lows = _extremes(
            synth, starts, ends, np.maximum(opens, closes), np.minimum(opens, closes)
        )
    return [
        (
            int(starts[j]) * STEP_MS,
            int(opens[j]),
            int(highs[j]),
            int(lows[j]),
            int(closes[j]),
            round(sums[0][j]),
            int(starts[j]) * STEP_MS + interval_ms - 1,
            round(sums[1][j]),
            int(ends[j] - starts[j]),
            round(sums[2][j]),
            round(sums[3][j]),
        )
        for j in range(count)
    ]


def _extremes(
    synth: Synthetic, starts: np.ndarray, ends: np.ndarray, highs: np.ndarray, lows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Highs and lows over the price process's grid points inside each candle (the ends
    given in ``highs``/``lows``): between grid points the price is monotonic."""
    for period in _grid_steps(synth):
        points = np.arange(-(-int(starts[0]) // period) * period, int(ends[-1]), period)
        if not points.size:
            continue
        lo_idx = np.searchsorted(points, starts)
        inside = np.searchsorted(points, ends) > lo_idx
        ticks = synth.ticks_at(points)
        at = np.minimum(lo_idx, len(points) - 1)
        highs = np.where(inside, np.maximum(highs, np.maximum.reduceat(ticks, at)), highs)
        lows = np.where(inside, np.minimum(lows, np.minimum.reduceat(ticks, at)), lows)
    return highs, lows


def _grid_steps(synth: Synthetic) -> list[int]:
    """The layer periods in steps, without those that are multiples of a shorter one."""
    out: list[int] = []
    for period in sorted(p // STEP_MS for p in synth.process.grid_ms):
        if all(period % shorter for shorter in out):
            out.append(period)
    return out


def aggregated_candles(
    one_minute: OneMinute, first_ms: int, interval_ms: int, count: int
) -> list[Candle]:
    """Candles summed from a liquidity source's 1m klines (minutes without one are skipped)."""
    out = []
    minutes = interval_ms // MINUTE_MS
    for j in range(count):
        open_ms = first_ms + j * interval_ms
        rows = [
            k
            for k in (one_minute(open_ms // MINUTE_MS + i) for i in range(minutes))
            if k is not None
        ]
        if not rows:
            continue
        volume = [sum(k[i] for k in rows) for i in (4, 5, 6, 7, 8)]
        out.append(
            (
                open_ms,
                rows[0][0],
                max(k[1] for k in rows),
                min(k[2] for k in rows),
                rows[-1][3],
                volume[0],
                open_ms + interval_ms - 1,
                volume[1],
                volume[2],
                volume[3],
                volume[4],
            )
        )
    return out
