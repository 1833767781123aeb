"""The simulated market's reaction (see ``deltaworks_core.market_model``): the volume curve
that scales the synthetic trades, the impact of aggressive orders on the price, and the
depletion of the quote ladders that refill over time."""

from __future__ import annotations

import math
from bisect import bisect_right

import numpy as np

from deltaworks_core.market_model import MarketModel

from .prices import mix, mix_array

HOUR_MS = 3_600_000
DAY_MS = 86_400_000
WEEK_OFFSET_DAYS = 3  # 1970-01-01 was a Thursday: day 0 is weekday 3 (Monday = 0)


class VolumeCurve:
    """The factor on each second's volume: hour of day (interpolated linearly between the
    hours' middles, so the curve has no steps), day of week and bursts, mean one."""

    __slots__ = ("_burst_cut", "_burst_k", "_burst_ms", "_burst_mult", "_hours", "_weekdays")

    def __init__(self, model: MarketModel, burst_key: int) -> None:
        hours = np.asarray(model.hourly_volume, dtype=np.float64)
        days = np.asarray(model.weekday_volume, dtype=np.float64)
        mean_burst = 1.0 + model.burst_probability * (model.burst_multiplier - 1.0)
        hours = hours / hours.mean() / mean_burst
        self._hours = np.concatenate(([hours[-1]], hours, [hours[0]]))  # -1 .. 24
        self._weekdays = days / days.mean()
        self._burst_k = burst_key
        self._burst_ms = model.burst_window_s * 1000
        self._burst_cut = int(model.burst_probability * (1 << 53))
        self._burst_mult = model.burst_multiplier

    def factor(self, t_ms: int) -> float:
        """The volume factor at ``t_ms``."""
        weekday = (t_ms // DAY_MS + WEEK_OFFSET_DAYS) % 7
        burst = (mix(self._burst_k ^ (t_ms // self._burst_ms)) >> 11) < self._burst_cut
        return float(self._hour_factor(np.asarray(t_ms)) * self._weekdays[weekday]) * (
            self._burst_mult if burst else 1.0
        )

    def _hour_factor(self, t_ms: np.ndarray) -> np.ndarray:
        position = t_ms % DAY_MS / HOUR_MS + 0.5  # 1.0 at the middle of hour 0
        low = np.floor(position).astype(np.int64)
        weight = position - low
        return self._hours[low] * (1 - weight) + self._hours[low + 1] * weight

    def factors(self, t_ms: np.ndarray) -> np.ndarray:
        """``factor`` of every element of an int64 array of times."""
        hours = self._hour_factor(t_ms)
        weekdays = self._weekdays[(t_ms // DAY_MS + WEEK_OFFSET_DAYS) % 7]
        windows = (t_ms // self._burst_ms).astype(np.uint64)
        bursts = (mix_array(np.uint64(self._burst_k) ^ windows) >> np.uint64(11)) < np.uint64(
            self._burst_cut
        )
        return hours * weekdays * np.where(bursts, self._burst_mult, 1.0)


class Impact:
    """Log-price impact of the aggressive volume received so far (times never go back).

    After each event it keeps the decaying signed volume ``x`` and the permanent impact;
    between events ``x`` decays exponentially at half the impact's half-life (the
    temporary impact goes with its square root, so it halves every half-life)."""

    __slots__ = ("_perm", "_perm_per_step", "_scale", "_tau_ms", "_times", "_volume", "_x")

    def __init__(self, model: MarketModel, daily_volume: float) -> None:
        self._scale = model.impact_coefficient * model.daily_volatility
        self._volume = daily_volume
        self._tau_ms = model.impact_half_life_s * 500 / math.log(2)
        self._perm_per_step = model.permanent_bps_per_pct_volume * 1e-4 / (0.01 * daily_volume)
        self._times: list[int] = []
        self._x: list[float] = []
        self._perm: list[float] = []

    def _state(self, t_ms: int) -> tuple[float, float]:
        """(decayed signed volume, permanent impact) at ``t_ms``."""
        k = bisect_right(self._times, t_ms) - 1
        if k < 0:
            return 0.0, 0.0
        return self._x[k] * math.exp((self._times[k] - t_ms) / self._tau_ms), self._perm[k]

    def _temporary(self, x: float | np.ndarray) -> float | np.ndarray:
        return self._scale * np.sign(x) * np.sqrt(np.abs(x) / self._volume)

    def log_at(self, t_ms: int) -> float:
        """The impact (in log-price) at ``t_ms``."""
        if not self._times or t_ms < self._times[0]:
            return 0.0
        x, perm = self._state(t_ms)
        return perm + float(self._temporary(x))

    def log_array(self, t_ms: np.ndarray) -> np.ndarray:
        """``log_at`` of every element of an int64 array of times."""
        out = np.zeros(t_ms.shape)
        if not self._times:
            return out
        times = np.asarray(self._times, dtype=np.int64)
        k = np.searchsorted(times, t_ms, side="right") - 1
        seen = k >= 0
        kk = np.maximum(k, 0)
        elapsed = np.where(seen, t_ms - times[kk], 0)
        x = np.asarray(self._x)[kk] * np.exp(-elapsed / self._tau_ms)
        impact = np.asarray(self._perm)[kk] + self._temporary(x)
        return np.where(seen, impact, out)

    def receive(self, t_ms: int, signed_steps: int) -> None:
        """An aggressive order took ``signed_steps`` (buys positive) at ``t_ms``."""
        x, perm = self._state(t_ms)
        x += signed_steps
        perm += self._perm_per_step * signed_steps
        if self._times and self._times[-1] == t_ms:
            self._x[-1], self._perm[-1] = x, perm
            return
        self._times.append(t_ms)
        self._x.append(x)
        self._perm.append(perm)


class Depletion:
    """Quantity aggressive orders took from one side of the ladders, refilling over time."""

    __slots__ = ("_qty", "_t", "_tau_ms")

    def __init__(self, model: MarketModel) -> None:
        self._tau_ms = model.book_refill_half_life_s * 1000 / math.log(2)
        self._t = 0
        self._qty = 0.0

    def at(self, t_ms: int) -> int:
        """Steps still missing at ``t_ms``."""
        return int(self._qty * math.exp((self._t - t_ms) / self._tau_ms))

    def take(self, t_ms: int, steps: int) -> None:
        self._qty = self._qty * math.exp((self._t - t_ms) / self._tau_ms) + steps
        self._t = t_ms

    @staticmethod
    def apply(ladder: list[list[int]], missing: int) -> None:
        """Remove ``missing`` steps from the best levels of ``ladder`` (in place)."""
        for level in ladder:
            if missing <= 0:
                break
            take = min(level[1], missing)
            level[1] -= take
            missing -= take
