"""Dagster resources for QuestDB and the configured exchanges, built from ``deltaworks.toml``.

Both are ``ConfigurableResource``s whose fields mirror the configuration, so the
web UI shows (and a launchpad can override) what a run connects to. Tests point
``ExchangesResource.simulator_url`` at a simulator on a random port.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import ccxt
import dagster as dg
from pydantic import Field

from deltaworks_core.config import ExchangeSettings, QuestDBSettings, Settings, SimulatorSettings
from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_core.venues.errors import retry_call
from deltaworks_core.venues.factory import create_exchange

T = TypeVar("T")

MARKETS_TTL_S = 3600.0
_ERROR_TEXT_LIMIT = 400


# Connections per QuestDB address, shared by every step and tick of the process (runs in
# one process, like the demo's, would otherwise open a new ILP sender per step).
_questdb: dict[tuple[str, int, int, str], tuple[QuestDBReader, QuestDBWriter]] = {}
_questdb_lock = threading.Lock()


@atexit.register
def _close_questdb() -> None:
    with _questdb_lock:
        for reader, writer in _questdb.values():
            reader.close()
            writer.close()
        _questdb.clear()


class QuestDBResource(dg.ConfigurableResource):
    """QuestDB over ILP/HTTP (writes) and PGWire (reads)."""

    host: str = "127.0.0.1"
    http_port: int = 9000
    pg_port: int = 8812
    user: str = "admin"
    password_env: str = "DELTAWORKS_QUESTDB_PASSWORD"

    @classmethod
    def from_settings(cls, settings: QuestDBSettings) -> QuestDBResource:
        return cls(
            host=settings.host,
            http_port=settings.http_port,
            pg_port=settings.pg_port,
            user=settings.user,
            password_env=settings.password_env,
        )

    @property
    def settings(self) -> QuestDBSettings:
        return QuestDBSettings(
            managed=False,
            host=self.host,
            http_port=self.http_port,
            pg_port=self.pg_port,
            user=self.user,
            password_env=self.password_env,
        )

    @property
    def reader(self) -> QuestDBReader:
        """A pooled PGWire reader (thread-safe, shared within the process)."""
        return self._clients()[0]

    @property
    def writer(self) -> QuestDBWriter:
        """An ILP writer (thread-safe, shared within the process)."""
        return self._clients()[1]

    def _clients(self) -> tuple[QuestDBReader, QuestDBWriter]:
        key = (self.host, self.http_port, self.pg_port, self.user)
        with _questdb_lock:
            if key not in _questdb:
                settings = self.settings
                _questdb[key] = (QuestDBReader(settings), QuestDBWriter(settings))
            return _questdb[key]


class ExchangeConfig(dg.Config):
    """One ``[[exchanges]]`` entry of ``deltaworks.toml`` (credentials: variable names only)."""

    name: str
    ccxt_id: str = "binance"
    mode: str = "simulated"
    account_types: list[str] = Field(default_factory=lambda: ["spot", "margin", "future"])
    api_key_env: str | None = None
    secret_env: str | None = None
    quote_currency: str = "USDT"
    symbols: list[str] = Field(default_factory=lambda: ["BTC/USDT", "ETH/USDT"])


class ExchangeError(RuntimeError):
    """An exchange call failed (after retries for transient errors); names exchange and call."""

    def __init__(self, exchange: str, call: str, error: BaseException) -> None:
        self.exchange = exchange
        self.error = error
        detail = " ".join(str(error).split())[:_ERROR_TEXT_LIMIT]
        super().__init__(f"exchange {exchange!r}: {call} failed: {type(error).__name__}: {detail}")


# Idle clients per (exchange name, resource configuration); list.pop/append are atomic.
_venues: dict[tuple[str, str], list[Venue]] = {}
# Markets per (exchange name, REST base): loaded once per process, shared by every client.
_markets: dict[tuple[str, str], tuple[float, Any, Any]] = {}
_markets_locks: dict[tuple[str, str], threading.Lock] = {}
_markets_lock = threading.Lock()


class Venue:
    """One exchange's ccxt client with retried, error-labelled calls.

    A ``Venue`` is used by one thread at a time (``ExchangesResource.venue``
    lends them out); markets come from a process-wide cache.
    """

    def __init__(self, config: ExchangeSettings, client: Any, attempts: int, backoff_s: float):
        self.config = config
        self.client = client
        self._attempts = attempts
        self._backoff_s = backoff_s

    @property
    def name(self) -> str:
        return self.config.name

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """``client.<method>(*args, **kwargs)``, retried with backoff on transient errors.

        Raises ``ExchangeError`` carrying the exchange's error on failure.
        """
        self.ensure_markets()
        return self._retried(getattr(self.client, method), method, *args, **kwargs)

    def ensure_markets(self) -> None:
        """Give the client its markets from the process cache, loading them at most once an hour."""
        if self.client.markets:
            return
        cache_key = (self.name, str(self.client.urls["api"].get("public")))
        with _markets_lock:
            lock = _markets_locks.setdefault(cache_key, threading.Lock())
        with lock:
            cached = _markets.get(cache_key)
            if cached is None or time.monotonic() - cached[0] > MARKETS_TTL_S:
                self._retried(self.client.load_markets, "load_markets")
                cached = (time.monotonic(), self.client.markets, self.client.currencies)
                _markets[cache_key] = cached
        self.client.set_markets(cached[1], cached[2])

    def _retried(self, fn: Callable[..., T], label: str, *args: Any, **kwargs: Any) -> T:
        try:
            return retry_call(
                fn, *args, attempts=self._attempts, base_delay=self._backoff_s, **kwargs
            )
        except ccxt.BaseError as exc:
            raise ExchangeError(self.name, label, exc) from exc


class ExchangesResource(dg.ConfigurableResource):
    """Every configured exchange through ccxt; simulated ones served by the simulator.

    ``simulator_url`` (``http://host:port``) overrides ``simulator_host``/``simulator_port``.
    Simulated exchanges run without ccxt's client-side rate limiter: Binance's
    fiat-history weight would otherwise make ccxt wait about 30 s per call,
    while the simulator enforces its own limits (HTTP 429, retried here).
    """

    exchanges: list[ExchangeConfig]
    simulator_host: str = "127.0.0.1"
    simulator_port: int = 8765
    simulator_url: str | None = None
    attempts: int = 4
    backoff_s: float = 0.5
    timeout_ms: int = 10_000
    max_workers: int = 16

    @classmethod
    def from_settings(
        cls, settings: Settings, simulator_url: str | None = None
    ) -> ExchangesResource:
        return cls(
            exchanges=[
                ExchangeConfig(**e.model_dump(include=set(ExchangeConfig.model_fields)))
                for e in settings.exchanges
            ],
            simulator_host=settings.simulator.host,
            simulator_port=settings.simulator.port,
            simulator_url=simulator_url,
        )

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.exchanges]

    def exchange_settings(self, name: str) -> ExchangeSettings:
        """The validated settings of the exchange called ``name``."""
        return self._settings().exchange(name)

    @contextmanager
    def venue(self, name: str) -> Iterator[Venue]:
        """A client of exchange ``name`` for the caller's thread alone, while the block runs.

        Clients are pooled per process (building a ccxt client costs ~20 ms of
        CPU): a block takes an idle one or builds one, and returns it at the end.
        """
        idle = _venues.setdefault((name, self.model_dump_json()), [])
        try:
            venue = idle.pop()
        except IndexError:
            venue = self._new_venue(name)
        try:
            yield venue
        finally:
            idle.append(venue)

    def _new_venue(self, name: str) -> Venue:
        settings = self._settings()
        config = settings.exchange(name)
        client = create_exchange(settings, config, simulator_url=self.simulator_url)
        client.timeout = self.timeout_ms
        if config.mode == "simulated":
            client.enableRateLimit = False
        return Venue(config, client, self.attempts, self.backoff_s)

    def _settings(self) -> Settings:
        return Settings(
            simulator=SimulatorSettings(host=self.simulator_host, port=self.simulator_port),
            exchanges=tuple(ExchangeSettings(**e.model_dump()) for e in self.exchanges),
        )
