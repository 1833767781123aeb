"""Trading rules of a market: order quantities and prices as exact integers of its sizes.

A value that is not a positive multiple of the market's step (quantity) or tick
(price) is refused with the matching ``SimError``; strings parse exactly and
are cached, since order sizes and prices repeat.
"""

from __future__ import annotations

import functools
import math
from decimal import Decimal, InvalidOperation

from .errors import ErrorKind, SimError

Number = str | Decimal | float
CACHE_LIMIT = 100_000


def to_units(
    value: Number | None, size: Decimal, field: str, kind: ErrorKind, cache: dict[str, int]
) -> int:
    """``value`` as an integer number of ``size``; ``SimError(kind)`` if not a multiple."""
    if value is None or value == "":
        raise SimError(ErrorKind.MISSING_PARAMETER, f"{field} is required", field=field)
    if isinstance(value, str) and "e" not in value and "E" not in value:
        cached = cache.get(value)
        if cached is None:
            cached = _str_units(value, size, field, kind)
            if len(cache) > CACHE_LIMIT:
                cache.clear()
            cache[value] = cached
        return cached
    if isinstance(value, float):
        n = value / float(size)
        r = round(n)
        if not math.isfinite(n) or abs(n - r) > 1e-6 * max(1.0, abs(n)):
            raise _not_multiple(kind, field, value, size)
        return r
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
        n = d / size
    except (InvalidOperation, ValueError):
        raise _malformed(field, value) from None
    if not n.is_finite() or n != n.to_integral_value():
        raise _not_multiple(kind, field, value, size)
    return int(n)


def _not_multiple(kind: ErrorKind, field: str, value: object, size: Decimal) -> SimError:
    return SimError(kind, f"{field} {value} is not a multiple of {size}", field=field)


def _malformed(field: str, value: object) -> SimError:
    return SimError(
        ErrorKind.MALFORMED_PARAMETER, f"{field} {value!r} is not a number", field=field
    )


@functools.lru_cache(maxsize=64)
def _scale(size: Decimal) -> tuple[int, int]:
    """(decimals, size as an integer of 10**-decimals) of a tick or step size."""
    decimals = max(0, -size.normalize().as_tuple().exponent)
    return decimals, int(size * 10**decimals)


def _str_units(value: str, size: Decimal, field: str, kind: ErrorKind) -> int:
    """Exact integer parse of a plain decimal string (the hot path of every order)."""
    decimals, size_int = _scale(size)
    whole, _, frac = value.strip().partition(".")
    if len(frac) > decimals:
        if frac[decimals:].strip("0"):
            raise _not_multiple(kind, field, value, size)
        frac = frac[:decimals]
    try:
        negative = whole.startswith("-")
        scaled = abs(int(whole or "0")) * 10**decimals + int(frac.ljust(decimals, "0") or "0")
    except ValueError:
        raise _malformed(field, value) from None
    units, rest = divmod(scaled, size_int)
    if rest:
        raise _not_multiple(kind, field, value, size)
    return -units if negative else units
