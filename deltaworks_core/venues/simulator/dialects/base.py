"""The dialect interface and the transport faults every dialect injects the same way."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from aiohttp import web

from ..credentials import Keyring
from ..engine import ExchangeEngine


class Dialect(Protocol):
    """The wire layer of one simulated exchange (one instance per exchange)."""

    async def handle(self, request: web.Request, path: str) -> web.StreamResponse:
        """Answer one request (REST, or a WebSocket upgrade) for ``path`` below the prefix."""
        ...

    def start(self) -> None:
        """Begin background work (stream pushes); called on the server's running loop."""
        ...

    async def stop(self) -> None:
        """End background work and close the dialect's connections."""
        ...

    def force_disconnect(self) -> None:
        """Close every stream connection, as a dropped connection would (thread-safe)."""
        ...

    def force_gap(self) -> None:
        """Lose the next market-data push of every stream connection: a sequence gap."""
        ...


DialectFactory = Callable[[ExchangeEngine, Keyring], Dialect]


async def delay(engine: ExchangeEngine) -> None:
    """The injected latency of every request."""
    latency = engine.transport.faults.latency_ms
    if latency:
        await asyncio.sleep(latency / 1000)


async def broken(engine: ExchangeEngine) -> web.Response | None:
    """An injected timeout (hangs, then 504) or server error (503); None when all is well."""
    transport = engine.transport
    faults = transport.faults
    if transport.roll(faults.timeout_rate):
        await asyncio.sleep(faults.timeout_delay_ms / 1000)
        return web.Response(status=504, text="Gateway Time-out")
    if transport.roll(faults.error_rate):
        return web.Response(status=503, text="Service Unavailable")
    return None


async def dropped(engine: ExchangeEngine) -> web.Response | None:
    """After an order was placed: the response lost (hangs, then 504), or None."""
    transport = engine.transport
    if transport.roll(transport.faults.drop_order_response):
        await asyncio.sleep(transport.faults.timeout_delay_ms / 1000)
        return web.Response(status=504, text="Gateway Time-out")
    return None
