"""Mid prices for risk checks and market-data subscribers: cached, refreshed in the background.

A book younger than ``max_age_s`` is served as is; an older one (up to ``stale_s``) is
served while a refresh runs in the background, so an order never waits for a book
fetch unless the cached one is too old to judge a price band with.
"""

from __future__ import annotations

import asyncio
import time

from deltaworks_exec.venue import OrderBook, Venue


class BookCache:
    """Order-book snapshots per (venue, symbol)."""

    def __init__(self, venues: dict[str, Venue], max_age_s: float = 1.0, stale_s: float = 10.0):
        self._venues = venues
        self._max_age_s = max_age_s
        self._stale_s = stale_s
        self._books: dict[tuple[str, str], tuple[float, OrderBook]] = {}
        self._refreshing: dict[tuple[str, str], asyncio.Task[OrderBook]] = {}

    async def book(self, exchange: str, symbol: str) -> OrderBook:
        """The cached book; refreshed in the background when old, fetched when stale."""
        key = (exchange, symbol)
        cached = self._books.get(key)
        age = time.monotonic() - cached[0] if cached is not None else None
        if cached is not None and age is not None and age < self._max_age_s:
            return cached[1]
        task = self._refreshing.get(key)
        if task is None:
            task = self._refreshing[key] = asyncio.create_task(self._fetch(key))
            task.add_done_callback(_retrieve)
        if cached is not None and age is not None and age < self._stale_s:
            return cached[1]
        return await asyncio.shield(task)

    async def _fetch(self, key: tuple[str, str]) -> OrderBook:
        try:
            book = await self._venues[key[0]].order_book(key[1], 5)
            self._books[key] = (time.monotonic(), book)
            return book
        finally:
            self._refreshing.pop(key, None)

    async def mid(self, exchange: str, symbol: str) -> float | None:
        """The mid of the cached book; ``None`` when a side is empty."""
        return (await self.book(exchange, symbol)).mid


def _retrieve(task: asyncio.Task[OrderBook]) -> None:
    """Mark a background refresh's error as seen (the next read retries)."""
    if not task.cancelled():
        task.exception()
