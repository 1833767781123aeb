"""Helpers for the OKX-dialect tests: a simulator with one OKX exchange, ccxt.okx clients."""

from __future__ import annotations

from typing import Any

from deltaworks_core.config import Settings, settings_from_dict
from deltaworks_core.venues.factory import create_exchange

from .sim_support import SYMBOLS

NAME = "sim_okx"


def okx_settings(withdrawals: int = 500, seed: int = 42) -> Settings:
    """One OKX-dialect exchange (``sim_okx``) and one Binance-dialect one (``sim_a``)."""
    return settings_from_dict(
        {
            "simulator": {
                "host": "127.0.0.1",
                "port": 0,
                "seed": seed,
                "withdrawals_per_exchange": withdrawals,
            },
            "exchanges": [
                {"name": NAME, "ccxt_id": "okx", "mode": "simulated", "symbols": list(SYMBOLS)},
                {"name": "sim_a", "mode": "simulated", "symbols": list(SYMBOLS)},
            ],
        }
    )


def okx_client(
    settings: Settings, base_url: str, *, asynchronous: bool = False, **creds: str
) -> Any:
    """An unmodified ccxt.okx (or ccxt.pro.okx) for ``sim_okx``; ``creds`` override its
    apiKey, secret or password."""
    exchange = create_exchange(
        settings, settings.exchange(NAME), asynchronous=asynchronous, simulator_url=base_url
    )
    for key, value in creds.items():
        setattr(exchange, key, value)
    return exchange
