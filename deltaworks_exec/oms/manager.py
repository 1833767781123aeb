"""The order manager: submit, cancel, and apply what venues report, persisting every transition.

Invariants:
* an order's ``pending_new`` row is durable before the order is sent (write-ahead);
* a client order id maps to one order forever: a repeat returns it, sends nothing;
* after a timeout or network error on submit the order is looked up by client
  order id, never re-sent; the reconciler resolves what stays unknown;
* every change of an order happens under its lock, is committed to QuestDB and
  then published, so subscribers see each order's events in ``seq`` order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ccxt

from deltaworks_core.config import RiskLimits
from deltaworks_core.crash_points import crash_point
from deltaworks_core.models import Fill, Order
from deltaworks_core.numbers import MAX_AMOUNT, MAX_PRICE
from deltaworks_core.retry import ORDER_LOOKUP
from deltaworks_exec.clock import Clock
from deltaworks_exec.marketdata import BookCache
from deltaworks_exec.oms.bus import EventBus
from deltaworks_exec.oms.errors import (
    ClientOrderIdConflict,
    OrderInputError,
    OrderStateError,
    PersistenceError,
    UnknownOrderError,
)
from deltaworks_exec.oms.journal import Journal, JournalError
from deltaworks_exec.oms.market_rules import below_minimum_amount, check_min_notional
from deltaworks_exec.oms.model import ManagedOrder, fill_public, fill_row
from deltaworks_exec.oms.states import (
    CANCELABLE,
    OPEN,
    TERMINAL,
    can_transition,
    check_transition,
    state_from_venue,
)
from deltaworks_exec.risk.checks import RiskContext, check_order
from deltaworks_exec.risk.exposure import ExposureBook
from deltaworks_exec.venue import Balance, MarketRules, OrderType, TimeInForce, Venue

log = logging.getLogger(__name__)

LIMIT_TYPES = frozenset({"limit", "stop_loss_limit", "take_profit_limit"})
STOP_TYPES = frozenset({"stop_loss", "stop_loss_limit", "take_profit", "take_profit_limit"})


@dataclass(frozen=True, slots=True)
class NewOrder:
    """A request for a new order, as callers (API, algorithms) make it."""

    exchange: str
    symbol: str
    side: str
    type: OrderType
    amount: float
    price: float | None = None
    stop_price: float | None = None
    time_in_force: TimeInForce | None = None
    client_order_id: str | None = None
    algo_id: str | None = None
    user: str | None = None  # who asked for it (an API user; an algorithm's acting user)


class OrderManager:
    """Owns every order's state; the only code that sends orders to venues."""

    def __init__(
        self,
        venues: Mapping[str, Venue],
        journal: Journal,
        clock: Clock,
        bus: EventBus,
        market: BookCache,
        limits: RiskLimits,
        configured_symbols: Mapping[str, tuple[str, ...]],
        submit_timeout_s: float = 10.0,
    ) -> None:
        self.venues = dict(venues)
        self.limits = limits
        self.kill_switch = False
        self.balances: dict[str, dict[str, Balance]] = {name: {} for name in venues}
        self._journal = journal
        self._clock = clock
        self._bus = bus
        self._market = market
        self._symbols = dict(configured_symbols)
        self._submit_timeout_s = submit_timeout_s
        self.orders: dict[str, ManagedOrder] = {}
        self._by_client: dict[str, ManagedOrder] = {}
        self._by_venue_id: dict[tuple[str, str], ManagedOrder] = {}
        self._open: dict[str, ManagedOrder] = {}
        self._rules: dict[tuple[str, str], MarketRules] = {}
        self._exposure = ExposureBook(self.rules)
        self._locks: dict[str, asyncio.Lock] = {}
        self.inflight: set[str] = set()

    # ---- registry -------------------------------------------------------------------------

    def load(self, orders: Iterable[ManagedOrder]) -> None:
        """Register orders rebuilt from QuestDB (start-up)."""
        for order in orders:
            self._register(order)

    def _register(self, order: ManagedOrder) -> None:
        self.orders[order.order_id] = order
        self._by_client[order.client_order_id] = order
        self._track(order)

    def _forget(self, order: ManagedOrder) -> None:
        self.orders.pop(order.order_id, None)
        self._by_client.pop(order.client_order_id, None)
        self._open.pop(order.order_id, None)
        self._exposure.update(order, working=False)

    def _track(self, order: ManagedOrder) -> None:
        """Keep the indexes and exposure in line with ``order``'s current state."""
        if order.venue_order_id:
            self._by_venue_id[(order.exchange, order.venue_order_id)] = order
        working = order.status in OPEN and order.seq > 0
        if working:
            self._open[order.order_id] = order
        else:
            self._open.pop(order.order_id, None)
        if order.exchange in self.venues:  # a down venue's orders count once it is back
            self._exposure.update(order, working)

    def add_venue(self, name: str, venue: Venue) -> None:
        """Take a venue into service (one that was down); its known orders count again."""
        self.venues[name] = venue
        self.balances.setdefault(name, {})
        for order in self.orders.values():
            if order.exchange == name:
                self._track(order)

    def remove_venue(self, name: str) -> None:
        """Take a venue out of service (it went down while being brought up)."""
        for order in self.orders.values():
            if order.exchange == name:
                self._exposure.update(order, working=False)
        self.venues.pop(name, None)

    def get(self, order_id: str) -> ManagedOrder:
        """The order ``order_id``; ``UnknownOrderError`` otherwise."""
        try:
            return self.orders[order_id]
        except KeyError:
            raise UnknownOrderError(order_id) from None

    def by_client_id(self, client_order_id: str) -> ManagedOrder | None:
        return self._by_client.get(client_order_id)

    def find(self, exchange: str, venue_order_id: str, client_order_id: str | None = None):
        """The order a venue report is about, by venue id, then by client order id."""
        order = self._by_venue_id.get((exchange, venue_order_id))
        if order is None and client_order_id:
            order = self._by_client.get(client_order_id)
            if order is not None and order.exchange != exchange:
                order = None
        return order

    def open_orders(self, exchange: str | None = None) -> list[ManagedOrder]:
        """Orders not yet in a final state (``pending_new`` ones once stored)."""
        return [o for o in self._open.values() if exchange is None or o.exchange == exchange]

    def rules(self, exchange: str, symbol: str) -> MarketRules:
        """A market's rules (cached: they are loaded once, on connect)."""
        rules = self._rules.get((exchange, symbol))
        if rules is None:
            rules = self._rules[(exchange, symbol)] = self.venues[exchange].rules(symbol)
        return rules

    def lock(self, order_id: str) -> asyncio.Lock:
        lock = self._locks.get(order_id)
        if lock is None:
            lock = self._locks[order_id] = asyncio.Lock()
        return lock

    # ---- persistence ----------------------------------------------------------------------

    def now_us(self) -> int:
        return self._clock.now_ms() * 1000

    def _stamp(self, order: ManagedOrder) -> dict[str, Any]:
        order.seq += 1
        order.ts_us = max(self.now_us(), order.ts_us + 1)
        if order.seq == 1:
            order.created_us = order.ts_us
        self._track(order)
        return order.event_row()

    def transition(self, order: ManagedOrder, status: str, **changes: Any) -> dict[str, Any]:
        """Move ``order`` to ``status`` (checked), apply ``changes``; the event row to commit."""
        check_transition(order.order_id, order.status, status)
        order.status = status
        for key, value in changes.items():
            setattr(order, key, value)
        return self._stamp(order)

    async def commit(
        self,
        order: ManagedOrder,
        events: list[dict],
        fills: list[dict] = (),  # type: ignore[assignment]
    ) -> None:
        """Make rows durable, then publish them."""
        if not events and not fills:
            return
        await self._journal.write(events=events, fills=fills)
        if order.status in TERMINAL:  # late reports need no ordering: free the lock
            self._locks.pop(order.order_id, None)
        if not self._bus.listened:
            return
        for row in fills:
            self._bus.publish("fill", fill_public(row))
        if events:
            self._bus.publish("order", order.public())

    # ---- submit ---------------------------------------------------------------------------

    async def submit(self, new: NewOrder) -> tuple[ManagedOrder, bool]:
        """Submit ``new``; ``(order, False)`` when its client order id is already known."""
        if new.client_order_id is not None:
            existing = self._by_client.get(new.client_order_id)
            if existing is not None:
                if differences := self._differences(existing, new):
                    raise ClientOrderIdConflict(new.client_order_id, differences)
                if existing.order_id in self.inflight:  # wait for the first submit's outcome
                    async with self.lock(existing.order_id):
                        pass
                return existing, False
        order = self._prepare(new)
        async with self.lock(order.order_id):
            self.inflight.add(order.order_id)
            try:
                await self._submit(order)
            except BaseException:
                if order.seq == 0:  # nothing stored, nothing sent: the client id stays free
                    self._forget(order)
                raise
            finally:
                self.inflight.discard(order.order_id)
        return order, True

    def _differences(self, existing: ManagedOrder, new: NewOrder) -> list[str]:
        """How ``new`` differs from the order already holding its client order id."""
        asked: dict[str, Any] = {
            "exchange": new.exchange,
            "symbol": new.symbol,
            "side": new.side,
            "type": new.type,
            "time_in_force": new.time_in_force,
            "algo_id": new.algo_id,
        }
        venue = self.venues.get(new.exchange)
        for name in ("amount", "price", "stop_price"):
            value = getattr(new, name)
            if venue is not None and value is not None and new.symbol == existing.symbol:
                with contextlib.suppress(OrderInputError):  # else compared as given
                    value = self._to_precision(venue, new.symbol, name, value)
            asked[name] = value
        return [
            f"{name} {getattr(existing, name)!r} != {value!r}"
            for name, value in asked.items()
            if getattr(existing, name) != value
        ]

    @staticmethod
    def _to_precision(venue: Venue, symbol: str, field: str, value: float) -> float:
        """``value`` on the market's step (amount, truncated) or tick (prices), by ccxt.

        Non-finite or absurd values never reach ccxt (its ``Decimal`` code fails on them).
        """
        bound = MAX_AMOUNT if field == "amount" else MAX_PRICE
        if not (math.isfinite(value) and 0 < value <= bound):
            raise OrderInputError(field, f"{field} {value!r} must be a number in (0, {bound:g}]")
        try:
            if field == "amount":
                return venue.amount_to_precision(symbol, value)
            return venue.price_to_precision(symbol, value)
        except ccxt.InvalidOrder:  # below one step or tick
            return 0.0

    def _prepare(self, new: NewOrder) -> ManagedOrder:
        """Validate ``new`` against the venue's market and register it (nothing is stored yet)."""
        venue = self.venues.get(new.exchange)
        if venue is None:
            known = ", ".join(sorted(self.venues))
            raise OrderInputError("exchange", f"unknown exchange {new.exchange!r} (known: {known})")
        tradable = (*self._symbols.get(new.exchange, ()), *(self.limits.allowed_symbols or ()))
        if new.symbol not in tradable:
            raise OrderInputError(
                "symbol",
                f"{new.symbol!r} is not a configured market of {new.exchange} "
                f"(configured: {', '.join(tradable) or 'none'})",
            )
        try:
            rules = self.rules(new.exchange, new.symbol)
        except (KeyError, ccxt.BadSymbol):
            raise OrderInputError(
                "symbol", f"{new.exchange} has no market {new.symbol!r}"
            ) from None
        if new.side not in ("buy", "sell"):
            raise OrderInputError("side", f"{new.side!r} is not buy or sell")
        price, stop_price = new.price, new.stop_price
        if new.type in LIMIT_TYPES and price is None:
            raise OrderInputError("price", f"a {new.type} order needs a price")
        if new.type not in LIMIT_TYPES and price is not None:
            raise OrderInputError("price", f"a {new.type} order takes no price")
        if (new.type in STOP_TYPES) != (stop_price is not None):
            need = "needs" if new.type in STOP_TYPES else "takes no"
            raise OrderInputError("stop_price", f"a {new.type} order {need} a stop_price")
        if new.time_in_force is not None and new.type not in LIMIT_TYPES:
            raise OrderInputError("time_in_force", f"a {new.type} order takes no time_in_force")
        amount = self._to_precision(venue, new.symbol, "amount", new.amount)
        if (too_small := below_minimum_amount(amount, rules, new.exchange)) is not None:
            raise OrderInputError("amount", f"amount {new.amount}: {too_small}")
        if price is not None:
            price = self._to_precision(venue, new.symbol, "price", price)
        if stop_price is not None:
            stop_price = self._to_precision(venue, new.symbol, "stop_price", stop_price)
        for name, value in (("price", price), ("stop_price", stop_price)):
            if value is not None and value <= 0:
                raise OrderInputError(
                    name,
                    f"{name} {getattr(new, name)} is below the price tick of "
                    f"{rules.price_increment} for {new.symbol} on {new.exchange}",
                )
        order_id = os.urandom(10).hex()
        client_order_id = new.client_order_id or f"dw-{order_id}"
        order = ManagedOrder(
            order_id=order_id,
            client_order_id=client_order_id,
            exchange=new.exchange,
            symbol=new.symbol,
            side=new.side,  # type: ignore[arg-type]
            type=new.type,
            amount=amount,
            price=price,
            stop_price=stop_price,
            time_in_force=new.time_in_force,
            algo_id=new.algo_id,
            user=new.user,
        )
        self._register(order)
        return order

    async def _risk_context(self, order: ManagedOrder) -> RiskContext:
        rules = self.rules(order.exchange, order.symbol)
        return RiskContext(
            rules=rules,
            quote=await self._market.quote(order.exchange, order.symbol),
            balances=self.balances.get(order.exchange, {}),
            exposure=self._exposure.exposure(order.exchange, rules),
            configured_symbols=self._symbols.get(order.exchange, ()),
        )

    async def _submit(self, order: ManagedOrder) -> None:
        venue = self.venues[order.exchange]
        context = await self._risk_context(order)
        reject = check_order(order, context, self.limits, self.kill_switch) or check_min_notional(
            order, context.rules, order.exchange, context.quote.mid if context.quote else None
        )
        if reject is not None:
            row = self.transition(order, "rejected", reason=str(reject))
            await self._write_first(order, row)
            return
        await self._write_first(order, self._stamp(order))
        crash_point("oms.write_ahead_durable")
        try:
            async with asyncio.timeout(self._submit_timeout_s):
                reported = await venue.submit(order.request())
            crash_point("oms.venue_accepted")
        except (ccxt.NetworkError, TimeoutError) as exc:
            log.warning(
                "submit outcome unknown; looking the order up by client order id",
                extra={"order_id": order.order_id, "error": type(exc).__name__},
            )
            reported, _ = await self.lookup(order)
        except ccxt.ExchangeError as exc:
            reason = f"VENUE_REJECTED: {type(exc).__name__}: {_venue_message(exc)}"
            await self.commit(order, [self.transition(order, "rejected", reason=reason)])
            return
        if reported is not None:
            await self.commit(order, self.apply_order(order, reported))

    async def _write_first(self, order: ManagedOrder, row: dict[str, Any]) -> None:
        try:
            await self.commit(order, [row])
        except JournalError as exc:
            self._forget(order)
            raise PersistenceError(f"order not sent: {exc}") from None

    async def lookup(self, order: ManagedOrder) -> tuple[Order | None, bool]:
        """The venue's view of ``order`` by client order id; ``(order, definitive)``.

        Transient errors are retried under ``ORDER_LOOKUP``; when they persist the
        answer is not definitive and the reconciler resolves the order later.
        """
        venue = self.venues[order.exchange]
        try:
            found = await ORDER_LOOKUP.call_async(
                venue.fetch_order, order.symbol, client_order_id=order.client_order_id
            )
        except ccxt.NetworkError as exc:
            log.warning(
                "order lookup failed; the reconciler will resolve the order",
                extra={
                    "order_id": order.order_id,
                    "venue": order.exchange,
                    "error": repr(exc)[:300],
                },
            )
            return None, False
        return found, True

    # ---- cancel ---------------------------------------------------------------------------

    async def cancel(self, order_id: str, user: str | None = None) -> ManagedOrder:
        """Request cancellation; the order is ``pending_cancel`` until the venue confirms.

        ``user`` (who asks) is recorded on the cancel's events; ``None`` keeps the order's.
        """
        order = self.get(order_id)
        async with self.lock(order_id):
            if order.status == "pending_cancel":
                return order
            if order.status not in CANCELABLE:
                raise OrderStateError(f"order {order_id} is {order.status}: it cannot be canceled")
            if order.exchange not in self.venues:
                raise OrderStateError(f"order {order_id}: venue {order.exchange} is down")
            if user is not None:
                order.user = user
            await self.commit(order, [self.transition(order, "pending_cancel")])
            crash_point("oms.cancel_requested")
            await self.send_cancel(order)
        return order

    async def send_cancel(self, order: ManagedOrder) -> None:
        """Send the cancel of a ``pending_cancel`` order and apply the answer (under its lock)."""
        venue = self.venues[order.exchange]
        cancel_failed = False
        try:
            reported: Order | None = await venue.cancel(order.symbol, order.venue_order_id or "")
        except ccxt.NetworkError:
            reported = None  # the reconciler finds out
        except ccxt.ExchangeError:  # unknown to the venue: filled or canceled meanwhile
            cancel_failed = True
            reported = await venue.fetch_order(order.symbol, order.venue_order_id)
        if reported is not None:
            await self.commit(order, self.apply_order(order, reported, cancel_failed))

    async def cancel_all(self, exchange: str | None = None, user: str | None = None) -> int:
        """Cancel every cancelable order (on behalf of ``user``); the number of cancels sent."""
        targets = [o for o in self.open_orders(exchange) if o.status in CANCELABLE]
        results = await asyncio.gather(
            *(self.cancel(o.order_id, user) for o in targets), return_exceptions=True
        )
        return sum(not isinstance(r, BaseException) for r in results)

    # ---- venue reports --------------------------------------------------------------------

    def tolerance(self, order: ManagedOrder) -> float:
        return self.rules(order.exchange, order.symbol).amount_increment / 2

    def apply_order(
        self, order: ManagedOrder, reported: Order, cancel_failed: bool = False
    ) -> list[dict[str, Any]]:
        """Event rows (0 or 1) bringing ``order`` in line with the venue's report."""
        if reported.client_order_id not in (None, order.client_order_id):
            log.warning(
                "venue report about another order ignored",
                extra={
                    "order_id": order.order_id,
                    "client_order_id": order.client_order_id,
                    "venue_order_id": reported.id,
                    "venue_client_order_id": reported.client_order_id,
                    "status": order.status,
                },
            )
            return []
        tolerance = self.tolerance(order)
        order.venue_created_ms = int(reported.ts.timestamp() * 1000)
        target = state_from_venue(reported, tolerance * 2)
        if order.status == "pending_cancel" and target in CANCELABLE and not cancel_failed:
            target = "pending_cancel"
        filled = max(order.filled, reported.filled)
        if target == "new" and filled > tolerance:  # a report older than fills already seen
            target = "partially_filled"
        progressed = filled > order.filled + tolerance
        if target == order.status and not progressed and reported.id == order.venue_order_id:
            return []
        if not can_transition(order.status, target):
            if order.status not in TERMINAL:
                log.warning(
                    "ignoring venue report",
                    extra={"order_id": order.order_id, "status": order.status, "venue": target},
                )
            return []
        average = reported.average if reported.filled >= order.filled else order.average
        return [
            self.transition(
                order, target, filled=filled, average=average, venue_order_id=reported.id
            )
        ]

    def apply_fill(self, order: ManagedOrder, fill: Fill) -> tuple[list[dict], list[dict]]:
        """(event rows, fill rows) for a fill of ``order``; nothing when already recorded."""
        if fill.fill_id in order.fill_ids:
            return [], []
        order.fill_ids.add(fill.fill_id)
        order.fills_amount += fill.amount
        fills = [fill_row(fill, order)]
        crash_point("oms.fill_applied")
        tolerance = self.tolerance(order)
        if order.fills_amount <= order.filled + tolerance:
            return [], fills
        filled = order.fills_amount
        average = ((order.average or 0.0) * order.filled + fill.price * fill.amount) / (
            order.filled + fill.amount
        )
        target = "filled" if filled >= order.amount - tolerance else "partially_filled"
        if order.status == "pending_cancel" and target == "partially_filled":
            target = "pending_cancel"
        if not can_transition(order.status, target):
            return [], fills
        return [self.transition(order, target, filled=filled, average=average)], fills

    async def on_order(self, reported: Order) -> bool:
        """Apply a venue's order report; False when the order is not ours."""
        order = self.find(reported.exchange, reported.id, reported.client_order_id)
        if order is None:
            return False
        async with self.lock(order.order_id):
            await self.commit(order, self.apply_order(order, reported))
        return True

    async def on_fill(self, fill: Fill) -> bool:
        """Record a venue's fill; False when its order is not (yet) known."""
        order = self.find(fill.exchange, fill.order_id, fill.client_order_id)
        if order is None:
            return False
        async with self.lock(order.order_id):
            events, fills = self.apply_fill(order, fill)
            await self.commit(order, events, fills)
        return True


def _venue_message(exc: Exception) -> str:
    """The exchange's own message from a ccxt error (which starts with the exchange id)."""
    text = str(exc)
    start = text.find('"msg":"')
    if start >= 0:
        return text[start + 7 : text.find('"', start + 7)]
    return text.split(" ", 1)[-1][:200]
