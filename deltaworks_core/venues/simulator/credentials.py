"""Deterministic development credentials of simulated exchanges."""

from __future__ import annotations

import hashlib


def dev_credentials(exchange_name: str) -> tuple[str, str]:
    """(api key, secret) the simulator accepts for ``exchange_name``'s main account."""
    return account_credentials(exchange_name, "main")


def account_credentials(exchange_name: str, account: str) -> tuple[str, str]:
    """(api key, secret) of any simulated account; 64 characters each, like Binance's."""
    seed = f"deltaworks-sim:{exchange_name}:{account}"
    api_key = hashlib.sha256(f"{seed}:key".encode()).hexdigest()
    secret = hashlib.sha256(f"{seed}:secret".encode()).hexdigest()
    return api_key, secret
