"""The WebSocket feed: bus events in ``seq`` order, plus order books for subscribed symbols."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from fastapi import WebSocket
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.websockets import WebSocketDisconnect

from deltaworks_exec.service import ExecService

log = logging.getLogger(__name__)

BOOK_INTERVAL_S = 1.0
BOOK_DEPTH = 10


class MarketFeeds:
    """Publishes ``book`` events for symbols at least one WebSocket subscribed to."""

    def __init__(self, service: ExecService) -> None:
        self._service = service
        self._feeds: dict[tuple[str, str], tuple[int, asyncio.Task[None]]] = {}

    def acquire(self, exchange: str, symbol: str) -> None:
        key = (exchange, symbol)
        count, task = self._feeds.get(key, (0, None))
        if task is None:
            task = asyncio.create_task(self._publish(exchange, symbol))
        self._feeds[key] = (count + 1, task)

    def release(self, exchange: str, symbol: str) -> None:
        count, task = self._feeds[(exchange, symbol)]
        if count > 1:
            self._feeds[(exchange, symbol)] = (count - 1, task)
        else:
            task.cancel()
            del self._feeds[(exchange, symbol)]

    async def close(self) -> None:
        for _, task in self._feeds.values():
            task.cancel()
        self._feeds.clear()

    async def _publish(self, exchange: str, symbol: str) -> None:
        """The streamed book (the one risk prices orders with) every ``BOOK_INTERVAL_S``."""
        assert self._service.market is not None
        while True:
            try:
                book = await self._service.market.book(exchange, symbol)
                if book is not None:
                    self._service.bus.publish(
                        "book",
                        {
                            "exchange": exchange,
                            "symbol": symbol,
                            "ts_ms": book.ts_ms,
                            "bids": book.bids[:BOOK_DEPTH],
                            "asks": book.asks[:BOOK_DEPTH],
                        },
                    )
            except Exception as exc:  # keep the feed alive through venue errors
                log.warning("book feed failed", extra={"symbol": symbol, "error": repr(exc)[:200]})
            await asyncio.sleep(BOOK_INTERVAL_S)

    async def serve(self, websocket: WebSocket) -> None:
        """Forward events to ``websocket`` until it disconnects or falls too far behind."""
        queue = self._service.bus.subscribe()
        subscribed: set[tuple[str, str]] = set()
        reader = asyncio.create_task(self._read(websocket, subscribed))
        try:
            while True:
                getter = asyncio.create_task(queue.get())
                done, _ = await asyncio.wait({getter, reader}, return_when=asyncio.FIRST_COMPLETED)
                if reader in done:
                    getter.cancel()
                    return
                event = getter.result()
                if event is None:
                    await websocket.close(code=1013, reason="subscriber too slow")
                    return
                if _wanted(event, subscribed):
                    await websocket.send_json(event)
        except WebSocketDisconnect:
            return
        finally:
            self._service.bus.unsubscribe(queue)
            reader.cancel()
            for key in subscribed:
                self.release(*key)

    async def _read(self, websocket: WebSocket, subscribed: set[tuple[str, str]]) -> None:
        """Handle subscribe messages; returns when the client goes away."""
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                try:
                    request = self._subscription(await websocket.receive_text())
                except ValueError as exc:
                    await websocket.send_json({"type": "error", "data": {"detail": str(exc)}})
                    continue
                for symbol in request.symbols:
                    if (request.exchange, symbol) not in subscribed:
                        subscribed.add((request.exchange, symbol))
                        self.acquire(request.exchange, symbol)
                await websocket.send_json({"type": "subscribed", "data": request.model_dump()})

    def _subscription(self, text: str) -> Subscription:
        """A validated subscription; ``ValueError`` naming the field or value otherwise."""
        try:
            request = SubscribeMessage.model_validate_json(text).subscribe
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'message'}: {e['msg']}"
                for e in exc.errors()
            )
            raise ValueError(
                f'expected {{"subscribe": {{"exchange": ..., "symbols": [...]}}}}: {problems}'
            ) from None
        venue = self._service.venues.get(request.exchange)
        if venue is None:
            raise ValueError(f"subscribe.exchange: unknown exchange {request.exchange!r}")
        for symbol in request.symbols:
            try:
                venue.rules(symbol)
            except Exception:
                raise ValueError(
                    f"subscribe.symbols: {symbol!r} is not a market of {request.exchange}"
                ) from None
        return request


class Subscription(BaseModel):
    """Order-book events wanted for ``symbols`` of ``exchange``."""

    model_config = ConfigDict(extra="forbid")

    exchange: str
    symbols: list[str] = Field(min_length=1, max_length=20)


class SubscribeMessage(BaseModel):
    """The one message a client sends on the WebSocket."""

    model_config = ConfigDict(extra="forbid")

    subscribe: Subscription


def _wanted(event: dict[str, Any], subscribed: set[tuple[str, str]]) -> bool:
    if event["type"] != "book":
        return True
    data = event["data"]
    return (data["exchange"], data["symbol"]) in subscribed
