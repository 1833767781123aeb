"""Deterministic development credentials of simulated exchanges."""

from __future__ import annotations

import hashlib


def dev_credentials(exchange_name: str) -> tuple[str, str]:
    """(api key, secret) the simulator accepts for ``exchange_name``'s main account."""
    return account_credentials(exchange_name, "main")


def account_credentials(exchange_name: str, account: str) -> tuple[str, str]:
    """(api key, secret) of any simulated account; 64 hex characters each."""
    seed = f"deltaworks-sim:{exchange_name}:{account}"
    api_key = hashlib.sha256(f"{seed}:key".encode()).hexdigest()
    secret = hashlib.sha256(f"{seed}:secret".encode()).hexdigest()
    return api_key, secret


def dev_passphrase(exchange_name: str) -> str:
    """The passphrase of ``exchange_name``'s main account (exchanges such as OKX ask for one)."""
    return account_passphrase(exchange_name, "main")


def account_passphrase(exchange_name: str, account: str) -> str:
    """The passphrase of any simulated account: 16 characters."""
    seed = f"deltaworks-sim:{exchange_name}:{account}:passphrase"
    return "Dw" + hashlib.sha256(seed.encode()).hexdigest()[:14]


class Keyring:
    """API keys the simulator accepts: key -> (exchange, account, secret, passphrase)."""

    def __init__(self) -> None:
        self._keys: dict[str, tuple[str, str, str, str]] = {}

    def add(
        self, api_key: str, exchange: str, account: str, secret: str, passphrase: str = ""
    ) -> None:
        self._keys[api_key] = (exchange, account, secret, passphrase)

    def register(self, exchange: str, account: str) -> tuple[str, str]:
        """Accept ``account``'s development credentials; returns them (api key, secret)."""
        api_key, secret = account_credentials(exchange, account)
        self.add(api_key, exchange, account, secret, account_passphrase(exchange, account))
        return api_key, secret

    def passphrase(self, exchange: str, api_key: str) -> str | None:
        """The passphrase registered with an API key of ``exchange``; None when unknown."""
        entry = self._keys.get(api_key)
        return entry[3] if entry is not None and entry[0] == exchange else None

    def lookup(self, exchange: str, api_key: str) -> tuple[str, str] | None:
        """(account, secret) of an API key of ``exchange``; None when unknown."""
        entry = self._keys.get(api_key)
        if entry is None or entry[0] != exchange:
            return None
        return entry[1], entry[2]
