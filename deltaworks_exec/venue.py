"""The Venue interface: everything algorithms and the OMS may ask of an exchange.

Live, a venue is a ccxt exchange (REST + ccxt.pro streams); in a backtest it is
the simulator's engine driven directly on a simulated clock. Algorithms see
only this interface and a ``Clock``, so the same code runs in both.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

from deltaworks_core.models import Fill, Order, Side

OrderType = Literal[
    "market", "limit", "stop_loss", "stop_loss_limit", "take_profit", "take_profit_limit"
]
TimeInForce = Literal["GTC", "IOC", "FOK", "PO"]


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """A new order as sent to a venue; ``client_order_id`` makes the submit idempotent."""

    client_order_id: str
    symbol: str
    side: Side
    type: OrderType
    amount: float
    price: float | None = None
    stop_price: float | None = None
    time_in_force: TimeInForce | None = None


class OrderIntent(Protocol):
    """What an order asks for, whoever holds it: a request, or the OMS's record of one.

    Risk judges this, so it needs nothing of the OMS.
    """

    @property
    def symbol(self) -> str: ...

    @property
    def side(self) -> Side: ...

    @property
    def type(self) -> OrderType: ...

    @property
    def amount(self) -> float: ...

    @property
    def price(self) -> float | None: ...

    @property
    def stop_price(self) -> float | None: ...


@dataclass(frozen=True, slots=True)
class MarketRules:
    """Trading rules of one market, as the venue publishes them."""

    symbol: str
    base: str
    quote: str
    price_increment: float
    amount_increment: float
    min_amount: float
    min_notional: float
    taker_fee: float
    maker_fee: float


@dataclass(frozen=True, slots=True)
class OrderBook:
    """Top levels of a book: (price, amount) pairs, best first."""

    symbol: str
    ts_ms: int
    bids: list[tuple[float, float]]
    asks: list[tuple[float, float]]

    @property
    def mid(self) -> float | None:
        if not self.bids or not self.asks:
            return None
        return (self.bids[0][0] + self.asks[0][0]) / 2


@dataclass(frozen=True, slots=True)
class Balance:
    """One asset in one account."""

    asset: str
    free: float
    used: float
    total: float


@dataclass(frozen=True, slots=True)
class PublicTrade:
    """One trade of the market's public tape (anyone's, ours included)."""

    id: str
    ts_ms: int
    price: float
    amount: float


@dataclass(frozen=True, slots=True)
class VenueEvent:
    """An order update or a fill pushed by the venue (stream or poll)."""

    order: Order | None = None
    fills: tuple[Fill, ...] = field(default_factory=tuple)


class Venue(Protocol):
    """One exchange account, as the execution service uses it."""

    name: str

    def rules(self, symbol: str) -> MarketRules:
        """Precision, minimums and fees of ``symbol`` (markets are loaded on connect)."""
        ...

    def symbols(self) -> list[str]:
        """The venue's spot and derivative market symbols, sorted."""
        ...

    def amount_to_precision(self, symbol: str, amount: float) -> float:
        """``amount`` truncated to the market's step (ccxt's rule)."""
        ...

    def price_to_precision(self, symbol: str, price: float) -> float:
        """``price`` rounded to the market's tick (ccxt's rule)."""
        ...

    async def submit(self, request: OrderRequest) -> Order:
        """Send a new order; raises ccxt's errors (``InvalidOrder``, ``NetworkError``...)."""
        ...

    async def cancel(self, symbol: str, order_id: str) -> Order:
        """Cancel an open order by the venue's id."""
        ...

    async def fetch_order(
        self, symbol: str, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order | None:
        """One order by venue id or client order id; ``None`` when the venue does not know it."""
        ...

    async def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Orders resting on the venue."""
        ...

    async def fills(self, symbol: str, since_ms: int | None = None) -> list[Fill]:
        """Our executions in ``symbol`` since ``since_ms``."""
        ...

    async def balances(self, account_type: str = "spot") -> dict[str, Balance]:
        """Balances by asset."""
        ...

    async def order_book(self, symbol: str, depth: int = 20) -> OrderBook:
        """The current book."""
        ...

    async def watch_order_book(self, symbol: str, depth: int = 20) -> OrderBook:
        """The book from the venue's stream: at once on the first call, then after its next
        change."""
        ...

    async def last_price(self, symbol: str) -> float:
        """The last trade price."""
        ...

    async def public_trades(self, symbol: str, since_ms: int) -> list[PublicTrade]:
        """The market's latest trades from ``since_ms`` on, oldest first (up to 1,000)."""
        ...

    def events(self) -> AsyncIterator[VenueEvent]:
        """Order updates and fills as they happen (streamed, or polled as a fallback)."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...
