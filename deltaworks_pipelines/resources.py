"""Dagster resources for QuestDB and the configured exchanges, built from ``deltaworks.toml``.

Both are ``ConfigurableResource``s whose fields mirror the configuration, so the
web UI shows (and a launchpad can override) what a run connects to. They open
their clients in ``setup_for_execution`` and close them in
``teardown_after_execution``: one set of connections per run or sensor tick.
Tests point ``ExchangesResource.simulator_url`` at a simulator on a random port.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal, get_args, get_origin

import ccxt
import dagster as dg
from pydantic import PrivateAttr, create_model
from pydantic.fields import FieldInfo

from deltaworks_core.config import ExchangeSettings, QuestDBSettings, Settings, SimulatorSettings
from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_core.retry import EXCHANGE_READS, RetryPolicy
from deltaworks_core.venues.factory import create_exchange

_ERROR_TEXT_LIMIT = 400


class QuestDBResource(dg.ConfigurableResource):
    """QuestDB over ILP/HTTP (writes) and PGWire (reads)."""

    host: str = "127.0.0.1"
    http_port: int = 9000
    pg_port: int = 8812
    user: str = "admin"
    password_env: str = "DELTAWORKS_QUESTDB_PASSWORD"

    _reader: QuestDBReader | None = PrivateAttr(default=None)
    _writer: QuestDBWriter | None = PrivateAttr(default=None)

    @classmethod
    def from_settings(cls, settings: QuestDBSettings) -> QuestDBResource:
        return cls(**settings.model_dump(include=set(cls.model_fields)))

    @property
    def settings(self) -> QuestDBSettings:
        return QuestDBSettings(
            managed=False, **self.model_dump(include=set(type(self).model_fields))
        )

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._reader = QuestDBReader(self.settings)
        self._writer = QuestDBWriter(self.settings)

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        if self._reader is not None:
            self._reader.close()
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None

    @property
    def reader(self) -> QuestDBReader:
        """A pooled PGWire reader (thread-safe), open while the run or tick lasts."""
        return _opened(self._reader, "reader")

    @property
    def writer(self) -> QuestDBWriter:
        """An ILP writer (thread-safe), open while the run or tick lasts."""
        return _opened(self._writer, "writer")


def _opened(client: Any, what: str) -> Any:
    if client is None:
        raise RuntimeError(
            f"the QuestDB {what} exists while a Dagster run or sensor tick uses the resource"
        )
    return client


def _config_type(annotation: Any) -> Any:
    """The Dagster config type for a settings field (tuples as lists, literals as strings)."""
    origin = get_origin(annotation)
    if origin is tuple:
        return list[_config_type(get_args(annotation)[0])]
    if origin is Literal:
        return str
    return annotation


def _config_default(field: FieldInfo) -> Any:
    if field.is_required():
        return ...
    return list(field.default) if isinstance(field.default, tuple) else field.default


ExchangeConfig = create_model(
    "ExchangeConfig",
    __base__=dg.Config,
    __doc__="One ``[[exchanges]]`` entry: ``ExchangeSettings``' fields as Dagster config.",
    **{
        name: (_config_type(field.annotation), _config_default(field))
        for name, field in ExchangeSettings.model_fields.items()
    },
)


class ExchangeError(RuntimeError):
    """An exchange call failed (after retries for transient errors); names exchange and call."""

    def __init__(self, exchange: str, call: str, error: BaseException) -> None:
        self.exchange = exchange
        self.error = error
        detail = " ".join(str(error).split())[:_ERROR_TEXT_LIMIT]
        super().__init__(f"exchange {exchange!r}: {call} failed: {type(error).__name__}: {detail}")


class MarketsCache:
    """Markets per exchange, loaded once and given to every client of that exchange."""

    def __init__(self) -> None:
        self._markets: dict[str, tuple[Any, Any]] = {}
        self._lock = threading.Lock()

    def give(self, client: ExchangeClient) -> None:
        """Give ``client`` its exchange's markets, loading them on first use."""
        if client.ccxt.markets:
            return
        with self._lock:
            cached = self._markets.get(client.name)
            if cached is None:
                client.load_markets()
                self._markets[client.name] = (client.ccxt.markets, client.ccxt.currencies)
                return
        client.ccxt.set_markets(*cached)


