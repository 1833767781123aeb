"""The WebSocket feed: bus events in ``seq`` order, order books for subscribed symbols, and the
client's messages answered through ``ws_actions``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from fastapi import WebSocket
from starlette.websockets import WebSocketDisconnect

from deltaworks_exec.api.ws_actions import POLICY_VIOLATION, WsSession, dispatch
from deltaworks_exec.auth.roles import Principal
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

    async def serve(
        self, websocket: WebSocket, presented: str | None, principal: Principal
    ) -> None:
        """Forward events to ``websocket`` until it disconnects or falls too far behind, and
        answer its messages (``ws_actions``: each signed in and authorized on its own)."""
        session = WsSession(websocket, self._service, self, presented, principal)
        queue = self._service.bus.subscribe()
        reader = asyncio.create_task(self._read(session))
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
                if _wanted(event, session.subscribed):
                    await websocket.send_json(event)
        except WebSocketDisconnect:
            return
        finally:
            self._service.bus.unsubscribe(queue)
            reader.cancel()
            for key in session.subscribed:
                self.release(*key)

    async def _read(self, session: WsSession) -> None:
        """Answer the client's messages; returns when it goes away or its sign-in is refused."""
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                reply = await dispatch(session, await session.websocket.receive_text())
                await session.websocket.send_json(reply.message)
                if reply.close:
                    await session.websocket.close(POLICY_VIOLATION, "sign-in refused")
                    return


def _wanted(event: dict[str, Any], subscribed: set[tuple[str, str]]) -> bool:
    if event["type"] != "book":
        return True
    data = event["data"]
    return (data["exchange"], data["symbol"]) in subscribed
