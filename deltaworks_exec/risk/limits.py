"""Pre-trade risk limits: a pydantic model read from ``[exec.risk]`` of the configuration."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from deltaworks_core.config import ConfigError, config_path


class RiskLimits(BaseModel):
    """Limits applied to every order before it reaches a venue (amounts in base, money in quote)."""

    model_config = ConfigDict(extra="forbid")

    max_order_notional: float = Field(default=250_000.0, gt=0)
    max_position: dict[str, float] = Field(
        default_factory=dict, description="asset -> largest holding per exchange after a buy"
    )
    max_open_orders: int = Field(default=500, ge=0)
    price_band_bps: float = Field(default=500.0, gt=0)
    allowed_symbols: list[str] | None = Field(
        default=None, description="None: every symbol configured for the exchange"
    )
    check_balance: bool = True


def load_risk_limits(path: Path | None = None) -> RiskLimits:
    """``[exec.risk]`` of the configuration file; defaults where absent."""
    path = path or config_path()
    raw = tomllib.loads(path.read_text()).get("exec", {}).get("risk", {})
    try:
        return RiskLimits.model_validate(raw)
    except ValueError as exc:
        raise ConfigError(f"{path}: exec.risk: {exc}") from None