class ExchangeClient:
    """One exchange's ccxt client: typed reads, retried under a ``RetryPolicy``.

    Errors surface as ``ExchangeError`` naming the exchange and the call. Used
    by one thread at a time (``ExchangesResource.client`` lends them out).
    """

    def __init__(self, config: ExchangeSettings, client: Any, policy: RetryPolicy) -> None:
        self.config = config
        self.ccxt = client
        self._policy = policy

    @property
    def name(self) -> str:
        return self.config.name

    def load_markets(self) -> None:
        self._call(self.ccxt.load_markets)

    def fetch_balance(self, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._call(self.ccxt.fetch_balance, params or {})

    def fetch_tickers(self) -> dict[str, Any]:
        return self._call(self.ccxt.fetch_tickers)

    def fetch_withdrawals(
        self,
        code: str | None = None,
        since: int | None = None,
        limit: int | None = None,
        params: dict[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        return self._call(self.ccxt.fetch_withdrawals, code, since, limit, params or {})

    def fetch_ohlcv(
        self,
        symbol: str,
        timeframe: str = "1m",
        since: int | None = None,
        limit: int | None = None,
        params: dict[str, Any] | None = None,
    ) -> list[list[Any]]:
        return self._call(self.ccxt.fetch_ohlcv, symbol, timeframe, since, limit, params or {})

    def _call(self, method: Any, *args: Any) -> Any:
        try:
            return self._policy.call(method, *args)
        except ccxt.BaseError as exc:
            raise ExchangeError(self.name, method.__name__, exc) from exc


class ExchangesResource(dg.ConfigurableResource):
    """Every configured exchange through ccxt; simulated ones served by the simulator.

    ``simulator_url`` (``http://host:port``) overrides ``simulator_host``/``simulator_port``.
    Simulated exchanges run without ccxt's client-side rate limiter: Binance's
    fiat-history weight would otherwise make ccxt wait about 30 s per call,
    while the simulator enforces its own limits (HTTP 429, retried here).
    """

    exchanges: list[ExchangeConfig]  # type: ignore[valid-type]
    simulator_host: str = "127.0.0.1"
    simulator_port: int = 8765
    simulator_url: str | None = None
    attempts: int | None = None  # None: the EXCHANGE_READS policy's
    backoff_s: float | None = None
    timeout_ms: int = 10_000
    max_workers: int = 16

    _idle: dict[str, list[ExchangeClient]] | None = PrivateAttr(default=None)
    _markets: MarketsCache | None = PrivateAttr(default=None)

    @classmethod
    def from_settings(
        cls, settings: Settings, simulator_url: str | None = None
    ) -> ExchangesResource:
        return cls(
            exchanges=[ExchangeConfig(**e.model_dump()) for e in settings.exchanges],
            simulator_host=settings.simulator.host,
            simulator_port=settings.simulator.port,
            simulator_url=simulator_url,
        )

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._idle = {}
        self._markets = MarketsCache()

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self._idle = self._markets = None

    @property
    def names(self) -> list[str]:
        return [e.name for e in self.exchanges]

    def exchange_settings(self, name: str) -> ExchangeSettings:
        """The validated settings of the exchange called ``name``."""
        return self._settings().exchange(name)

    @contextmanager
    def client(self, name: str) -> Iterator[ExchangeClient]:
        """A client of exchange ``name`` for the caller's thread alone, while the block runs.

        Within a run or sensor tick clients and markets are pooled (building a ccxt
        client costs ~20 ms of CPU): a block takes an idle one or builds one and
        returns it at the end. Outside one, the block gets a client of its own.
        """
        if self._idle is None or self._markets is None:
            yield self._new_client(name, MarketsCache())
            return
        idle = self._idle.setdefault(name, [])  # list.pop/append are atomic
        try:
            client = idle.pop()
        except IndexError:
            client = self._new_client(name, self._markets)
        try:
            yield client
        finally:
            idle.append(client)

    def _new_client(self, name: str, markets: MarketsCache) -> ExchangeClient:
        settings = self._settings()
        config = settings.exchange(name)
        exchange = create_exchange(settings, config, simulator_url=self.simulator_url)
        exchange.timeout = self.timeout_ms
        if config.mode == "simulated":
            exchange.enableRateLimit = False
        policy = EXCHANGE_READS.replace(attempts=self.attempts, base_delay_s=self.backoff_s)
        client = ExchangeClient(config, exchange, policy)
        markets.give(client)
        return client

    def _settings(self) -> Settings:
        return Settings(
            simulator=SimulatorSettings(host=self.simulator_host, port=self.simulator_port),
            exchanges=tuple(ExchangeSettings(**e.model_dump()) for e in self.exchanges),
        )
