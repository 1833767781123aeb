"""Markets (spot pairs and linear perpetuals) kept in integer ticks and steps.

Prices are integers of ``tick`` and quantities integers of ``step``; balances are
integers of ``ATOM`` (1e-8), so the matching engine never touches floats or Decimal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

ATOMS_PER_UNIT = 100_000_000

# base asset -> (reference price, spot tick, spot step, perp tick, perp step, perp min notional)
_REFERENCE: dict[str, tuple[float, str, str, str, str, int]] = {
    "BTC": (60_000.0, "0.01", "0.00001", "0.1", "0.001", 100),
    "ETH": (3_000.0, "0.01", "0.0001", "0.01", "0.001", 20),
    "SOL": (150.0, "0.01", "0.001", "0.01", "0.01", 5),
    "BNB": (600.0, "0.01", "0.001", "0.01", "0.01", 5),
    "XRP": (0.6, "0.0001", "1", "0.0001", "0.1", 5),
}
_DEFAULT_REFERENCE = (10.0, "0.001", "0.01", "0.001", "0.1", 5)
SPOT_MIN_NOTIONAL = 5
FEES_PPM = {False: (1_000, 1_000), True: (200, 500)}  # linear? -> (maker, taker)


@dataclass(frozen=True, slots=True)
class MarketRule:
    """An exchange's trading rules for one market: sizes, minimum notional, fee rates."""

    tick: str
    step: str
    min_notional: int  # quote units; 0: none
    maker_ppm: int
    taker_ppm: int


# (base, quote, linear) -> the market's rules; each wire dialect may bring its exchange's
RuleBook = Callable[[str, str, bool], MarketRule]


def default_rule(base: str, quote: str, linear: bool) -> MarketRule:
    """The default rules: Binance-like sizes, minimum notional and fees."""
    _, s_tick, s_step, p_tick, p_step, p_min = _REFERENCE.get(base, _DEFAULT_REFERENCE)
    maker, taker = FEES_PPM[linear]
    if linear:
        return MarketRule(p_tick, p_step, p_min, maker, taker)
    return MarketRule(s_tick, s_step, SPOT_MIN_NOTIONAL, maker, taker)


def reference_price(base: str) -> float:
    """Where the synthetic price of ``base`` starts (in quote units)."""
    return _REFERENCE.get(base, _DEFAULT_REFERENCE)[0]


@dataclass(frozen=True, slots=True)
class Market:
    """One tradable symbol: a spot pair or a linear perpetual.

    The derived integer sizes are computed once: the matching engine reads them per fill.
    """

    symbol: str  # unified: BTC/USDT or BTC/USDT:USDT
    base: str
    quote: str
    linear: bool
    tick: Decimal
    step: Decimal
    ref_price: float
    min_notional: int  # quote units
    maker_ppm: int = FEES_PPM[False][0]
    taker_ppm: int = FEES_PPM[False][1]
    price_decimals: int = field(init=False)
    qty_decimals: int = field(init=False)
    step_atoms: int = field(init=False)  # atoms of base in one quantity step
    notional_atoms_per_unit: int = field(init=False)  # quote atoms for one step at one tick
    min_notional_atoms: int = field(init=False)

    def __post_init__(self) -> None:
        values = {
            "price_decimals": max(0, -self.tick.normalize().as_tuple().exponent),
            "qty_decimals": max(0, -self.step.normalize().as_tuple().exponent),
            "step_atoms": int(self.step * ATOMS_PER_UNIT),
            "notional_atoms_per_unit": int(self.tick * self.step * ATOMS_PER_UNIT),
            "min_notional_atoms": self.min_notional * ATOMS_PER_UNIT,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)

    def price_str(self, ticks: int) -> str:
        return _fixed(ticks, self.price_decimals, self.tick)

    def qty_str(self, steps: int) -> str:
        return _fixed(steps, self.qty_decimals, self.step)


def _fixed(units: int, decimals: int, size: Decimal) -> str:
    return f"{Decimal(units) * size:.{decimals}f}"


def atoms_str(atoms: int, decimals: int = 8) -> str:
    """An integer amount of 1e-8 units as a fixed-point string ("0.00100000")."""
    sign = "-" if atoms < 0 else ""
    whole, frac = divmod(abs(atoms), ATOMS_PER_UNIT)
    text = f"{sign}{whole}.{frac:08d}"
    return text[: len(text) - (8 - decimals)] if decimals < 8 else text


def build_markets(
    symbols: tuple[str, ...] | list[str], rule: RuleBook = default_rule
) -> list[Market]:
    """Spot markets for the configured symbols plus a USDⓈ-M perpetual per USDT pair,
    sized and charged by ``rule``."""
    markets: list[Market] = []
    for symbol in symbols:
        base, _, quote = symbol.partition("/")
        if not base or not quote or ":" in quote:
            raise ValueError(f"simulator symbols must look like BASE/QUOTE, got {symbol!r}")
        ref = reference_price(base)
        for linear in (False, True) if quote == "USDT" else (False,):
            r = rule(base, quote, linear)
            markets.append(
                Market(
                    f"{symbol}:USDT" if linear else symbol,
                    base,
                    quote,
                    linear,
                    Decimal(r.tick),
                    Decimal(r.step),
                    ref,
                    r.min_notional,
                    r.maker_ppm,
                    r.taker_ppm,
                )
            )
    return markets
