"""Fan-out of service events to WebSocket subscribers, in one global order."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

QUEUE_LIMIT = 10_000


class EventBus:
    """Every event gets the next ``seq``; each subscriber receives all events in ``seq`` order.

    A subscriber that falls ``QUEUE_LIMIT`` events behind is dropped (its queue
    receives ``None``) rather than slowing the OMS down.
    """

    def __init__(self) -> None:
        self._seq = itertools.count(1)
        self._subscribers: set[asyncio.Queue[dict[str, Any] | None]] = set()

    def subscribe(self) -> asyncio.Queue[dict[str, Any] | None]:
        queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue(QUEUE_LIMIT + 1)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any] | None]) -> None:
        self._subscribers.discard(queue)

    @property
    def listened(self) -> bool:
        """True when at least one subscriber would receive an event."""
        return bool(self._subscribers)

    def publish(self, kind: str, data: dict[str, Any]) -> None:
        event = {"seq": next(self._seq), "type": kind, "data": data}
        for queue in list(self._subscribers):
            if queue.qsize() >= QUEUE_LIMIT:
                self._subscribers.discard(queue)
                queue.put_nowait(None)
            else:
                queue.put_nowait(event)
