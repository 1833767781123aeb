"""Public market data of an engine: order books, trades, klines, tickers, mark prices."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from .candles import INTERVAL_MS, Candle, aggregated_candles, offset_ms, synthetic_candles
from .errors import ErrorKind, SimError
from .markets import Market
from .state import locked
from .synthetic import STEP_MS, Synthetic
from .trading import Trading

MAX_SYNTHETIC_STEPS = 1000  # synthetic trades a stream catches up at most (seconds)


@dataclass(frozen=True, slots=True)
class Depth:
    """An order book snapshot; prices in ticks and quantities in steps of ``market``."""

    market: Market
    update_id: int
    time: int
    bids: list[tuple[int, int]]
    asks: list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class PublicTrade:
    id: int
    price: int
    qty: int
    time: int
    buyer_maker: bool


@dataclass(frozen=True, slots=True)
class Ticker:
    """24-hour rolling statistics; prices in ticks, volumes in steps (quote in steps*ticks)."""

    market: Market
    open_time: int
    close_time: int
    open: int
    high: int
    low: int
    last: int
    last_qty: int
    bid: tuple[int, int]
    ask: tuple[int, int]
    volume: int
    quote_volume: int
    count: int
    first_id: int
    last_id: int


class Liquidity(Protocol):
    """A market's liquidity source (the synthetic market, or a replayed one): per second
    ``step`` the trade (price ticks, qty steps, buyer is maker), the volume that trades
    through resting orders, the quote ladders, the mid at a time, a typical order size and
    the 1m klines."""

    lot: int

    def trade(self, step: int) -> tuple[int, int, bool]: ...

    def flow(self, step: int) -> int: ...

    def ladders(self, step: int, levels: int) -> tuple[list[list[int]], list[list[int]]]: ...

    def mid(self, t_ms: int) -> float: ...

    def kline(self, minute: int, last_step: int) -> tuple | None: ...


class MarketData(Trading):
    """What the market looks like: books merged with the users' resting orders, the tape."""

    @locked
    def attach_liquidity(self, symbol: str, source: Liquidity) -> Callable[[], None]:
        """Replace ``symbol``'s synthetic market with ``source``; returns the function the
        source calls when its prices change, so that cached quote ladders are rebuilt."""
        book = self._books[self.market(symbol).symbol]
        book.synth = source  # type: ignore[assignment]
        return book.drop_ladders

    @locked
    def liquidity(self, symbol: str) -> Liquidity:
        """The liquidity source of ``symbol``'s market."""
        return self._books[self.market(symbol).symbol].synth

    @locked
    def order_book(self, symbol: str, limit: int = 100) -> Depth:
        """Synthetic ladders merged with resting user orders, ``limit`` levels a side."""
        self._sync()
        m = self.market(symbol)
        book = self._books[m.symbol]
        step = self._step
        cached_bids, cached_asks = book.ladders(step)
        full_bids, full_asks = (
            book.synth.ladders(step, limit)
            if limit > len(cached_bids)
            else (cached_bids, cached_asks)
        )
        user_bids = book.bids.depth(limit)
        user_asks = book.asks.depth(limit)
        best_user_bid = user_bids[0][0] if user_bids else None
        best_user_ask = user_asks[0][0] if user_asks else None
        bids: dict[int, int] = {}
        asks: dict[int, int] = {}
        for i, (price, size) in enumerate(full_bids):
            size = cached_bids[i][1] if i < len(cached_bids) else size
            if size and (best_user_ask is None or price < best_user_ask):
                bids[price] = size
        for i, (price, size) in enumerate(full_asks):
            size = cached_asks[i][1] if i < len(cached_asks) else size
            if size and (best_user_bid is None or price > best_user_bid):
                asks[price] = size
        for price, size in user_bids:
            bids[price] = bids.get(price, 0) + size
        for price, size in user_asks:
            asks[price] = asks.get(price, 0) + size
        return Depth(
            m,
            book.update_id(step),
            self._t,
            sorted(bids.items(), reverse=True)[:limit],
            sorted(asks.items())[:limit],
        )

    @locked
    def book_version(self, symbol: str) -> int:
        """The order book's update id now (changes with time and with resting orders)."""
        self._sync()
        return self._books[self.market(symbol).symbol].update_id(self._step)

    @locked
    def trades(self, symbol: str, limit: int = 500) -> list[PublicTrade]:
        """The latest public trades: one synthetic trade a second plus the users' takers."""
        self._sync()
        m = self.market(symbol)
        book = self._books[m.symbol]
        step = self._step
        first = step - limit + 1
        out = []
        for s in range(first, step + 1):
            price, qty, buyer_maker = book.synth.trade(s)
            out.append(PublicTrade(s * 1024, price, qty, s * STEP_MS, buyer_maker))
        out.extend(PublicTrade(*t) for t in book.tape if t[3] >= first * STEP_MS)
        out.sort(key=lambda t: t.id)
        return out[-limit:]

    @locked
    def trades_after(self, symbol: str, after_id: int) -> list[PublicTrade]:
        """Every public trade with an id above ``after_id``, oldest first: what a trade
        stream pushes since its last push (at most ``TAPE_SIZE`` users' trades and
        ``MAX_SYNTHETIC_STEPS`` synthetic ones back)."""
        self._sync()
        book = self._books[self.market(symbol).symbol]
        step = self._step
        first = max(after_id // 1024, step - MAX_SYNTHETIC_STEPS + 1)
        out = []
        for s in range(first, step + 1):
            if s * 1024 > after_id:
                price, qty, buyer_maker = book.synth.trade(s)
                out.append(PublicTrade(s * 1024, price, qty, s * STEP_MS, buyer_maker))
        taken = []
        for t in reversed(book.tape):  # newest first: stop at the first one already pushed
            if t[0] <= after_id:
                break
            taken.append(PublicTrade(*t))
        out.extend(reversed(taken))
        out.sort(key=lambda t: t.id)
        return out

    @locked
    def klines(
        self,
        symbol: str,
        interval: str = "1m",
        start_ms: int | None = None,
        end_ms: int | None = None,
        limit: int = 500,
    ) -> list[Candle]:
        """Candles of ``interval`` (a key of ``INTERVAL_MS``; rows as ``candles.Candle``):
        the first ``limit`` opening at or after ``start_ms``, else the ``limit`` newest
        opening by ``end_ms`` (now by default). The current candle holds the trades so far;
        none open before the markets were listed (``listed_ms``)."""
        interval_ms = INTERVAL_MS.get(interval)
        if interval_ms is None:
            raise SimError(
                ErrorKind.INVALID_INTERVAL,
                f"kline interval must be one of {', '.join(INTERVAL_MS)}, not {interval!r}",
            )
        self._sync()
        source = self._books[self.market(symbol).symbol].synth
        offset = offset_ms(interval_ms)
        last = (self._t - offset) // interval_ms
        if end_ms is not None:
            last = min(last, (end_ms - offset) // interval_ms)
        if start_ms is not None:
            first = -(-(start_ms - offset) // interval_ms)
            last = min(last, first + limit - 1)
        else:
            first = last - limit + 1
        first = max(first, -(-(self.listed_ms - offset) // interval_ms))
        count = last - first + 1
        if count <= 0:
            return []
        first_ms = first * interval_ms + offset
        if isinstance(source, Synthetic):
            return synthetic_candles(source, first_ms, interval_ms, count, self._step)
        step = self._step
        return aggregated_candles(
            lambda minute: source.kline(minute, step), first_ms, interval_ms, count
        )

    @locked
    def ticker(self, symbol: str) -> Ticker:
        """Rolling 24-hour statistics from the synthetic tape (sampled at each whole minute)."""
        self._sync()
        m = self.market(symbol)
        synth = self._books[m.symbol].synth
        step = self._step
        first = step - 86_400 + 1
        open_price = synth.trade(first)[0]
        last, last_qty, _ = synth.trade(step)
        samples = [open_price, last, *self._minute_samples(m.symbol, synth, first, step)]
        typical = synth.lot * 27 // 100
        depth = self.order_book(symbol, 1)
        return Ticker(
            m,
            first * STEP_MS,
            self._t,
            open_price,
            max(samples),
            min(samples),
            last,
            last_qty,
            depth.bids[0],
            depth.asks[0],
            typical * 86_400,
            typical * 86_400 * last,
            86_400,
            first * 1024,
            step * 1024,
        )

    def _minute_samples(self, symbol: str, synth: Liquidity, first: int, step: int) -> list[int]:
        """The tape's price at each whole minute in ``[first, step)``; a past minute's price
        never changes, so each is computed once per liquidity source (a ticker request would
        otherwise compute 1,440 of them)."""
        source, prices = self._minute_prices.get(symbol, (None, {}))
        if source is not synth:
            prices = {}
            self._minute_prices[symbol] = (synth, prices)
        minutes = range(-(-first // 60) * 60, step, 60)
        for gone in [s for s in prices if s < minutes.start]:
            del prices[gone]
        for s in minutes:
            if s not in prices:
                prices[s] = synth.trade(s)[0]
        return [prices[s] for s in minutes]

    def mark_price(self, symbol: str) -> int:
        """Mark price in ticks (the synthetic mid)."""
        m = self.market(symbol)
        return round(self._books[m.symbol].synth.mid(self.clock.now_ms()))
