"""Which pairs the arbitrage executor trades: symbol, two venues, size, minimum edge.

A pair is enabled (or disabled) through the API; its configuration is kept in
``exec_control`` (key ``arbitrage:<pair_id>``, JSON value), so it survives restarts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

CONTROL_PREFIX = "arbitrage:"
DEFAULT_RETRY_BOUND_BPS = 10.0
MAX_EDGE_BPS = 10_000.0


class PairConfigError(ValueError):
    """A pair configuration is invalid; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class ArbitragePair:
    """One symbol on two venues: trade ``amount`` (base) when the net edge reaches
    ``min_edge_bps``; a failed leg is retried at most ``retry_bound_bps`` worse."""

    symbol: str
    exchanges: tuple[str, str]
    amount: float
    min_edge_bps: float
    retry_bound_bps: float = DEFAULT_RETRY_BOUND_BPS
    enabled: bool = True

    @property
    def pair_id(self) -> str:
        return pair_id(self.symbol, self.exchanges)

    def public(self) -> dict:
        return {"pair_id": self.pair_id, **asdict(self), "exchanges": list(self.exchanges)}

    def control_row(self) -> tuple[str, str]:
        """The ``exec_control`` key and value that keep this configuration."""
        value = asdict(self)
        value["exchanges"] = list(self.exchanges)
        return CONTROL_PREFIX + self.pair_id, json.dumps(value, sort_keys=True)


def pair_id(symbol: str, exchanges: Sequence[str]) -> str:
    """``BTC-USDT.sim_a.sim_b``: the symbol and both venues, in name order."""
    first, second = sorted(exchanges)
    return f"{symbol.replace('/', '-')}.{first}.{second}"


def _positive(field: str, value: float, most: float) -> None:
    if not math.isfinite(value) or value <= 0:
        raise PairConfigError(field, f"must be a positive finite number, not {value}")
    if value > most:
        raise PairConfigError(field, f"must be at most {most}, not {value}")


def validate_pair(
    symbol: str,
    exchanges: Sequence[str],
    amount: float,
    min_edge_bps: float,
    retry_bound_bps: float,
    configured: Mapping[str, Sequence[str]],
) -> ArbitragePair:
    """A checked pair; ``PairConfigError`` names the field and the rule otherwise.

    ``configured`` maps every venue of the service to its symbols.
    """
    if len(exchanges) != 2 or exchanges[0] == exchanges[1]:
        raise PairConfigError("exchanges", f"must name two different venues, not {exchanges}")
    for name in exchanges:
        if name not in configured:
            known = ", ".join(sorted(configured))
            raise PairConfigError("exchanges", f"unknown exchange {name!r} (known: {known})")
        if symbol not in configured[name]:
            raise PairConfigError("symbol", f"{symbol!r} is not configured on {name}")
    _positive("amount", amount, 1e12)
    _positive("min_edge_bps", min_edge_bps, MAX_EDGE_BPS)
    if not math.isfinite(retry_bound_bps) or not 0 <= retry_bound_bps <= 1_000:
        raise PairConfigError(
            "retry_bound_bps", f"must be between 0 and 1000, not {retry_bound_bps}"
        )
    first, second = sorted(exchanges)
    return ArbitragePair(symbol, (first, second), amount, min_edge_bps, retry_bound_bps)


def pairs_from_control(control: Mapping[str, str]) -> list[ArbitragePair]:
    """The pairs kept in ``exec_control`` (latest value per key)."""
    pairs = []
    for key, value in control.items():
        if key.startswith(CONTROL_PREFIX):
            doc = json.loads(value)
            doc["exchanges"] = tuple(doc["exchanges"])
            pairs.append(ArbitragePair(**doc))
    return pairs
