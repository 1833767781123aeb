"""``CcxtVenue``: the Venue interface over an async ccxt.pro exchange (live or simulated)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import ccxt

from deltaworks_core.models import Fill, Order
from deltaworks_core.venues.normalize import fill_from_trade, order_from_ccxt
from deltaworks_core.venues.profiles import profile_for
from deltaworks_exec.venue import (
    Balance,
    MarketRules,
    OrderBook,
    OrderRequest,
    PublicTrade,
    VenueEvent,
)

log = logging.getLogger(__name__)

# Our order types -> (ccxt type, params key of the trigger price)
_TYPES: dict[str, tuple[str, str | None]] = {
    "market": ("market", None),
    "limit": ("limit", None),
    "stop_loss": ("market", "stopLossPrice"),
    "stop_loss_limit": ("limit", "stopLossPrice"),
    "take_profit": ("market", "takeProfitPrice"),
    "take_profit_limit": ("limit", "takeProfitPrice"),
}


def _book(symbol: str, raw: dict[str, Any]) -> OrderBook:
    return OrderBook(
        symbol=symbol,
        ts_ms=raw.get("timestamp") or time.time_ns() // 1_000_000,
        bids=[(float(p), float(a)) for p, a, *_ in raw["bids"]],
        asks=[(float(p), float(a)) for p, a, *_ in raw["asks"]],
    )


def _order(raw: dict[str, Any], exchange: str) -> Order:
    """Normalise a ccxt order; a response without a timestamp (some cancels) gets now."""
    if raw.get("timestamp") is None:
        raw = {**raw, "timestamp": time.time_ns() // 1_000_000}
    return order_from_ccxt(raw, exchange)


class CcxtVenue:
    """One exchange account through ccxt.pro: REST calls, and streams for ``events``.

    Order entry (submit, cancel, look-ups, streams) and bulk reads (open orders, trades,
    balances, books: the reconciler's polling) go through two clients of the same account,
    so that ccxt's rate limiter never queues an order behind a heavy poll; each client
    still throttles its own requests by the venue's weights.
    """

    def __init__(self, name: str, exchange: Any, reader: Any | None = None) -> None:
        self.name = name
        self._exchange = exchange
        self._reader = reader or exchange
        self._reader.options["warnOnFetchOpenOrdersWithoutSymbol"] = False
        self._profile = profile_for(exchange.id)
        self._client_ids = self._profile.client_ids
        self._service_ids: dict[str, str] = {}  # wire client id -> the service's id

    def _wire_id(self, client_order_id: str) -> str:
        """The service's client id as this exchange accepts it (see ``ClientIdRules``)."""
        wire = self._client_ids.wire_id(client_order_id)
        self._service_ids[wire] = client_order_id
        return wire

    def _order(self, raw: dict[str, Any]) -> Order:
        """A ccxt order with the service's own client id restored where it was rewritten."""
        wire = raw.get("clientOrderId")
        if wire in self._service_ids:
            raw = {**raw, "clientOrderId": self._service_ids[wire]}
        return _order(raw, self.name)

    async def connect(self) -> None:
        """Load markets (rules, precision); must precede everything else."""
        await self._exchange.load_markets()
        if self._reader is not self._exchange:
            self._reader.set_markets(self._exchange.markets, self._exchange.currencies)

    def rules(self, symbol: str) -> MarketRules:
        market = self._exchange.market(symbol)
        limits = market.get("limits") or {}
        return MarketRules(
            symbol=symbol,
            base=market["base"],
            quote=market["quote"],
            price_increment=float(market["precision"]["price"]),
            amount_increment=float(market["precision"]["amount"]),
            min_amount=float((limits.get("amount") or {}).get("min") or 0.0),
            min_notional=float((limits.get("cost") or {}).get("min") or 0.0),
            taker_fee=float(market.get("taker") or 0.0),
            maker_fee=float(market.get("maker") or 0.0),
        )

    def symbols(self) -> list[str]:
        return sorted(self._exchange.markets or {})

    def amount_to_precision(self, symbol: str, amount: float) -> float:
        return float(self._exchange.amount_to_precision(symbol, amount))

    def price_to_precision(self, symbol: str, price: float) -> float:
        return float(self._exchange.price_to_precision(symbol, price))

    async def _complete(self, raw: dict[str, Any], symbol: str) -> dict[str, Any]:
        """``raw``, or the order read back when the exchange acknowledged with ids only (OKX)."""
        if raw.get("status") is not None:
            return raw
        return await self._exchange.fetch_order(raw["id"], symbol)

    async def submit(self, request: OrderRequest) -> Order:
        ccxt_type, trigger_key = _TYPES[request.type]
        params: dict[str, Any] = {self._client_ids.param: self._wire_id(request.client_order_id)}
        if trigger_key is not None:
            params[trigger_key] = request.stop_price
        if request.time_in_force == "PO":
            params["postOnly"] = True
        elif request.time_in_force is not None and ccxt_type == "limit":
            params["timeInForce"] = request.time_in_force
        raw = await self._exchange.create_order(
            request.symbol,
            ccxt_type,
            request.side,
            request.amount,
            request.price if ccxt_type == "limit" else None,
            params,
        )
        return self._order(await self._complete(raw, request.symbol))

    async def cancel(self, symbol: str, order_id: str) -> Order:
        raw = await self._complete(await self._exchange.cancel_order(order_id, symbol), symbol)
        # Binance names the cancel request's own id clientOrderId, the order's origClientOrderId.
        original = (raw.get("info") or {}).get("origClientOrderId")
        if original:
            raw = {**raw, "clientOrderId": original}
        return self._order(raw)

    async def fetch_order(
        self, symbol: str, order_id: str | None = None, client_order_id: str | None = None
    ) -> Order | None:
        params: dict[str, Any] = {}
        if order_id is None and client_order_id is not None:
            if self._client_ids.lookup_param is None:
                return await self._find_by_client_id(symbol, client_order_id)
            params[self._client_ids.lookup_param] = self._wire_id(client_order_id)
        try:
            raw = await self._exchange.fetch_order(order_id, symbol, params)
        except ccxt.OrderNotFound:
            return None
        return self._order(raw)

    async def _find_by_client_id(self, symbol: str, client_order_id: str) -> Order | None:
        """For exchanges that cannot fetch by client id: search open, then recent orders."""
        for fetch in (self._reader.fetch_open_orders, self._reader.fetch_closed_orders):
            for raw in await fetch(symbol):
                order = self._order(raw)
                if order.client_order_id == client_order_id:
                    return order
        return None

    async def open_orders(self, symbol: str | None = None) -> list[Order]:
        raws = await self._reader.fetch_open_orders(symbol)
        return [self._order(raw) for raw in raws]

    async def fills(self, symbol: str, since_ms: int | None = None) -> list[Fill]:
        """Every execution since ``since_ms``, paged by the profile: pages of ``fills_page``
        within windows of ``fills_window_ms`` (Binance: a day), full pages followed."""
        page_size = self._profile.capabilities.fills_page
        window = self._profile.capabilities.fills_window_ms
        fills: dict[str, Fill] = {}
        if since_ms is None:
            page = await self._reader.fetch_my_trades(symbol, None, page_size)
            return [fill_from_trade(t, self.name) for t in page]
        while True:
            until = None if window is None else since_ms + window - 1
            params = {} if until is None else {"until": until}
            page = await self._reader.fetch_my_trades(symbol, since_ms, page_size, params)
            new = [fill_from_trade(t, self.name) for t in page if str(t["id"]) not in fills]
            fills.update((f.fill_id, f) for f in new)
            if len(page) >= page_size and new:
                since_ms = max(t["timestamp"] for t in page)
            elif until is not None and until < time.time() * 1000:
                since_ms = until + 1
            else:
                return sorted(fills.values(), key=lambda f: f.ts)

    async def balances(self, account_type: str = "spot") -> dict[str, Balance]:
        """Balances of the wallet that serves ``account_type`` (the profile's call)."""
        [wallet] = self._profile.wallets_for([account_type])
        raw = await self._reader.fetch_balance(dict(wallet.balance_params))
        total = raw.get("total") or {}
        return {
            asset: Balance(
                asset=asset,
                free=float(raw["free"].get(asset) or 0.0),
                used=float(raw["used"].get(asset) or 0.0),
                total=float(amount or 0.0),
            )
            for asset, amount in total.items()
        }

    async def order_book(self, symbol: str, depth: int = 20) -> OrderBook:
        return _book(symbol, await self._reader.fetch_order_book(symbol, depth))

    async def watch_order_book(self, symbol: str, depth: int = 20) -> OrderBook:
        """ccxt.pro's book, kept in sync from the venue's depth stream."""
        return _book(symbol, await self._reader.watch_order_book(symbol, depth))

    async def last_price(self, symbol: str) -> float:
        return float((await self._reader.fetch_ticker(symbol))["last"])

    async def public_trades(self, symbol: str, since_ms: int) -> list[PublicTrade]:
        trades = await self._reader.fetch_trades(symbol, since=since_ms, limit=1000)
        return [
            PublicTrade(str(t["id"]), int(t["timestamp"]), float(t["price"]), float(t["amount"]))
            for t in trades
            if t["timestamp"] is not None and t["timestamp"] >= since_ms
        ]

    async def events(self) -> AsyncIterator[VenueEvent]:
        """Order updates and fills from ccxt.pro's user streams; raises a stream's error.

        The service polls as well, so a venue without streams loses only latency.
        """
        queue: asyncio.Queue[VenueEvent | BaseException] = asyncio.Queue()
        tasks = [
            asyncio.create_task(self._pump(self._watch_orders, queue)),
            asyncio.create_task(self._pump(self._watch_trades, queue)),
        ]
        try:
            while True:
                item = await queue.get()
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            for task in tasks:
                task.cancel()

    async def _pump(self, watch: Any, queue: asyncio.Queue) -> None:
        try:
            while True:
                for event in await watch():
                    queue.put_nowait(event)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            queue.put_nowait(exc)

    async def _watch_orders(self) -> list[VenueEvent]:
        raws = await self._exchange.watch_orders()
        return [VenueEvent(order=self._order(raw)) for raw in raws]

    async def _watch_trades(self) -> list[VenueEvent]:
        raws = await self._exchange.watch_my_trades()
        return [VenueEvent(fills=(fill_from_trade(raw, self.name),)) for raw in raws]

    async def close(self) -> None:
        for client in {id(c): c for c in (self._exchange, self._reader)}.values():
            with contextlib.suppress(Exception):
                await client.close()
