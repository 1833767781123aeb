"""Helpers for the simulator tests: settings with a free port, ccxt clients via the factory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from deltaworks_core.config import Settings, settings_from_dict
from deltaworks_core.venues.factory import create_exchange
from deltaworks_core.venues.simulator import SimClock, SimulatorServer, running_simulator

EPOCH_MS = 1_764_000_000_000  # 2025-11-24 16:00 UTC: a fixed simulated "now"
SYMBOLS = ("BTC/USDT", "ETH/USDT", "SOL/USDT")


def sim_settings(withdrawals: int = 3000, history_days: int = 365, seed: int = 42) -> Settings:
    """Two simulated exchanges; the simulator on port 0 (a free loopback port)."""
    exchanges = [
        {"name": name, "mode": "simulated", "symbols": list(SYMBOLS)} for name in ("sim_a", "sim_b")
    ]
    return settings_from_dict(
        {
            "simulator": {
                "host": "127.0.0.1",
                "port": 0,
                "seed": seed,
                "withdrawals_per_exchange": withdrawals,
                "history_days": history_days,
            },
            "exchanges": exchanges,
        }
    )


def client(
    settings: Settings, base_url: str, name: str = "sim_a", *, asynchronous: bool = False
) -> Any:
    """A ccxt binance (or ccxt.pro binance) for simulated exchange ``name``."""
    return create_exchange(
        settings, settings.exchange(name), asynchronous=asynchronous, simulator_url=base_url
    )


@pytest.fixture(scope="module")
def server(settings: Settings) -> Iterator[SimulatorServer]:
    """The module's simulator (its own ``settings`` fixture) on the fixed simulated clock."""
    with running_simulator(
        settings.simulator, settings.exchanges, clock=SimClock(EPOCH_MS)
    ) as running:
        yield running
