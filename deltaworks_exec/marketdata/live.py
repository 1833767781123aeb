"""Live top of book for risk checks and market-data subscribers, fed by the venues' streams.

One background task per (venue, symbol) follows ``Venue.watch_order_book`` (ccxt.pro's
``watch_order_book`` for a live venue) and keeps the latest book with the time it arrived.
No REST polling: a book that has not arrived for a while is reported with its age, and the
risk checks refuse orders on a book older than their limit (``max_book_age_s``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

from deltaworks_exec.marketdata.backoff import Backoff
from deltaworks_exec.venue import OrderBook, Venue

log = logging.getLogger(__name__)

WATCH_DEPTH = 20


@dataclass(frozen=True, slots=True)
class LiveQuote:
    """The best levels of one book and how long ago the stream last delivered it."""

    exchange: str
    symbol: str
    bid: float
    ask: float
    age_s: float

    @property
    def mid(self) -> float:
        return (self.bid + self.ask) / 2

    @property
    def spread_bps(self) -> float:
        return (self.ask - self.bid) / self.mid * 10_000


class BookCache:
    """Stream-fed order books per (venue, symbol); subscribes on first use.

    ``first_book_s`` bounds how long a first request waits for a new subscription's
    snapshot; ``max_age_s`` is only the default of ``quote``'s staleness question.
    """

    def __init__(
        self,
        venues: dict[str, Venue],
        max_age_s: float = 5.0,
        first_book_s: float = 5.0,
        depth: int = WATCH_DEPTH,
    ) -> None:
        self._venues = venues
        self.max_age_s = max_age_s
        self._first_book_s = first_book_s
        self._depth = depth
        self._books: dict[tuple[str, str], tuple[float, OrderBook]] = {}
        self._arrived: dict[tuple[str, str], asyncio.Event] = {}
        self._tasks: dict[tuple[str, str], asyncio.Task[None]] = {}

    def watch(self, exchange: str, symbols: tuple[str, ...] | list[str]) -> None:
        """Subscribe to ``symbols`` of ``exchange`` now (orders then never wait for a book)."""
        for symbol in symbols:
            self._subscribe((exchange, symbol))

    def _subscribe(self, key: tuple[str, str]) -> asyncio.Event:
        if key not in self._tasks:
            self._arrived[key] = asyncio.Event()
            self._tasks[key] = asyncio.create_task(self._follow(key), name=f"book-{key}")
        return self._arrived[key]

    async def _follow(self, key: tuple[str, str]) -> None:
        exchange, symbol = key
        backoff = Backoff(0.2, 5.0)
        while True:
            # Looked up each time: a venue down at start, or reconnected as a new object,
            # is followed once it is (back) in service.
            venue = self._venues.get(exchange)
            if venue is None:
                await asyncio.sleep(backoff.next_delay())
                continue
            try:
                book = await venue.watch_order_book(symbol, self._depth)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the stored book ages until the stream is back
                log.warning(
                    "book stream failed; retrying",
                    extra={"venue": exchange, "symbol": symbol, "error": repr(exc)[:300]},
                )
                await asyncio.sleep(backoff.next_delay())
                continue
            backoff.reset()
            self._books[key] = (time.monotonic(), book)
            self._arrived[key].set()

    async def book(self, exchange: str, symbol: str) -> OrderBook | None:
        """The latest streamed book (waiting for a new subscription's first one), or ``None``."""
        key = (exchange, symbol)
        arrived = self._subscribe(key)
        if not arrived.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), self._first_book_s)
        cached = self._books.get(key)
        return cached[1] if cached is not None else None

    async def quote(self, exchange: str, symbol: str) -> LiveQuote | None:
        """Best bid and ask with their age; ``None`` without a book or while a side is empty."""
        book = await self.book(exchange, symbol)
        if book is None or not book.bids or not book.asks:
            return None
        age = time.monotonic() - self._books[(exchange, symbol)][0]
        return LiveQuote(exchange, symbol, book.bids[0][0], book.asks[0][0], age)

    async def mid(self, exchange: str, symbol: str) -> float | None:
        """The mid of the latest book if it is younger than ``max_age_s``, else ``None``."""
        quote = await self.quote(exchange, symbol)
        return quote.mid if quote is not None and quote.age_s <= self.max_age_s else None

    async def close(self) -> None:
        """Stop following every book."""
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        self._tasks.clear()
