"""A seeded price process: a pure function of time, no state, any time in any order.

Log-price is a sum of value-noise layers (linear interpolation between hashed
grid values) at several time scales. The layers with a key shared by every
simulated exchange form the common component; a small per-exchange layer is the
deviation, so cross-exchange spreads appear and vanish.
"""

from __future__ import annotations

import math
import zlib

import numpy as np

_MASK = (1 << 64) - 1
# (period ms, amplitude of log-price) for the common component and the deviation
_COMMON_LAYERS = ((86_400_000, 0.04), (3_600_000, 0.012), (300_000, 0.004), (20_000, 0.001))
_DEVIATION_LAYERS = ((45_000, 0.0012), (600_000, 0.0015))


def mix(x: int) -> int:
    """splitmix64 finaliser: a fast, well-spread 64-bit hash of an integer."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def mix_array(x: np.ndarray) -> np.ndarray:
    """``mix`` of every element of a uint64 array (wrapping arithmetic: the same bits)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _unit_array(k: int, i: np.ndarray) -> np.ndarray:
    """``unit(k, i)`` of every element of an int64 array of grid points."""
    hashed = mix_array(np.uint64(k) ^ mix_array(i.astype(np.uint64))) >> np.uint64(11)
    return hashed.astype(np.float64) * (1.0 / 9007199254740992.0)


def key(*parts: int | str) -> int:
    """A stable 64-bit key from ints and strings (``hash()`` of str is randomised per run)."""
    h = 0x1234567
    for part in parts:
        value = zlib.crc32(part.encode()) if isinstance(part, str) else part
        h = mix(h ^ (value & _MASK))
    return h


def unit(k: int, i: int) -> float:
    """Deterministic uniform value in [0, 1) for grid point ``i`` of stream ``k``."""
    return (mix(k ^ mix(i & _MASK)) >> 11) * (1.0 / 9007199254740992.0)


class PriceProcess:
    """Price of one asset on one exchange as a function of time in ms."""

    __slots__ = ("_layers", "_log_ref")

    def __init__(self, seed: int, asset: str, exchange: str, ref_price: float) -> None:
        self._log_ref = math.log(ref_price)
        common = [[key(seed, asset, p), p, a, None, 0.0, 0.0] for p, a in _COMMON_LAYERS]
        deviation = [
            [key(seed, asset, exchange, p), p, a, None, 0.0, 0.0] for p, a in _DEVIATION_LAYERS
        ]
        self._layers = common + deviation

    def price(self, t_ms: int) -> float:
        log_price = self._log_ref
        for layer in self._layers:
            k, period, amp, last_i, a, b = layer
            i, r = divmod(t_ms, period)
            if i != last_i:  # cache the two grid values around t: consecutive calls are cheap
                a, b = unit(k, i), unit(k, i + 1)
                layer[3:] = (i, a, b)
            log_price += amp * ((a + (b - a) * (r / period)) * 2.0 - 1.0)
        return math.exp(log_price)

    @property
    def grid_ms(self) -> tuple[int, ...]:
        """The layers' periods: the log-price is linear between their multiples."""
        return tuple(sorted({layer[1] for layer in self._layers}))

    def prices(self, t_ms: np.ndarray) -> np.ndarray:
        """``price`` at every element of a sorted int64 array of times, vectorised."""
        log_price = np.full(t_ms.shape, self._log_ref)
        if not t_ms.size:
            return log_price
        for k, period, amp, *_ in self._layers:
            i, r = np.divmod(t_ms, period)
            first = int(i[0])
            grid = _unit_array(k, np.arange(first, int(i[-1]) + 2, dtype=np.int64))
            a = grid[i - first]
            b = grid[i - first + 1]
            log_price += amp * ((a + (b - a) * (r / period)) * 2.0 - 1.0)
        return np.exp(log_price)
