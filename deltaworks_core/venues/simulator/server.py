"""HTTP + WebSocket host of the simulator: one server, one path prefix per exchange.

``http://HOST:PORT/<name>/...`` reaches exchange ``<name>``, answered by the
dialect (wire layer) of its ``ccxt_id`` over its engine; exchanges of different
dialects are served side by side (see ``dialects``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import threading
from collections.abc import Iterator, Sequence

from aiohttp import web

from ...clock import Clock, WallClock
from ...config import ExchangeSettings, SimulatorSettings
from .credentials import Keyring
from .dialects import Dialect, dialect_for
from .engine import ExchangeEngine, TransferNetwork, today_ms
from .engine.markets import default_rule

log = logging.getLogger(__name__)


class SimulatorServer:
    """Serves every simulated exchange of ``exchanges`` on ``settings.host:settings.port``."""

    def __init__(
        self,
        settings: SimulatorSettings,
        exchanges: Sequence[ExchangeSettings],
        *,
        clock: Clock | None = None,
        epoch_ms: int | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or WallClock()
        if epoch_ms is None:
            epoch_ms = self.clock.now_ms() if clock is not None else today_ms()
        self.keyring = Keyring()
        self._engines: dict[str, ExchangeEngine] = {}
        self._dialects: dict[str, Dialect] = {}
        self.network = TransferNetwork()  # withdrawals between the exchanges arrive as deposits
        for exchange in exchanges:
            if exchange.mode != "simulated":
                continue
            dialect = dialect_for(exchange.ccxt_id)
            engine = ExchangeEngine(
                exchange.name,
                exchange.symbols,
                seed=settings.seed,
                clock=self.clock,
                epoch_ms=epoch_ms,
                withdrawals=settings.withdrawals_per_exchange,
                history_days=settings.history_days,
                rules=getattr(dialect, "market_rules", default_rule),
                market_model=settings.market,
            )
            engine.join(self.network)
            self._engines[exchange.name] = engine
            self._dialects[exchange.name] = dialect(engine, self.keyring)
            self.keyring.register(exchange.name, "main")
            self._register_env(exchange)
        self._runner: web.AppRunner | None = None
        self.port = settings.port

    @property
    def base_url(self) -> str:
        return f"http://{self.settings.host}:{self.port}"

    @property
    def names(self) -> list[str]:
        return list(self._engines)

    def engine(self, name: str) -> ExchangeEngine:
        try:
            return self._engines[name]
        except KeyError:
            known = ", ".join(self._engines) or "none"
            raise KeyError(f"no simulated exchange {name!r} (serving: {known})") from None

    def force_disconnect(self, exchange: str) -> None:
        """Close every stream connection of ``exchange`` (tests of stream consumers)."""
        self._dialect(exchange).force_disconnect()

    def force_gap(self, exchange: str) -> None:
        """Drop ``exchange``'s next market-data push: a sequence gap for its consumers."""
        self._dialect(exchange).force_gap()

    def _dialect(self, exchange: str) -> Dialect:
        self.engine(exchange)  # a clear error naming the served exchanges
        return self._dialects[exchange]

    def add_account(self, exchange: str, account: str) -> tuple[str, str]:
        """Open a funded account on ``exchange``; returns its (api key, secret)."""
        self.engine(exchange).add_account(account)
        return self.keyring.register(exchange, account)

    def _register_env(self, exchange: ExchangeSettings) -> None:
        """Also accept the credentials the configuration names, when they are set here."""
        api_key = os.environ.get(exchange.api_key_env or "")
        secret = os.environ.get(exchange.secret_env or "")
        passphrase = os.environ.get(exchange.passphrase_env or "", "")
        if api_key and secret:
            self.keyring.add(api_key, exchange.name, "main", secret, passphrase)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/{exchange}/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port)
        await site.start()
        sockets = site._server.sockets if site._server else ()
        if sockets:
            self.port = sockets[0].getsockname()[1]
        for dialect in self._dialects.values():
            dialect.start()
        log.info("simulator listening on %s for %s", self.base_url, ", ".join(self._engines))

    async def stop(self) -> None:
        for dialect in self._dialects.values():
            await dialect.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        dialect = self._dialects.get(request.match_info["exchange"])
        if dialect is None:
            return web.Response(
                status=404,
                content_type="application/json",
                text=json.dumps({"code": -1000, "msg": f"No simulated exchange at {request.path}"}),
            )
        return await dialect.handle(request, "/" + request.match_info["tail"])


@contextlib.contextmanager
def running_simulator(
    settings: SimulatorSettings, exchanges: Sequence[ExchangeSettings], **kwargs: object
) -> Iterator[SimulatorServer]:
    """Run a ``SimulatorServer`` on its own event loop in a background thread."""
    server = SimulatorServer(settings, exchanges, **kwargs)  # type: ignore[arg-type]
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.start())
        except BaseException as exc:  # reported to the caller below
            failure.append(exc)
            ready.set()
            return
        ready.set()
        loop.run_forever()
        loop.run_until_complete(server.stop())
        loop.close()

    thread = threading.Thread(target=run, name="deltaworks-simulator", daemon=True)
    thread.start()
    ready.wait()
    if failure:
        thread.join()
        raise failure[0]
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


async def serve_forever(settings: SimulatorSettings, exchanges: Sequence[ExchangeSettings]) -> None:
    """Run the simulator until cancelled (``deltaworks sim start``)."""
    server = SimulatorServer(settings, exchanges)
    await server.start()
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()
