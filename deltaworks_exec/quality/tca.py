"""Transaction-cost analysis of one parent order against the market's own trades and quotes.

All costs are in bps of the arrival mid, positive = worse for the order, on the filled
quantity, and add up: ``shortfall = spread + impact + timing + fees`` where, with ``s`` = +1
for a buy and -1 for a sell, ``mid`` the last quote before each fill:

* spread: ``s * (price - mid)`` of each fill, bounded by the half-spread then quoted (a
  passive fill earns it: negative);
* impact: what each fill paid beyond the touch (walking the book), plus how far the mids
  the order met were from the market's interval TWAP (the pressure of the order, and the
  timing of its children within the interval);
* timing: the market's interval TWAP against the arrival mid (the drift during the order);
* fees: fees paid in quote currency against the filled notional.

The market benchmarks (interval VWAP and TWAP, volume, participation) use the market's
trades only: ``analyse`` (a recorded tape, which holds the order's own prints) removes each
print matching one of the order's fills (same time, price and amount) first;
``order_costs`` takes a tape that never held them (the backtester's replayed data) and the
touch each fill met.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Execution:
    """One fill of the order; ``fee`` in quote currency."""

    ts_ms: int
    price: float
    amount: float
    fee: float = 0.0


@dataclass(frozen=True, slots=True)
class Print:
    """One trade of the market's tape."""

    ts_ms: int
    price: float
    amount: float


@dataclass(frozen=True, slots=True)
class Quote:
    """The best bid and ask from ``ts_ms`` on."""

    ts_ms: int
    bid: float
    ask: float


@dataclass(frozen=True, slots=True)
class Costs:
    """The order's costs and the market it traded in (``None`` where there is no data)."""

    interval_vwap: float | None
    interval_twap: float | None
    market_volume: float
    market_trades: int
    participation_rate: float | None
    fees: float
    shortfall_bps: float | None
    spread_bps: float | None
    impact_bps: float | None
    timing_bps: float | None
    fees_bps: float | None


def market_prints(prints: Sequence[Print], fills: Sequence[Execution]) -> list[Print]:
    """``prints`` without those of the order's own ``fills`` (same time, price and amount)."""
    own = Counter((f.ts_ms, f.price, f.amount) for f in fills)
    out = []
    for p in prints:
        k = (p.ts_ms, p.price, p.amount)
        if own[k]:
            own[k] -= 1
            continue
        out.append(p)
    return out


def interval_vwap(prints: Sequence[Print]) -> float | None:
    """Volume-weighted price of ``prints``."""
    volume = sum(p.amount for p in prints)
    return sum(p.price * p.amount for p in prints) / volume if volume else None


def interval_twap(prints: Sequence[Print], start_ms: int, end_ms: int) -> float | None:
    """Time-weighted price over [start, end]: each print holds until the next one (the last
    until ``end_ms``); the time before the first print is not counted."""
    ordered = sorted((p for p in prints if start_ms <= p.ts_ms <= end_ms), key=lambda p: p.ts_ms)
    if not ordered:
        return None
    ends = [p.ts_ms for p in ordered[1:]] + [end_ms]
    weights = [stop - p.ts_ms for p, stop in zip(ordered, ends, strict=True)]
    total = sum(weights)
    if not total:
        return sum(p.price for p in ordered) / len(ordered)
    return sum(p.price * w for p, w in zip(ordered, weights, strict=True)) / total


def _quote_before(quotes: Sequence[Quote], times: list[int], ts_ms: int) -> Quote | None:
    i = bisect_left(times, ts_ms)
    return quotes[i - 1] if i else None


def analyse(
    side: str,
    fills: Sequence[Execution],
    prints: Sequence[Print],
    quotes: Sequence[Quote],
    arrival_mid: float | None,
    start_ms: int,
    end_ms: int,
) -> Costs:
    """The costs of an order that filled ``fills`` between ``start_ms`` and ``end_ms``, in a
    market of ``prints`` (the tape, with or without the order's own prints) and ``quotes``."""
    ordered = sorted(quotes, key=lambda q: q.ts_ms)
    times = [q.ts_ms for q in ordered]
    touches = [_quote_before(ordered, times, fill.ts_ms) for fill in fills]
    market = market_prints(prints, fills)
    return order_costs(side, fills, touches, market, arrival_mid, start_ms, end_ms)


def order_costs(
    side: str,
    fills: Sequence[Execution],
    touches: Sequence[Quote | None],
    market: Sequence[Print],
    arrival_mid: float | None,
    start_ms: int,
    end_ms: int,
) -> Costs:
    """The costs of ``fills`` between ``start_ms`` and ``end_ms``: ``touches[i]`` is the best
    bid and ask fill ``i`` met (``None``: unknown, the arrival mid stands in), ``market`` the
    market's trades only (none of the order's own)."""
    if side not in ("buy", "sell"):
        raise ValueError(f"side must be buy or sell, not {side!r}")
    if len(touches) != len(fills):
        raise ValueError(f"touches: one a fill, got {len(touches)} for {len(fills)} fills")
    sign = 1.0 if side == "buy" else -1.0
    market = [p for p in market if start_ms <= p.ts_ms <= end_ms]
    volume = sum(p.amount for p in market)
    filled = sum(f.amount for f in fills)
    fees = sum(f.fee for f in fills)
    vwap = interval_vwap(market)
    twap = interval_twap(market, start_ms, end_ms)
    participation = filled / (volume + filled) if volume + filled else None
    if not filled or arrival_mid is None or arrival_mid <= 0 or twap is None:
        return Costs(vwap, twap, volume, len(market), participation, fees, *[None] * 5)
    spread = walk = mids = 0.0
    for fill, quote in zip(fills, touches, strict=True):
        mid = (quote.bid + quote.ask) / 2 if quote else arrival_mid
        half = (quote.ask - quote.bid) / 2 if quote else 0.0
        paid = sign * (fill.price - mid)
        crossing = max(-half, min(half, paid))
        spread += crossing * fill.amount
        walk += (paid - crossing) * fill.amount
        mids += mid * fill.amount
    average = sum(f.price * f.amount for f in fills) / filled
    scale = 10_000 / arrival_mid
    spread_bps = spread / filled * scale
    impact_bps = (walk / filled + sign * (mids / filled - twap)) * scale
    timing_bps = sign * (twap - arrival_mid) * scale
    fees_bps = fees / (average * filled) * 10_000
    shortfall_bps = sign * (average - arrival_mid) * scale + fees_bps
    return Costs(
        vwap, twap, volume, len(market), participation, fees,
        shortfall_bps, spread_bps, impact_bps, timing_bps, fees_bps,
    )  # fmt: skip
