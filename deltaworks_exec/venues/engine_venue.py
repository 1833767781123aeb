"""A ``Venue`` over the simulator's in-process engine, on the service's simulated clock.

No HTTP: calls go straight to ``ExchangeEngine``. Before every call the
engine's clock is moved to the ``Clock``'s time, so prices move, resting
orders fill and stops trigger exactly as simulated time passes (the engine
replays every second in between). Engine errors are raised as the ccxt errors
a live venue would raise. Tests and the backtester share this venue.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal

import ccxt

from deltaworks_core.models import Fill, Order, OrderStatus, utc_from_ms
from deltaworks_core.venues import simulator as sim
from deltaworks_exec.clock import Clock
from deltaworks_exec.quantities import price_to_tick, to_step
from deltaworks_exec.venue import (
    Balance,
    MarketRules,
    OrderBook,
    OrderRequest,
    PublicTrade,
    VenueEvent,
)

BOOK_PUSH_S = 0.1
_STATUS: dict[sim.OrderStatus, OrderStatus] = {
    sim.OrderStatus.NEW: "open",
    sim.OrderStatus.PARTIALLY_FILLED: "open",
    sim.OrderStatus.FILLED: "closed",
    sim.OrderStatus.CANCELED: "canceled",
    sim.OrderStatus.EXPIRED: "expired",
}
# our order type -> the engine's
_TYPES = {
    "market": sim.OrderType.MARKET,
    "limit": sim.OrderType.LIMIT,
    "stop_loss": sim.OrderType.STOP_MARKET,
    "stop_loss_limit": sim.OrderType.STOP_LIMIT,
    "take_profit": sim.OrderType.TAKE_PROFIT_MARKET,
    "take_profit_limit": sim.OrderType.TAKE_PROFIT_LIMIT,
}
_OUR_TYPES = {v: k for k, v in _TYPES.items()} | {sim.OrderType.LIMIT_MAKER: "limit"}
_OUR_TIFS = {tif: tif.value for tif in sim.TimeInForce} | {sim.TimeInForce.POST_ONLY: "PO"}
# the ccxt error a live venue raises for each kind of refusal (others: InvalidOrder)
_CCXT_ERRORS: dict[sim.ErrorKind, type[ccxt.BaseError]] = {
    sim.ErrorKind.UNKNOWN_ORDER: ccxt.OrderNotFound,
    sim.ErrorKind.CANCEL_REJECTED: ccxt.OrderNotFound,
    sim.ErrorKind.UNKNOWN_SYMBOL: ccxt.BadSymbol,
    sim.ErrorKind.INSUFFICIENT_BALANCE: ccxt.InsufficientFunds,
    sim.ErrorKind.INSUFFICIENT_MARGIN: ccxt.InsufficientFunds,
    sim.ErrorKind.WOULD_TRIGGER: ccxt.OrderImmediatelyFillable,
    sim.ErrorKind.WOULD_TAKE: ccxt.OrderImmediatelyFillable,
    sim.ErrorKind.UNKNOWN_ACCOUNT: ccxt.AuthenticationError,
}


def ccxt_error(exc: sim.SimError) -> ccxt.BaseError:
    """The ccxt error a live venue raises for the engine's refusal ``exc``."""
    return _CCXT_ERRORS.get(exc.kind, ccxt.InvalidOrder)(str(exc))


def market_rules(market: sim.Market, maker_fee: float, taker_fee: float) -> MarketRules:
    """The trading rules of a simulated market, with these fee rates (fractions)."""
    return MarketRules(
        symbol=market.symbol,
        base=market.base,
        quote=market.quote,
        price_increment=float(market.tick),
        amount_increment=float(market.step),
        min_amount=float(market.step),
        min_notional=float(market.min_notional),
        taker_fee=taker_fee,
        maker_fee=maker_fee,
    )


