"""The Binance dialect: ``http://HOST:PORT/<name>`` + a Binance path reaches one exchange.

REST paths are Binance's (``/api/v3/depth``, ``/sapi/v1/...``, ``/fapi/v1/...``, see
``routes``); websockets live under the same prefix (see ``streams``). API keys,
signatures, timestamps, request weights and injected faults are checked here;
everything else is the engine's, whose refusals are answered with Binance's codes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from urllib.parse import parse_qsl

from aiohttp import web

from ...credentials import Keyring
from ...engine import ExchangeEngine, SimError
from ..base import broken, delay, dropped
from .errors import BAD_KEY, BinanceError, to_binance
from .params import check_read
from .routes import Route, routes
from .streams import ListenKeys, WebSocketHub
from .trading_routes import trading_routes
from .wallet import wallet_routes

_SIGNATURE = re.compile(r"&?signature=[^&]*")
UID_WEIGHT_FACTOR = 30  # the per-account (UID) bucket allows 30x the IP weight
WEIGHT_HEADER = "X-MBX-USED-WEIGHT-1M"


class BinanceDialect:
    """Binance's spot, margin (sapi) and USDⓈ-M (fapi) APIs over one engine."""

    def __init__(self, engine: ExchangeEngine, keyring: Keyring) -> None:
        self.engine = engine
        self.keyring = keyring
        listen_keys = ListenKeys(engine)
        self._routes = routes(listen_keys) | trading_routes() | wallet_routes()
        self._uid_used: dict[str, tuple[int, int]] = {}
        self.hub = WebSocketHub(engine, keyring, listen_keys)

    def start(self) -> None:
        self.hub.start()

    async def stop(self) -> None:
        await self.hub.stop()

    def force_disconnect(self) -> None:
        self.hub.force_disconnect()

    def force_gap(self) -> None:
        self.hub.force_gap()

    async def handle(self, request: web.Request, path: str) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self.hub.handle(request, path)
        route = self._routes.get((request.method, path))
        if route is None:
            return _error(BinanceError(-1000, f"Unknown path {request.method} {path}", 404))
        engine = self.engine
        transport = engine.transport
        await delay(engine)
        body = await request.text() if request.can_read_body else ""
        raw_query = request.rel_url.raw_query_string
        params = dict(parse_qsl(raw_query, keep_blank_values=True))
        params.update(parse_qsl(body, keep_blank_values=True))
        minute = int(time.time() // 60)
        weight = route.weight(params)
        if transport.take_burst():
            return _too_many(transport.weight_limit, weight)
        used = 0
        if route.bucket == "ip":
            allowed, used = transport.spend(weight, minute)
            if not allowed:
                return _too_many(transport.weight_limit, used)
        failure = await broken(engine)
        if failure is not None:
            return failure
        try:
            check_read(request.method, path, params)
            account = self._authenticate(request, route, raw_query + body, params)
            if route.bucket == "uid":
                self._spend_uid(account, weight, minute)
            result = route.handler(engine, account, params)
        except BinanceError as exc:
            return _error(exc, used)
        except SimError as exc:
            return _error(to_binance(exc, linear=path.startswith("/fapi")), used)
        if route.places_order:
            lost = await dropped(engine)
            if lost is not None:
                return lost
        return web.Response(
            text=json.dumps(result, separators=(",", ":")),
            content_type="application/json",
            headers={WEIGHT_HEADER: str(used)},
        )

    def _spend_uid(self, account: str, weight: int, minute: int) -> None:
        limit = self.engine.transport.weight_limit * UID_WEIGHT_FACTOR
        last_minute, used = self._uid_used.get(account, (minute, 0))
        used = (used if last_minute == minute else 0) + weight
        if used > limit:
            raise BinanceError(
                -1003,
                f"Too much request weight used; current limit is {limit} "
                "request weight per 1 MINUTE.",
                429,
            )
        self._uid_used[account] = (minute, used)

    def _authenticate(
        self, request: web.Request, route: Route, payload: str, params: dict[str, str]
    ) -> str:
        """The account of a KEY/SIGNED request, checked like Binance; "" for public ones."""
        if route.security == "NONE":
            return ""
        api_key = request.headers.get("X-MBX-APIKEY", "")
        if not api_key:
            raise BinanceError(-2014, "API-key format invalid.", 401)
        found = self.keyring.lookup(self.engine.name, api_key)
        if found is None:
            raise BinanceError(-2015, BAD_KEY, 401)
        account, secret = found
        if route.security == "SIGNED":
            check_signature(secret, payload, params)
        return account


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


def _error(exc: BinanceError, used: int = 0) -> web.Response:
    return web.Response(
        status=exc.status,
        content_type="application/json",
        text=json.dumps(
            {"code": exc.code, "msg": exc.msg} | ({} if exc.data is None else {"data": exc.data})
        ),
        headers={WEIGHT_HEADER: str(used)},
    )
