"""The one place that constructs ccxt exchanges.

A configured exchange becomes a ``ccxt.<id>`` instance (sync, for the
pipelines) or a ``ccxt.pro.<id>`` instance (async REST + ``watch_*``, for the
execution service). Live exchanges keep ccxt's URLs and read credentials from
the environment variables the configuration names. Simulated exchanges are the
same classes with every REST and WebSocket URL pointed at the simulator, under
the exchange's name::

    REST    http://HOST:PORT/<name>/<original path>   e.g. /sim_a/api/v3, /sim_a/fapi/v1;
                                                      OKX: /sim_okx + /api/v5/...
    stream  ws://HOST:PORT/<name>/stream/<key>        key: spot, margin (ccxt.pro tells spot
                                                      streams by "/stream" in the URL)
            ws://HOST:PORT/<name>/ws/<key>            key: linear, inverse, ...
            ws://HOST:PORT/<name>/ws/v5/<access>      OKX: public, private, business
    ws-api  ws://HOST:PORT/<name>/ws-api/<key>        key: spot, linear, ...

Credentials never appear in ``repr``/``str`` of the returned object (ccxt's
show the class and the exchange name only) nor in the errors raised here.
"""

from __future__ import annotations

import copy
import importlib
import os
from typing import Any
from urllib.parse import urlparse

import ccxt

from deltaworks_core.config import ConfigError, ExchangeSettings, Settings
from deltaworks_core.venues.profiles import profile_for

_SPOT_STREAM_KEYS = ("spot", "margin")


def _env_value(exchange: ExchangeSettings, key: str, variable: str) -> str:
    value = os.environ.get(variable)
    if not value:
        raise ConfigError(
            f"exchanges.{exchange.name}.{key}: environment variable {variable} is not set "
            f"or empty; export it before using exchange {exchange.name!r}"
        )
    return value


def _credentials(exchange: ExchangeSettings) -> dict[str, str] | None:
    """apiKey, secret (and OKX's passphrase as ``password``) from the environment variables
    the configuration names, if any."""
    if exchange.api_key_env is None and exchange.secret_env is None:
        if exchange.mode == "live":
            raise ConfigError(
                f"exchanges.{exchange.name}: a live exchange needs api_key_env and secret_env "
                "naming the environment variables that hold its credentials"
            )
        return None
    if exchange.api_key_env is None or exchange.secret_env is None:
        missing = "api_key_env" if exchange.api_key_env is None else "secret_env"
        raise ConfigError(
            f"exchanges.{exchange.name}.{missing}: set both api_key_env and secret_env, or neither"
        )
    credentials = {
        "apiKey": _env_value(exchange, "api_key_env", exchange.api_key_env),
        "secret": _env_value(exchange, "secret_env", exchange.secret_env),
    }
    if exchange.passphrase_env is not None:
        credentials["password"] = _env_value(exchange, "passphrase_env", exchange.passphrase_env)
    return credentials


def _simulator_credentials(exchange: ExchangeSettings) -> dict[str, str]:
    from deltaworks_core.venues.simulator import dev_credentials, dev_passphrase

    api_key, secret = dev_credentials(exchange.name)
    return {"apiKey": api_key, "secret": secret, "password": dev_passphrase(exchange.name)}


def _rewrite_urls(client: Any, http_base: str, ws_base: str) -> None:
    """Point every REST and WebSocket URL of ``client`` at the simulator."""
    api = client.urls["api"]
    for key, url in api.items():
        if isinstance(url, str) and key != "ws":
            api[key] = http_base + urlparse(url).path
    streams = api.get("ws")
    if isinstance(streams, str):  # one WebSocket base (OKX's wss://ws.okx.com:443/ws/v5)
        api["ws"] = ws_base + urlparse(streams).path
    elif isinstance(streams, dict):
        for key, url in streams.items():
            if isinstance(url, str):
                kind = "stream" if key in _SPOT_STREAM_KEYS else "ws"
                streams[key] = f"{ws_base}/{kind}/{key}"
            elif isinstance(url, dict):  # "ws-api": {"spot": ..., "linear": ...}
                for market_type in url:
                    url[market_type] = f"{ws_base}/{key}/{market_type}"


def simulator_base_url(
    settings: Settings, exchange: ExchangeSettings, simulator_url: str | None
) -> str:
    """The simulator's HTTP base for ``exchange``: ``<simulator root>/<name>``."""
    root = simulator_url or f"http://{settings.simulator.host}:{settings.simulator.port}"
    return f"{root.rstrip('/')}/{exchange.name}"


def create_exchange(
    settings: Settings,
    exchange: ExchangeSettings,
    *,
    asynchronous: bool = False,
    simulator_url: str | None = None,
) -> Any:
    """A ccxt exchange for ``exchange``: ``ccxt.<id>`` or, if ``asynchronous``, ``ccxt.pro.<id>``.

    ``simulator_url`` (``http://host:port``) overrides the configured simulator
    address for simulated exchanges, e.g. a test simulator on a random port.
    Raises ``ConfigError`` naming the environment variable when credentials are missing.
    """
    # ccxt.pro (asyncio, websockets) is imported only by the processes that use it: it adds
    # about 0.6 s to the start of every pipeline process (code server, each run) otherwise.
    module = importlib.import_module("ccxt.pro") if asynchronous else ccxt
    cls = getattr(module, exchange.ccxt_id)
    profile = profile_for(exchange.ccxt_id)
    # ccxt keeps option lists by reference: every client gets its own copy
    options: dict[str, Any] = {"fetchMarkets": {"types": list(profile.market_types)}}
    credentials = _credentials(exchange)
    if exchange.mode == "simulated":
        options.update(copy.deepcopy(dict(profile.simulator_options)))
        credentials = credentials or _simulator_credentials(exchange)
    # The simulator enforces Binance's request weights itself (HTTP 429); ccxt's client-side
    # limiter would make every fiat-history call wait ~30 s for its huge weight.
    rate_limited = exchange.mode == "live"
    client = cls({"enableRateLimit": rate_limited, "options": options, **(credentials or {})})
    if exchange.mode == "simulated":
        http_base = simulator_base_url(settings, exchange, simulator_url)
        scheme, address = http_base.split("://", 1)
        _rewrite_urls(client, http_base, f"{'wss' if scheme == 'https' else 'ws'}://{address}")
        _classify_errors_by_path(client)
    return client


def _classify_errors_by_path(client: Any) -> None:
    """Use Binance's spot and futures error tables on simulator URLs too.

    ccxt picks its per-market error tables by Binance's host names; on the
    simulator's URLs only the generic table would apply (``-1013`` would become
    ``BadRequest`` instead of ``InvalidOrder``). The simulator keeps Binance's
    paths, so the market type is read from the path instead.
    """

    if "linear" not in client.exceptions:  # one error table for every URL (OKX)
        return

    def exceptions_by_url(url: str | None, exact_or_broad: str) -> dict:
        if url is None:
            return {}
        market_type = "linear" if "/fapi/" in url else "spot"
        return client.exceptions.get(market_type, {}).get(exact_or_broad, {})

    client.get_exceptions_by_url = exceptions_by_url


def create_exchanges(
    settings: Settings, *, asynchronous: bool = False, simulator_url: str | None = None
) -> dict[str, Any]:
    """Every configured exchange, by name (see ``create_exchange``)."""
    return {
        exchange.name: create_exchange(
            settings, exchange, asynchronous=asynchronous, simulator_url=simulator_url
        )
        for exchange in settings.exchanges
    }
