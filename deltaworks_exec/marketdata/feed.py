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
CONNECTION_CHECK_S = 0.1
RECENT_IDS = 20_000


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
    trades_at_book: tuple[str | None, float | None] = (None, None)  # at the last good update
    recent_ids: dict[str, None] = field(default_factory=dict)  # insertion-ordered, bounded
    backfill_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def remember(self, trade_id: str) -> None:
        self.recent_ids[trade_id] = None
        if len(self.recent_ids) > RECENT_IDS:
            del self.recent_ids[next(iter(self.recent_ids))]


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
        self._trade_gaps: dict[str, Gap] = {}  # symbol -> gap to back-fill once reconnected
        self._clients_at_gap: dict[str, set[int]] = {}  # symbol -> connections when it opened
        self._book_gaps: dict[str, Gap] = {}  # symbol -> gap closed by the next rebuilt book
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def backfills_running(self) -> int:
        """Back-fills started in the background (after a sequence break or a full stream
        buffer) and not finished yet."""
        return len(self._tasks)

    async def run(self) -> None:
        """Record until cancelled; every symbol's trade and book streams reconnect on their own."""
        # The stream must carry the ids ``fetch_trades`` back-fills with: on Binance the
        # aggregate trades (aggTrades). Exchanges without this option ignore it.
        self.client.options.setdefault("watchTradesForSymbols", {})["name"] = "aggTrade"
        self.client.options["tradesLimit"] = self._settings.stream_buffer_trades
        if not self._settings.compress_streams:  # ccxt.pro asks for permessage-deflate
            self.client.options.setdefault("ws", {})["compress"] = 0
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
        for symbol, state in self.states.items():
            if state.last_trade_id is not None:  # a restart: catch up from what is stored
                self._trade_gaps[symbol] = self._gap(
                    symbol, "restart", "restart", state.last_trade_id, state.last_trade_ms
                )
        async with asyncio.TaskGroup() as group:  # one loop failing stops them all
            group.create_task(self._watch_connections())
            for symbol in self.symbols:
                group.create_task(self._trades(symbol))
                group.create_task(self._books(symbol))

    def _backoff(self) -> Backoff:
        return Backoff(self._settings.reconnect_initial_s, self._settings.reconnect_max_s)

    async def _watch_connections(self) -> None:
        """Notice a websocket that closed: ccxt.pro reconnects on the next ``watch_*`` call
        without raising when no call was waiting, so a pending error cannot be relied on."""
        seen: set[int] = set()
        while True:
            current = self._client_ids()
            if seen - current:
                for symbol in self.symbols:
                    self._interrupt(symbol, "connection closed")
            seen = current
            await asyncio.sleep(CONNECTION_CHECK_S)

    def _client_ids(self) -> set[int]:
        return {id(client) for client in self.client.clients.values()}

    def _reconnected(self, symbol: str) -> bool:
        """True once a connection opened after the symbol's trade gap (a restart: at once)."""
        return bool(self._client_ids() - self._clients_at_gap.get(symbol, set()))

    def _interrupt(self, symbol: str, reason: str) -> None:
        """A lost connection: the symbol's trades and book both need catching up."""
        state = self.states[symbol]
        if symbol not in self._trade_gaps:
            self._trade_gaps[symbol] = self._gap(
                symbol, "trades_disconnect", reason, state.last_trade_id, state.last_trade_ms
            )
            self._clients_at_gap[symbol] = self._client_ids()
        if symbol not in self._book_gaps:
            nonce = None if state.book_nonce is None else str(state.book_nonce)
            self._book_gaps[symbol] = self._gap(
                symbol, "book_disconnect", reason, nonce, state.book_ms
            )

    # -- trades ------------------------------------------------------------------------------

    async def _trades(self, symbol: str) -> None:
        backoff = self._backoff()
        while True:
            try:
                trades = await self.client.watch_trades(symbol)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._interrupt(symbol, type(exc).__name__)
                await asyncio.sleep(backoff.next_delay())
                continue
            backoff.reset()
            if len(trades) >= self._settings.stream_buffer_trades:
                self._overflowed(symbol)
            self._store_trades(symbol, trades, "stream")
            if symbol in self._trade_gaps and self._reconnected(symbol):
                # Trades arrive on a new subscription: REST now covers everything before it.
                await self._backfill(symbol, self._trade_gaps.pop(symbol))

    def _overflowed(self, symbol: str) -> None:
        """A read returned a full buffer: older trades may have been evicted from ccxt.pro's
        cache before they were read; back-fill over REST from the last stored one."""
        state = self.states[symbol]
        gap = self._gap(
            symbol,
            "trades_overflow",
            "stream buffer full",
            state.last_trade_id,
            state.last_trade_ms,
        )
        self._spawn_backfill(symbol, gap)

    def _spawn_backfill(self, symbol: str, gap: Gap) -> None:
        task = asyncio.get_running_loop().create_task(self._backfill(symbol, gap))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _store_trades(
        self, symbol: str, trades: list[dict[str, Any]], source: str, after: str | None = None
    ) -> int:
        """Queue the trades not stored yet (newer than ``after`` if given, else than the last
        stored one); return how many."""
        state = self.states[symbol]
        received = _now_ms()
        floor = after if source == "backfill" else state.last_trade_id
        lowest = _trade_key(floor) if floor is not None else None
        last = _trade_key(state.last_trade_id) if state.last_trade_id is not None else None
        stored = 0
        for trade in trades:
            trade_id = str(trade["id"])
            key = _trade_key(trade_id)
            if (lowest is not None and key <= lowest) or trade_id in state.recent_ids:
                continue
            self._sink.add("trades", trade_row(self.name, trade, source, received))
            state.remember(trade_id)
            stored += 1
            if last is None or key > last:
                last = key
                state.last_trade_id = trade_id
                state.last_trade_ms = trade["timestamp"]
        if source == "stream":
            self.messages += len(trades)
        return stored

    async def _backfill(self, symbol: str, gap: Gap) -> None:
        """Fetch the trades after the last stored one over REST (with none stored yet, the
        newest page); record the gap and the result."""
        state = self.states[symbol]
        async with state.backfill_lock:
            since = gap.from_ms
            try:
                while True:
                    start = None if since is None else int(since)
                    page = await retry_call_async(
                        self.client.fetch_trades, symbol, start, BACKFILL_PAGE
                    )
                    gap.backfilled += self._store_trades(symbol, page, "backfill", gap.from_id)
                    newest = page[-1]["timestamp"] if page else since
                    if since is None or len(page) < BACKFILL_PAGE or newest <= since:
                        break
                    since = newest
                gap.filled = True
            except Exception as exc:
                gap.reason = f"{gap.reason}; backfill failed: {type(exc).__name__}"
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
        limit = max(self._settings.depth, 100)
        while True:
            try:
                book = await self.client.watch_order_book(symbol, limit)
            except asyncio.CancelledError:
                raise
            except ccxt.ChecksumError as exc:  # ccxt dropped the book; the next call rebuilds it
                if symbol not in self._book_gaps:
                    nonce = None if state.book_nonce is None else str(state.book_nonce)
                    self._book_gaps[symbol] = self._gap(
                        symbol, "book_sequence", type(exc).__name__, nonce, state.book_ms
                    )
                continue
            except Exception as exc:
                self._interrupt(symbol, type(exc).__name__)
                await asyncio.sleep(backoff.next_delay())
                continue
            backoff.reset()
            gap = self._book_gaps.pop(symbol, None)
            self._on_book(symbol, book, force_snapshot=gap is not None)
            if gap is not None:
                self._close_book_gap(symbol, gap)
            else:
                state.trades_at_book = (state.last_trade_id, state.last_trade_ms)

    def _close_book_gap(self, symbol: str, gap: Gap) -> None:
        """ccxt rebuilt the book from a REST snapshot: record the gap; after a sequence break
        back-fill the symbol's trades too (the same loss may have taken trades with it)."""
        state = self.states[symbol]
        gap.to_id, gap.to_ms, gap.filled = str(state.book_nonce), state.book_ms, True
        self._record_gap(gap)
        if gap.kind == "book_sequence":
            resync = self._gap(
                symbol, "trades_resync", "after book_sequence", *state.trades_at_book
            )
            self._spawn_backfill(symbol, resync)

    def _on_book(self, symbol: str, book: dict[str, Any], *, force_snapshot: bool) -> None:
        state = self.states[symbol]
        received = _now_ms()
        self.messages += 1
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
        self, symbol: str, kind: str, reason: str, from_id: str | None, from_ms: float | None
    ) -> Gap:
        """A new gap; ``reason`` is an error's class name (ccxt's messages carry URLs)."""
        log.warning(
            "recorder feed interrupted",
            extra={"exchange": self.name, "symbol": symbol, "kind": kind, "reason": reason},
        )
        return Gap(self.name, symbol, kind, _now_ms(), from_id, from_ms=from_ms, reason=reason)

    def _record_gap(self, gap: Gap) -> None:
        self.gaps.append(gap)
        self._sink.add("feed_gaps", gap.row())
