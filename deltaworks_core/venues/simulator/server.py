"""HTTP + WebSocket front of the simulator: one server, one path prefix per exchange.

``http://HOST:PORT/<name>`` + a Binance path (``/api/v3/depth``, ``/sapi/v1/...``,
``/fapi/v1/...``) reaches exchange ``<name>``; websockets live under the same prefix
(see ``ws``). Signatures, timestamps, weights and injected faults are checked here;
everything else is the engine's.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import os
import re
import threading
import time
from collections.abc import Iterator, Sequence
from urllib.parse import parse_qsl

from aiohttp import web

from ...config import ExchangeSettings, SimulatorSettings
from .clock import Clock, WallClock
from .credentials import account_credentials
from .engine import ExchangeEngine, today_ms
from .errors import BinanceError
from .routes import Route, routes
from .ws import WebSocketHub

log = logging.getLogger(__name__)
_SIGNATURE = re.compile(r"&?signature=[^&]*")
UID_WEIGHT_FACTOR = 30  # the per-account (UID) bucket allows 30x the IP weight


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
        self._engines: dict[str, ExchangeEngine] = {}
        self._keys: dict[str, tuple[str, str, str]] = {}  # api key -> (exchange, account, secret)
        for exchange in exchanges:
            if exchange.mode != "simulated":
                continue
            self._engines[exchange.name] = ExchangeEngine(
                exchange.name,
                exchange.symbols,
                seed=settings.seed,
                clock=self.clock,
                epoch_ms=epoch_ms,
                withdrawals=settings.withdrawals_per_exchange,
                history_days=settings.history_days,
            )
            self._register(exchange.name, "main")
            self._register_env(exchange)
        self._routes = routes()
        self._uid_used: dict[tuple[str, str], tuple[int, int]] = {}
        self.hub = WebSocketHub(self)
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

    def add_account(self, exchange: str, account: str) -> tuple[str, str]:
        """Open a funded account on ``exchange``; returns its (api key, secret)."""
        self.engine(exchange).add_account(account)
        return self._register(exchange, account)

    def _register_env(self, exchange: ExchangeSettings) -> None:
        """Also accept the credentials the configuration names, when they are set here."""
        api_key = os.environ.get(exchange.api_key_env or "")
        secret = os.environ.get(exchange.secret_env or "")
        if api_key and secret:
            self._keys[api_key] = (exchange.name, "main", secret)

    def _register(self, exchange: str, account: str) -> tuple[str, str]:
        api_key, secret = account_credentials(exchange, account)
        self._keys[api_key] = (exchange, account, secret)
        return api_key, secret

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
        self.hub.start()
        log.info("simulator listening on %s for %s", self.base_url, ", ".join(self._engines))

    async def stop(self) -> None:
        await self.hub.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- HTTP --------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        engine = self._engines.get(request.match_info["exchange"])
        path = "/" + request.match_info["tail"]
        if engine is None:
            return _error(BinanceError(-1000, f"No simulated exchange at {request.path}", 404))
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self.hub.handle(request, engine, path)
        route = self._routes.get((request.method, path))
        if route is None:
            return _error(BinanceError(-1000, f"Unknown path {request.method} {path}", 404))
        transport = engine.transport
        faults = transport.faults
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        body = await request.text() if request.can_read_body else ""
        raw_query = request.rel_url.raw_query_string
        params = dict(parse_qsl(raw_query, keep_blank_values=True))
        params.update(parse_qsl(body, keep_blank_values=True))
        minute = int(time.time() // 60)
        weight = route.weight(params)
        if transport.take_burst():
            return self._too_many(transport.weight_limit, weight)
        if route.bucket == "ip":
            allowed, used = transport.spend(weight, minute)
            if not allowed:
                return self._too_many(transport.weight_limit, used)
        else:
            used = 0
        if transport.roll(faults.timeout_rate):
            await asyncio.sleep(faults.timeout_delay_ms / 1000)
            return web.Response(status=504, text="Gateway Time-out")
        if transport.roll(faults.error_rate):
            return web.Response(status=503, text="Service Unavailable")
        try:
            account = self._authenticate(request, engine.name, route, raw_query + body, params)
            if route.bucket == "uid":
                self._spend_uid(engine, account, weight, minute)
            result = route.handler(engine, account, params)
        except BinanceError as exc:
            return _error(exc, used)
        if route.places_order and transport.roll(faults.drop_order_response):
            await asyncio.sleep(faults.timeout_delay_ms / 1000)
            return web.Response(status=504, text="Gateway Time-out")
        return web.Response(
            text=json.dumps(result, separators=(",", ":")),
            content_type="application/json",
            headers={"X-MBX-USED-WEIGHT-1M": str(used)},
        )

    def _spend_uid(self, engine: ExchangeEngine, account: str, weight: int, minute: int) -> None:
        last_minute, used = self._uid_used.get((engine.name, account), (minute, 0))
        used = (used if last_minute == minute else 0) + weight
        if used > engine.transport.weight_limit * UID_WEIGHT_FACTOR:
            raise BinanceError(
                -1003,
                "Too much request weight used; current limit is "
                f"{engine.transport.weight_limit * UID_WEIGHT_FACTOR} "
                "request weight per 1 MINUTE.",
                429,
            )
        self._uid_used[(engine.name, account)] = (minute, used)

    @staticmethod
    def _too_many(limit: int, used: int) -> web.Response:
        exc = BinanceError(
            -1003,
            f"Too much request weight used; current limit is {limit} "
            "request weight per 1 MINUTE. Please use WebSocket Streams for "
            "live updates to avoid polling the API.",
            429,
        )
        response = _error(exc, used)
        response.headers["Retry-After"] = "60"
        return response

    def _authenticate(
        self,
        request: web.Request,
        exchange: str,
        route: Route,
        payload: str,
        params: dict[str, str],
    ) -> str:
        """The account of a KEY/SIGNED request, checked like Binance; "" for public ones."""
        if route.security == "NONE":
            return ""
        api_key = request.headers.get("X-MBX-APIKEY", "")
        if not api_key:
            raise BinanceError(-2014, "API-key format invalid.", 401)
        entry = self._keys.get(api_key)
        if entry is None or entry[0] != exchange:
            raise BinanceError(-2015, "Invalid API-key, IP, or permissions for action.", 401)
        _, account, secret = entry
        if route.security == "SIGNED":
            check_signature(secret, payload, params)
        return account

    def account_for_key(self, exchange: str, api_key: str) -> tuple[str, str] | None:
        """(account, secret) of an API key of ``exchange``; None when unknown."""
        entry = self._keys.get(api_key)
        if entry is None or entry[0] != exchange:
            return None
        return entry[1], entry[2]


def check_signature(secret: str, payload: str, params: dict[str, str]) -> None:
    """Binance's SIGNED checks: timestamp inside recvWindow, HMAC-SHA256 of the payload."""
    stamp = params.get("timestamp")
    if not stamp or not stamp.isdigit():
        raise BinanceError(
            -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed."
        )
    window = int(params.get("recvWindow") or 5000)
    if window > 60_000:
        raise BinanceError(-1131, "recvWindow must be less than 60000")
    now = int(time.time() * 1000)
    if int(stamp) > now + 1000 or now - int(stamp) > window:
        raise BinanceError(-1021, "Timestamp for this request is outside of the recvWindow.")
    signature = params.get("signature")
    if not signature:
        raise BinanceError(
            -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed."
        )
    unsigned = _SIGNATURE.sub("", payload, count=1)
    expected = hmac.new(secret.encode(), unsigned.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise BinanceError(-1022, "Signature for this request is not valid.")


def _error(exc: BinanceError, used: int = 0) -> web.Response:
    return web.Response(
        status=exc.status,
        content_type="application/json",
        text=json.dumps({"code": exc.code, "msg": exc.msg}),
        headers={"X-MBX-USED-WEIGHT-1M": str(used)},
    )


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
