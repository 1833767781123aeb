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
from deltaworks_core.venues.simulator import orders as sim_orders
from deltaworks_core.venues.simulator.engine import FEES_PPM, ExchangeEngine
from deltaworks_core.venues.simulator.errors import BinanceError
from deltaworks_core.venues.simulator.markets import ATOMS_PER_UNIT, Market
from deltaworks_exec.algos.slicing import price_to_tick, to_step
from deltaworks_exec.clock import Clock
from deltaworks_exec.venue import Balance, MarketRules, OrderBook, OrderRequest, VenueEvent

_STATUS: dict[str, OrderStatus] = {
    "NEW": "open",
    "PARTIALLY_FILLED": "open",
    "FILLED": "closed",
    "CANCELED": "canceled",
    "EXPIRED": "expired",
    "REJECTED": "rejected",
}
# (our type, linear market) -> the engine's (Binance's) order type
_SPOT_TYPES = {
    "market": "MARKET",
    "limit": "LIMIT",
    "stop_loss": "STOP_LOSS",
    "stop_loss_limit": "STOP_LOSS_LIMIT",
    "take_profit": "TAKE_PROFIT",
    "take_profit_limit": "TAKE_PROFIT_LIMIT",
}
_LINEAR_TYPES = {
    "market": "MARKET",
    "limit": "LIMIT",
    "stop_loss": "STOP_MARKET",
    "stop_loss_limit": "STOP",
    "take_profit": "TAKE_PROFIT_MARKET",
    "take_profit_limit": "TAKE_PROFIT",
}
_OUR_TYPES = {v: k for k, v in _SPOT_TYPES.items()} | {v: k for k, v in _LINEAR_TYPES.items()}
_OUR_TYPES["LIMIT_MAKER"] = "limit"


def ccxt_error(exc: BinanceError) -> ccxt.BaseError:
    """The ccxt error ccxt's binance class raises for a Binance error code."""
    text = f"{exc.code} {exc.msg}"
    if exc.code in (-2011, -2013):
        return ccxt.OrderNotFound(text)
    if exc.code == -1121:
        return ccxt.BadSymbol(text)
    if exc.code in (-2019,) or "insufficient balance" in exc.msg.lower():
        return ccxt.InsufficientFunds(text)
    if exc.code == -2021:
        return ccxt.OrderImmediatelyFillable(text)
    if exc.code == -2015:
        return ccxt.AuthenticationError(text)
    return ccxt.InvalidOrder(text)


class EngineVenue:
    """One account of one simulated exchange, driven in-process."""

    def __init__(self, engine: ExchangeEngine, clock: Clock, account: str = "main") -> None:
        self.name = engine.name
        self.engine = engine
        self.clock = clock
        self.account = account
        self._queue: asyncio.Queue[VenueEvent] | None = None

    # -- helpers ------------------------------------------------------------------------------

    def _sync(self) -> None:
        now = self.clock.now_ms()
        if now > self.engine.now_ms():
            self.engine.set_time(now)

    def _market(self, symbol: str) -> Market:
        try:
            return self.engine.market(symbol)
        except BinanceError as exc:
            raise ccxt_error(exc) from None

    @staticmethod
    def _price(market: Market, ticks: int) -> float:
        return float(ticks * market.tick)

    @staticmethod
    def _qty(market: Market, steps: int) -> float:
        return float(steps * market.step)

    def _order(self, o: sim_orders.Order) -> Order:
        m = o.market
        average = None
        if o.filled:
            average = float(Decimal(o.quote) / ATOMS_PER_UNIT / (o.filled * m.step))
        return Order(
            id=str(o.id),
            client_order_id=o.client_id,
            exchange=self.name,
            symbol=m.symbol,
            side="buy" if o.buy else "sell",
            type=_OUR_TYPES.get(o.type, o.type.lower()),
            time_in_force=o.tif,
            price=self._price(m, o.price) if o.price else None,
            amount=self._qty(m, o.qty),
            filled=self._qty(m, o.filled),
            remaining=self._qty(m, o.remaining),
            average=average,
            status=_STATUS.get(o.status, "open"),
            status_raw=o.status,
            ts=utc_from_ms(o.time),
            trigger_price=self._price(m, o.stop) if o.stop else None,
        )

    def _fill(self, f: sim_orders.Fill) -> Fill:
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
            cost=float(Decimal(f.quote) / ATOMS_PER_UNIT),
            fee=float(Decimal(f.commission) / ATOMS_PER_UNIT),
            fee_currency=f.commission_asset,
            taker_or_maker="maker" if f.maker else "taker",
        )

    # -- Venue --------------------------------------------------------------------------------

    def rules(self, symbol: str) -> MarketRules:
        m = self._market(symbol)
        # an engine with its own rates (the backtester's) has ``fees_ppm``: (maker, taker)
        maker_ppm, taker_ppm = getattr(self.engine, "fees_ppm", None) or FEES_PPM[m.linear]
        return MarketRules(
            symbol=m.symbol,
            base=m.base,
            quote=m.quote,
            price_increment=float(m.tick),
            amount_increment=float(m.step),
            min_amount=float(m.step),
            min_notional=float(m.min_notional),
            taker_fee=taker_ppm / 1_000_000,
            maker_fee=maker_ppm / 1_000_000,
        )

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
        engine_type = (_LINEAR_TYPES if m.linear else _SPOT_TYPES).get(request.type)
        if engine_type is None:
            raise ccxt.NotSupported(f"{self.name} does not support order type {request.type!r}")
        tif = request.time_in_force
        if tif == "PO":
            engine_type, tif = ("LIMIT", "GTX") if m.linear else ("LIMIT_MAKER", None)
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
        except BinanceError as exc:
            raise ccxt_error(exc) from None
        return self._order(order)

    async def cancel(self, symbol: str, order_id: str) -> Order:
        self._sync()
        try:
            return self._order(self.engine.cancel_order(self.account, symbol, order_id))
        except BinanceError as exc:
            raise ccxt_error(exc) from None

    async def fetch_order(
        self, symbol: str, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order | None:
        self._sync()
        try:
            order = self.engine.order(self.account, symbol, order_id, client_order_id)
        except BinanceError as exc:
            if exc.code == -2013:
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

    async def last_price(self, symbol: str) -> float:
        self._sync()
        m = self._market(symbol)
        return self._price(m, self.engine.trades(m.symbol, 1)[-1].price)

    async def events(self) -> AsyncIterator[VenueEvent]:
        """Order updates and fills, pushed by the engine as they happen."""
        if self._queue is None:
            self._queue = asyncio.Queue()
            self.engine.add_listener(self._on_change)
        while True:
            yield await self._queue.get()

    def _on_change(self, order: sim_orders.Order, fill: sim_orders.Fill | None) -> None:
        if self._queue is not None and order.account == self.account:
            fills = (self._fill(fill),) if fill is not None else ()
            self._queue.put_nowait(VenueEvent(order=self._order(order), fills=fills))

    async def close(self) -> None:
        if self._queue is not None:
            self.engine.remove_listener(self._on_change)
            self._queue = None
