"""One exchange's streams: trades, top of book and book snapshots per symbol, without gaps.

ccxt.pro keeps each book in sync from Binance's diff stream: it checks every update's
sequence numbers against the last one and, on a mismatch, drops the book and raises
``ChecksumError``; the next ``watch_order_book`` subscribes again and rebuilds the book
from a REST snapshot. Here each such break, and each lost connection, becomes a
``feed_gaps`` row, and the trades of that symbol are back-filled over REST from the last
stored one (``fetch_trades`` since its time, newer ids only), so a gap is never silent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import ccxt

from deltaworks_core.config import RecorderSettings
from deltaworks_core.venues.errors import retry_call_async
from deltaworks_exec.marketdata.backoff import Backoff
from deltaworks_exec.marketdata.rows import (
    Gap,
    book_time,
    quote_row,
    snapshot_row,
    top_of_book,
    trade_row,
)
from deltaworks_exec.marketdata.sink import TickSink

log = logging.getLogger(__name__)

BACKFILL_PAGE = 1000


def _now_ms() -> float:
    return time.time() * 1000


def _trade_key(trade_id: str) -> tuple[int, str]:
    """Order of trade ids: numerically where they are numbers (Binance), else as text."""
    return (int(trade_id), "") if trade_id.isdigit() else (0, trade_id)


@dataclass
class SymbolState:
    """What the recorder last stored for one symbol: the gap checks compare against it."""

    last_trade_id: str | None = None
    last_trade_ms: float | None = None
    book_nonce: int | None = None
    book_ms: float | None = None
    top: tuple[float, float, float, float] | None = None
    last_snapshot_s: float = 0.0
    book: dict[str, Any] | None = None
    received_ms: float = 0.0
    backfill_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class ExchangeFeed:
    """Records ``symbols`` of one exchange through ``client`` (a ccxt.pro exchange)."""

    def __init__(
        self,
        name: str,
        client: Any,
        symbols: tuple[str, ...],
        sink: TickSink,
        settings: RecorderSettings,
        last_trades: dict[str, tuple[str, float]] | None = None,
    ) -> None:
        self.name = name
        self.client = client
        self.symbols = symbols
        self._sink = sink
        self._settings = settings
        self.states = {symbol: SymbolState() for symbol in symbols}
        for symbol, (trade_id, trade_ms) in (last_trades or {}).items():
            if symbol in self.states:
                self.states[symbol].last_trade_id = trade_id
                self.states[symbol].last_trade_ms = trade_ms
        self.gaps: list[Gap] = []
        self.messages = 0

    async def run(self) -> None:
        """Record until cancelled; every symbol's trade and book streams reconnect on their own."""
        backoff = self._backoff()
        while True:
            try:
                await retry_call_async(self.client.load_markets)
                break
            except Exception as exc:
                log.warning(
                    "recorder cannot load markets",
                    extra={"exchange": self.name, "error": type(exc).__name__},
                )
                await asyncio.sleep(backoff.next_delay())
        await asyncio.gather(
            *(self._trades(symbol) for symbol in self.symbols),
            *(self._books(symbol) for symbol in self.symbols),
        )

    def _backoff(self) -> Backoff:
        return Backoff(self._settings.reconnect_initial_s, self._settings.reconnect_max_s)

    # -- trades ------------------------------------------------------------------------------

    async def _trades(self, symbol: str) -> None:
        state = self.states[symbol]
        backoff = self._backoff()
        interrupted: Gap | None = None
        if state.last_trade_id is not None:  # a restart: catch up from what is stored
            interrupted = Gap(
                self.name, symbol, "restart", _now_ms(), state.last_trade_id, reason="restart"
            )
        while True:
            try:
                trades = await self.client.watch_trades(symbol)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if interrupted is None:
                    interrupted = self._gap(
                        symbol, "trades_disconnect", exc, state.last_trade_id, state.last_trade_ms
                    )
                await asyncio.sleep(backoff.next_delay())
                continue
            backoff.reset()
            self._store_trades(symbol, trades, "stream")
            if interrupted is not None:
                # The stream is subscribed again: REST now covers everything up to it.
                await self._backfill(symbol, interrupted)
                interrupted = None

    def _store_trades(self, symbol: str, trades: list[dict[str, Any]], source: str) -> int:
        """Queue trades newer than the last stored one; return how many."""
        state = self.states[symbol]
        received = _now_ms()
        last = _trade_key(state.last_trade_id) if state.last_trade_id is not None else None
        stored = 0
        for trade in trades:
            trade_id = str(trade["id"])
            key = _trade_key(trade_id)
            if last is not None and key <= last:
                continue  # seen already (a back-fill overlapping the stream)
            self._sink.add("trades", trade_row(self.name, trade, source, received))
            last = key
            state.last_trade_id = trade_id
            state.last_trade_ms = trade["timestamp"]
            stored += 1
        self.messages += len(trades)
        return stored

    async def _backfill(self, symbol: str, gap: Gap) -> None:
        """Fetch the trades after the last stored one over REST; record the gap and the result."""
        state = self.states[symbol]
        async with state.backfill_lock:
            since = state.last_trade_ms
            try:
                while since is not None:
                    page = await retry_call_async(
                        self.client.fetch_trades, symbol, int(since), BACKFILL_PAGE
                    )
                    gap.backfilled += self._store_trades(symbol, page, "backfill")
                    newest = page[-1]["timestamp"] if page else since
                    if len(page) < BACKFILL_PAGE or newest <= since:
                        break
                    since = newest
                gap.filled = True
            except Exception as exc:
                gap.reason = f"{gap.reason}; backfill failed: {type(exc).__name__}".strip("; ")
                log.warning(
                    "recorder back-fill failed",
                    extra={"exchange": self.name, "symbol": symbol, "error": type(exc).__name__},
                )
            gap.to_id = state.last_trade_id
            gap.to_ms = state.last_trade_ms
            self._record_gap(gap)

    # -- books -------------------------------------------------------------------------------

    async def _books(self, symbol: str) -> None:
        state = self.states[symbol]
        backoff = self._backoff()
        broken: Gap | None = None
        limit = max(self._settings.depth, 100)
        while True:
            try:
                book = await self.client.watch_order_book(symbol, limit)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if broken is None:
                    sequence = isinstance(exc, ccxt.ChecksumError)
                    nonce = None if state.book_nonce is None else str(state.book_nonce)
                    kind = "book_sequence" if sequence else "book_disconnect"
                    broken = self._gap(symbol, kind, exc, nonce, state.book_ms)
                if not isinstance(exc, ccxt.ChecksumError):
                    await asyncio.sleep(backoff.next_delay())
                continue
            backoff.reset()
            self._on_book(symbol, book, force_snapshot=broken is not None)
            if broken is not None:
                # ccxt rebuilt the book from a REST snapshot; trades of the gap come over REST.
                gap, broken = broken, None
                gap.to_id, gap.to_ms = str(state.book_nonce), state.book_ms
                asyncio.get_running_loop().create_task(self._resync_trades(symbol, gap))

    async def _resync_trades(self, symbol: str, book_gap: Gap) -> None:
        book_gap.filled = True
        self._record_gap(book_gap)
        state = self.states[symbol]
        trade_gap = Gap(
            self.name,
            symbol,
            "trades_resync",
            _now_ms(),
            state.last_trade_id,
            from_ms=state.last_trade_ms,
            reason=f"after {book_gap.kind}",
        )
        await self._backfill(symbol, trade_gap)

    def _on_book(self, symbol: str, book: dict[str, Any], *, force_snapshot: bool) -> None:
        state = self.states[symbol]
        received = _now_ms()
        self.messages += 1
        state.book = book
        state.received_ms = received
        state.book_nonce = int(book["nonce"])
        state.book_ms = book_time(book, received)
        top = top_of_book(book)
        if top is not None and top != state.top:
            state.top = top
            self._sink.add("quotes", quote_row(self.name, symbol, book, top, received))
        now_s = time.monotonic()
        if force_snapshot or now_s - state.last_snapshot_s >= self._settings.snapshot_interval_s:
            state.last_snapshot_s = now_s
            self._sink.add(
                "book_snapshots",
                snapshot_row(self.name, symbol, book, self._settings.depth, received),
            )

    # -- gaps --------------------------------------------------------------------------------

    def _gap(
        self,
        symbol: str,
        kind: str,
        exc: BaseException,
        from_id: str | None,
        from_ms: float | None,
    ) -> Gap:
        error = type(exc).__name__  # the class only: ccxt's messages carry URLs and bodies
        log.warning(
            "recorder feed interrupted",
            extra={"exchange": self.name, "symbol": symbol, "kind": kind, "error": error},
        )
        return Gap(self.name, symbol, kind, _now_ms(), from_id, from_ms=from_ms, reason=error)

    def _record_gap(self, gap: Gap) -> None:
        self.gaps.append(gap)
        self._sink.add("feed_gaps", gap.row())