class EngineVenue:
    """One account of one simulated exchange, driven in-process."""

    def __init__(self, engine: sim.ExchangeEngine, clock: Clock, account: str = "main") -> None:
        self.name = engine.name
        self.engine = engine
        self.clock = clock
        self.account = account
        self._queue: asyncio.Queue[VenueEvent] | None = None
        self._watched: set[str] = set()

    # -- helpers ------------------------------------------------------------------------------

    def _sync(self) -> None:
        now = self.clock.now_ms()
        if now > self.engine.now_ms():
            self.engine.set_time(now)

    def _market(self, symbol: str) -> sim.Market:
        try:
            return self.engine.market(symbol)
        except sim.SimError as exc:
            raise ccxt_error(exc) from None

    @staticmethod
    def _price(market: sim.Market, ticks: int) -> float:
        return float(ticks * market.tick)

    @staticmethod
    def _qty(market: sim.Market, steps: int) -> float:
        return float(steps * market.step)

    def _order(self, o: sim.Order) -> Order:
        m = o.market
        average = None
        if o.filled:
            average = float(Decimal(o.quote) / sim.ATOMS_PER_UNIT / (o.filled * m.step))
        return Order(
            id=str(o.id),
            client_order_id=o.client_id,
            exchange=self.name,
            symbol=m.symbol,
            side="buy" if o.buy else "sell",
            type=_OUR_TYPES[o.type],
            time_in_force=_OUR_TIFS[o.tif],
            price=self._price(m, o.price) if o.price else None,
            amount=self._qty(m, o.qty),
            filled=self._qty(m, o.filled),
            remaining=self._qty(m, o.remaining),
            average=average,
            status=_STATUS[o.status],
            status_raw=o.status.value,
            ts=utc_from_ms(o.time),
            trigger_price=self._price(m, o.stop) if o.stop else None,
        )

    def _fill(self, f: sim.Fill) -> Fill:
        m = f.market
        order = self.engine.order(self.account, m.symbol, order_id=f.order_id)
        return Fill(
            ts=utc_from_ms(f.time),
            exchange=self.name,
            fill_id=str(f.id),
            order_id=str(f.order_id),
            client_order_id=order.client_id,
            symbol=m.symbol,
            side="buy" if f.buyer else "sell",
            price=self._price(m, f.price),
            amount=self._qty(m, f.qty),
            cost=float(Decimal(f.quote) / sim.ATOMS_PER_UNIT),
            fee=float(Decimal(f.commission) / sim.ATOMS_PER_UNIT),
            fee_currency=f.commission_asset,
            taker_or_maker="maker" if f.maker else "taker",
        )

    # -- Venue --------------------------------------------------------------------------------

    def rules(self, symbol: str) -> MarketRules:
        m = self._market(symbol)
        maker_ppm = self.engine.fee_ppm(m, maker=True)
        taker_ppm = self.engine.fee_ppm(m, maker=False)
        return market_rules(m, maker_ppm / 1_000_000, taker_ppm / 1_000_000)

    def symbols(self) -> list[str]:
        return sorted(self.engine.markets)

    def amount_to_precision(self, symbol: str, amount: float) -> float:
        m = self._market(symbol)
        value = to_step(amount, float(m.step))
        if value <= 0:
            raise ccxt.InvalidOrder(f"{self.name} amount of {symbol} must be at least {m.step}")
        return float(value)

    def price_to_precision(self, symbol: str, price: float) -> float:
        return price_to_tick(price, float(self._market(symbol).tick))

    async def submit(self, request: OrderRequest) -> Order:
        self._sync()
        m = self._market(request.symbol)
        engine_type = _TYPES.get(request.type)
        if engine_type is None:
            raise ccxt.NotSupported(f"{self.name} does not support order type {request.type!r}")
        tif: str | None = request.time_in_force
        if tif == "PO":  # post-only: Binance's spot refuses a crossing one, its futures expire it
            if m.linear:
                engine_type, tif = sim.OrderType.LIMIT, sim.TimeInForce.POST_ONLY
            else:
                engine_type, tif = sim.OrderType.LIMIT_MAKER, None
        try:
            order = self.engine.place_order(
                self.account,
                m.symbol,
                request.side,
                engine_type,
                repr(request.amount),
                None if request.price is None else repr(request.price),
                time_in_force=tif,
                client_order_id=request.client_order_id,
                stop_price=None if request.stop_price is None else repr(request.stop_price),
            )
        except sim.SimError as exc:
            raise ccxt_error(exc) from None
        return self._order(order)

    async def cancel(self, symbol: str, order_id: str) -> Order:
        self._sync()
        try:
            return self._order(self.engine.cancel_order(self.account, symbol, order_id))
        except sim.SimError as exc:
            raise ccxt_error(exc) from None

    async def fetch_order(
        self, symbol: str, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order | None:
        self._sync()
        try:
            order = self.engine.order(self.account, symbol, order_id, client_order_id)
        except sim.SimError as exc:
            if exc.kind is sim.ErrorKind.UNKNOWN_ORDER:
                return None
            raise ccxt_error(exc) from None
        return self._order(order)

    async def open_orders(self, symbol: str | None = None) -> list[Order]:
        self._sync()
        return [self._order(o) for o in self.engine.open_orders(self.account, symbol)]

    async def fills(self, symbol: str, since_ms: int | None = None) -> list[Fill]:
        self._sync()
        rows = self.engine.my_trades(self.account, symbol, limit=1_000_000)
        return [self._fill(f) for f in rows if since_ms is None or f.time >= since_ms]

    async def balances(self, account_type: str = "spot") -> dict[str, Balance]:
        self._sync()
        out = {}
        for asset, row in self.engine.balances(account_type, self.account).items():
            free = row.get("free", row.get("available", Decimal(0)))
            used = row.get("locked", row.get("initial_margin", Decimal(0)))
            total = row.get("margin", free + used)
            out[asset] = Balance(asset, float(free), float(used), float(total))
        return out

    async def order_book(self, symbol: str, depth: int = 20) -> OrderBook:
        self._sync()
        m = self._market(symbol)
        book = self.engine.order_book(m.symbol, depth)
        return OrderBook(
            symbol=m.symbol,
            ts_ms=book.time,
            bids=[(self._price(m, p), self._qty(m, q)) for p, q in book.bids],
            asks=[(self._price(m, p), self._qty(m, q)) for p, q in book.asks],
        )

    async def watch_order_book(self, symbol: str, depth: int = 20) -> OrderBook:
        """The in-process engine is its own live feed: the current book, at most every
        ``BOOK_PUSH_S`` (a stream's push interval) after the first call."""
        if symbol in self._watched:
            await asyncio.sleep(BOOK_PUSH_S)
        self._watched.add(symbol)
        return await self.order_book(symbol, depth)

    async def last_price(self, symbol: str) -> float:
        self._sync()
        m = self._market(symbol)
        return self._price(m, self.engine.trades(m.symbol, 1)[-1].price)

    async def public_trades(self, symbol: str, since_ms: int) -> list[PublicTrade]:
        self._sync()
        m = self._market(symbol)
        first_id = since_ms // 1000 * 1024 - 1  # the engine's trade ids: second * 1024 + n
        return [
            PublicTrade(str(t.id), t.time, self._price(m, t.price), self._qty(m, t.qty))
            for t in self.engine.trades_after(m.symbol, first_id)
            if t.time >= since_ms
        ]

    async def events(self) -> AsyncIterator[VenueEvent]:
        """Order updates and fills, pushed by the engine as they happen."""
        if self._queue is None:
            self._queue = asyncio.Queue()
            self.engine.add_listener(self._on_change)
        while True:
            yield await self._queue.get()

    def _on_change(self, order: sim.Order, fill: sim.Fill | None) -> None:
        if self._queue is not None and order.account == self.account:
            fills = (self._fill(fill),) if fill is not None else ()
            self._queue.put_nowait(VenueEvent(order=self._order(order), fills=fills))

    async def close(self) -> None:
        if self._queue is not None:
            self.engine.remove_listener(self._on_change)
            self._queue = None
