"""The Strategy API: market events in, orders out.

A strategy is a plain object with ``on_*`` callbacks. The runner calls them in
time order and hands every callback a ``Context`` through which the strategy
reads its position and the clock and sends orders. The same strategy runs in a
backtest (``deltaworks_exec.backtest.engine``) and live against any ``Venue``
(``deltaworks_exec.backtest.live``): it never sees which.

Rules that keep the two identical:

* decisions depend only on the events received and on ``Context`` queries;
* an order's fills arrive later through ``on_fill``, never inside the call
  that sent it (a backtest defers them exactly as a live venue would);
* time comes from ``ctx.now_ms``, never from the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from deltaworks_core.models import Side
from deltaworks_exec.venue import OrderBook

__all__ = ["Bar", "Context", "FillEvent", "OrderBook", "Side", "Strategy", "Trade"]


class Trade:
    """One public trade: ``buyer_maker`` is True when the seller was the taker."""

    __slots__ = ("amount", "buyer_maker", "price", "symbol", "ts_ms", "venue")

    def __init__(
        self, venue: str, symbol: str, ts_ms: int, price: float, amount: float, buyer_maker: bool
    ) -> None:
        self.venue = venue
        self.symbol = symbol
        self.ts_ms = ts_ms
        self.price = price
        self.amount = amount
        self.buyer_maker = buyer_maker

    def __repr__(self) -> str:
        return f"Trade({self.venue} {self.symbol} {self.ts_ms} {self.price}x{self.amount})"


class Bar:
    """One OHLCV candle; ``ts_ms`` is its open time, it is delivered when it closes."""

    __slots__ = ("close", "high", "low", "open", "symbol", "ts_ms", "venue", "volume")

    def __init__(
        self,
        venue: str,
        symbol: str,
        ts_ms: int,
        open: float,
        high: float,
        low: float,
        close: float,
        volume: float,
    ) -> None:
        self.venue = venue
        self.symbol = symbol
        self.ts_ms = ts_ms
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume

    def __repr__(self) -> str:
        return f"Bar({self.venue} {self.symbol} {self.ts_ms} c={self.close})"


@dataclass(frozen=True, slots=True)
class FillEvent:
    """One execution of one of the strategy's orders (fee in ``fee_currency``)."""

    ts_ms: int
    venue: str
    symbol: str
    client_order_id: str
    side: Side
    price: float
    amount: float
    fee: float
    fee_currency: str
    liquidity: Literal["maker", "taker"]


class Context(Protocol):
    """What a strategy may ask of the runner."""

    @property
    def now_ms(self) -> int:
        """The current time of the run (event time in a backtest)."""
        ...

    def position(self, symbol: str, venue: str | None = None) -> float:
        """Base-asset holding of ``symbol`` on ``venue`` (the first venue by default)."""
        ...

    def cash(self, symbol: str, venue: str | None = None) -> float:
        """Free quote-asset balance of ``symbol``'s market on ``venue``."""
        ...

    def open_orders(self, symbol: str | None = None) -> list[str]:
        """Client order ids of the strategy's orders still working."""
        ...

    def submit(
        self,
        symbol: str,
        side: Side,
        amount: float,
        price: float | None = None,
        venue: str | None = None,
    ) -> str | None:
        """Send a market order (``price`` None) or a GTC limit order; returns its client id.

        ``amount`` is truncated to the market's step; an order below the market's
        minimum amount or notional is not sent and ``None`` is returned.
        """
        ...

    def algo(
        self,
        algo: str,
        symbol: str,
        side: Side,
        amount: float,
        params: dict[str, object],
        venue: str | None = None,
    ) -> str | None:
        """Start an execution algorithm of the service (``twap``, ``iceberg``, ...) for
        ``amount``; ``params`` are the algorithm's (e.g. ``{"duration_s": 300, "slices": 5}``
        for TWAP). Returns its id, which ``cancel`` accepts; its child orders' fills arrive
        through ``on_fill`` with client order ids ``{id}-{n}``. ``None`` when below the
        market's minimum."""
        ...

    def cancel(self, client_order_id: str) -> None:
        """Cancel a working order or algorithm (a no-op when it is already done)."""
        ...

    def schedule(self, at_ms: int, tag: str) -> None:
        """Call ``on_timer(ctx, tag)`` at ``at_ms`` (before any event later than it)."""
        ...


class Strategy:
    """Base class with no-op callbacks; subclasses override what they need."""

    name: str = "strategy"
    book_depth: int = 0  # > 0: ``on_book`` with this many levels after every market event

    def on_start(self, ctx: Context) -> None:
        """Once, before the first event."""

    def on_bar(self, ctx: Context, bar: Bar) -> None:
        """A candle closed."""

    def on_trade(self, ctx: Context, trade: Trade) -> None:
        """A public trade happened."""

    def on_book(self, ctx: Context, book: OrderBook) -> None:
        """The order book of a market after its latest event (when ``book_depth`` > 0)."""

    def on_fill(self, ctx: Context, fill: FillEvent) -> None:
        """One of the strategy's orders was (partly) executed."""

    def on_timer(self, ctx: Context, tag: str) -> None:
        """A time set with ``ctx.schedule`` was reached."""

    def on_stop(self, ctx: Context) -> None:
        """Once, after the last event."""

    def params(self) -> dict[str, object]:
        """Parameters to record with the results."""
        return {}
