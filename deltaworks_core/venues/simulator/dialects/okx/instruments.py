"""OKX instruments over the engine's markets: ids, sizes, and contracts of the swaps.

OKX names a spot pair ``BTC-USDT`` and its USDT-margined perpetual ``BTC-USDT-SWAP``.
Swap sizes are in contracts of ``ctVal`` base units; the engine counts base steps, so a
swap's engine step is ``lotSz * ctVal`` and this module converts both ways.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ...engine import Market
from ...engine.markets import MarketRule
from .errors import OkxError, param_error

# base -> (tickSz, lotSz, minSz) of the spot pair against USDT (OKX's values, the lot
# coarsened where the engine's 1e-8 money unit needs tick * lot >= 1e-8)
SPOT_RULES: dict[str, tuple[str, str, str]] = {
    "BTC": ("0.1", "0.0000001", "0.00001"),
    "ETH": ("0.01", "0.000001", "0.0001"),
    "SOL": ("0.01", "0.000001", "0.01"),
    "XRP": ("0.0001", "0.0001", "1"),
}
SPOT_DEFAULT = ("0.001", "0.0001", "0.1")
# base -> (tickSz, lotSz, minSz, ctVal) of the USDT-margined perpetual
SWAP_RULES: dict[str, tuple[str, str, str, str]] = {
    "BTC": ("0.1", "0.01", "0.01", "0.01"),
    "ETH": ("0.01", "0.01", "0.01", "0.1"),
    "SOL": ("0.01", "0.01", "0.01", "1"),
    "XRP": ("0.0001", "0.01", "0.01", "100"),
}
SWAP_DEFAULT = ("0.001", "0.01", "0.01", "1")
# Lv1 fees in parts per million (maker, taker): spot 0.08 % / 0.10 %, swaps 0.02 % / 0.05 %
SPOT_FEES = (800, 1_000)
SWAP_FEES = (200, 500)
MAX_LEVERAGE = {"BTC": 100, "ETH": 100}
DEFAULT_MAX_LEVERAGE = 50


def market_rule(base: str, quote: str, linear: bool) -> MarketRule:
    """The engine's trading rules of an OKX spot pair or perpetual (no minimum notional)."""
    if linear:
        tick, lot, _, ct_val = SWAP_RULES.get(base, SWAP_DEFAULT)
        step = Decimal(lot) * Decimal(ct_val)
        return MarketRule(tick, str(step), 0, *SWAP_FEES)
    tick, lot, _ = SPOT_RULES.get(base, SPOT_DEFAULT)
    return MarketRule(tick, lot, 0, *SPOT_FEES)


@dataclass(frozen=True, slots=True)
class Instrument:
    """One OKX instrument: its id, the engine market and the sizes OKX publishes."""

    inst_id: str
    market: Market
    tick: Decimal
    lot: Decimal  # base units (spot) or contracts (swap)
    min_size: Decimal
    ct_val: Decimal  # base units per contract; 1 for spot

    @property
    def swap(self) -> bool:
        return self.market.linear

    @property
    def inst_type(self) -> str:
        return "SWAP" if self.market.linear else "SPOT"

    def size(self, steps: int) -> str:
        """Engine steps as OKX's ``sz`` (contracts for a swap)."""
        return plain(Decimal(steps) * self.lot)

    def base(self, steps: int) -> str:
        """Engine steps in base units."""
        return plain(Decimal(steps) * self.market.step)

    def price(self, ticks: int) -> str:
        return plain(Decimal(ticks) * self.tick)

    @property
    def code(self) -> int:
        """OKX's numeric instrument code (``instIdCode``)."""
        return int.from_bytes(self.inst_id.encode()[:6], "big") % 1_000_000

    def engine_quantity(self, sz: object, name: str = "sz") -> Decimal:
        """OKX ``sz`` as the engine's base quantity, refused as OKX refuses it."""
        try:
            value = Decimal(str(sz))
        except InvalidOperation:
            raise param_error(name) from None
        if not value.is_finite() or value <= 0:
            raise param_error(name)
        if value % self.lot:
            raise OkxError("51121", "Order quantity must be a multiple of the lot size.")
        if value < self.min_size:
            raise OkxError("51020", "Your order should meet or exceed the minimum order amount.")
        return value / self.lot * self.market.step


def plain(value: Decimal) -> str:
    """A decimal without exponent or trailing zeros ("0.01", "5", "0")."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def instruments(markets: dict[str, Market]) -> dict[str, Instrument]:
    """OKX instruments by instId for the engine's markets."""
    out = {}
    for m in markets.values():
        if m.linear:
            tick, lot, min_sz, ct_val = SWAP_RULES.get(m.base, SWAP_DEFAULT)
            inst_id = f"{m.base}-{m.quote}-SWAP"
        else:
            tick, lot, min_sz = SPOT_RULES.get(m.base, SPOT_DEFAULT)
            ct_val = "1"
            inst_id = f"{m.base}-{m.quote}"
        out[inst_id] = Instrument(
            inst_id, m, Decimal(tick), Decimal(lot), Decimal(min_sz), Decimal(ct_val)
        )
    return out
