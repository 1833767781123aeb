"""Parent orders: the runner every execution algorithm builds on.

An algorithm sees a ``Venue`` (market data and rules, read only), a ``Clock``,
an ``OrderSink`` for its child orders and a ``ProgressSink`` for its events.
In the service the order sink is the OMS (risk checks, persistence, idempotent
client ids); in tests and backtests it is ``VenueOrders`` over a venue.

States: pending -> running <-> paused -> completed | canceled | failed.

Policies:

* Child ids are deterministic, ``{algo_id}-{n}`` with ``n`` counting every
  child ever attempted. The count is persisted after each child (``children``
  in ``algo_events``); on a restart the algorithm looks up ids ``0..n`` and
  onwards by client order id until one is unknown, so a child sent just before
  a crash is adopted, never sent twice. Quantities and averages are always
  recomputed from the children as the venue reports them.
* Partial fills: a child's unfilled part goes back to the parent (a resting
  child is canceled at the next slice); schedules catch up on the next slice
  (what is due by then minus what is filled).
* Rejects (``InvalidOrder``, ``InsufficientFunds``, other ``ExchangeError``):
  the slice is skipped and its quantity rescheduled; after
  ``max_consecutive_rejects`` in a row the algorithm fails and cancels its
  children.
* An order type the venue lacks (``NotSupported``) is not a reject: it is
  raised to the algorithm, which emulates the type (stops).
* Venue errors (``NetworkError``) on submit: the order sink looks the child up
  by client order id before re-sending the same id; a child still unknown is
  looked up again at every refresh. On cancel: retried at the next refresh.
* Pause and cancel stop the schedule and cancel every open child; resume
  continues from the current time with what remains (catching up).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar, Literal

import ccxt

from deltaworks_core.crash_points import crash_point
from deltaworks_core.models import Order, Side
from deltaworks_exec.clock import Clock
from deltaworks_exec.oms.algo_store import AlgoEvent, ProgressSink
from deltaworks_exec.order_sinks import OrderSink
from deltaworks_exec.quantities import dec, minimum_amount, to_step
from deltaworks_exec.venue import OrderRequest, OrderType, TimeInForce, Venue

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ALGO_ID = re.compile(r"[A-Za-z0-9_]{1,28}")
AlgoStatus = Literal["pending", "running", "paused", "completed", "canceled", "failed"]
TERMINAL = frozenset({"completed", "canceled", "failed"})
_TRANSITIONS = {
    "pending": {"running", "canceled", "failed"},
    "running": {"paused", "completed", "canceled", "failed"},
    "paused": {"running", "canceled", "failed"},
}


class AlgoError(RuntimeError):
    """A parent order cannot go on (bad parameters, too many rejects, impossible state)."""


@dataclass(frozen=True, slots=True)
class ParentSpec:
    """What a parent order must do, whatever the algorithm."""

    algo_id: str
    exchange: str
    symbol: str
    side: Side
    quantity: float

    def __post_init__(self) -> None:
        if self.side not in ("buy", "sell"):
            raise ValueError(f"side must be 'buy' or 'sell', got {self.side!r}")
        if not self.quantity > 0:
            raise ValueError(f"quantity must be positive, got {self.quantity!r}")
        if not _ALGO_ID.fullmatch(self.algo_id):
            raise ValueError(
                f"algo_id must be 1-28 letters, digits or '_' (child ids add '-n'), "
                f"got {self.algo_id!r}"
            )


@dataclass(frozen=True, slots=True)
class AlgoContext:
    """The interfaces an algorithm runs against."""

    venue: Venue
    clock: Clock
    orders: OrderSink
    progress: ProgressSink


class ParentOrder(ABC):
    """A parent order that works itself through child orders on one venue."""

    algo: ClassVar[str]
    max_consecutive_rejects: ClassVar[int] = 3

    def __init__(self, spec: ParentSpec, ctx: AlgoContext, start_ms: int | None = None) -> None:
        self.spec = spec
        self.ctx = ctx
        self.rules = ctx.venue.rules(spec.symbol)
        self.start_ms = ctx.clock.now_ms() if start_ms is None else start_ms
        self.status = "pending"
        self.message = ""
        self.outcome: str | None = None  # how it ended, set by the algorithm
        self.user: str | None = None  # who made the last request acting on it
        self.target = Decimal(0)
        self.children: dict[int, Order] = {}
        self.next_child = 0
        self._unknown: set[int] = set()
        self._rejects = 0
        self._seq = 0
        self._ts_us = 0
        self._task: asyncio.Task[None] | None = None
        self._done = asyncio.Event()

    # -- what each algorithm provides ---------------------------------------------------------

    @abstractmethod
    def params(self) -> dict[str, Any]:
        """The algorithm's parameters as JSON values (persisted; rebuilds it on restart)."""

    @abstractmethod
    async def execute(self) -> None:
        """Work the order from the current state and time until done; resumable at any await."""

    def adapt_plan(self, total: Decimal, minimum: Decimal) -> str | None:
        """Fit the plan so no child is below ``minimum``; what changed, or ``None``.

        Children are sized by ``quantities.child_amount`` at send time (a small slice is
        deferred, a small remainder joins the last child); algorithms with a fixed
        number of slices also reduce it up front.
        """
        return None

    async def check_plan(self) -> None:
        """Refuse (``ValueError`` with the reason) a parent order the market's rules cannot
        execute; adapt one that can be executed with fewer children (said in ``message``)."""
        try:
            price = await self.reference_price()
        except ccxt.BaseError as exc:
            raise ValueError(
                f"cannot check the order against {self.spec.symbol}'s rules on "
                f"{self.spec.exchange}: no price ({type(exc).__name__})"
            ) from None
        minimum = minimum_amount(self.rules, price)
        total = to_step(self.spec.quantity, self.rules.amount_increment)
        if total < minimum:
            rules = self.rules
            raise ValueError(
                f"quantity {self.spec.quantity} {rules.base} cannot be executed: the smallest "
                f"order of {rules.symbol} on {self.spec.exchange} is {minimum} {rules.base} "
                f"(minimum amount {rules.min_amount}, minimum notional {rules.min_notional} "
                f"{rules.quote} at {price}, step {rules.amount_increment})"
            )
        self.message = self.adapt_plan(total, minimum) or ""

    # -- lifecycle ----------------------------------------------------------------------------

    async def start(self, user: str | None = None) -> None:
        """Start working the order now (on behalf of ``user``)."""
        self.user = user
        await self._set_status("running", f"started; {self.message}" if self.message else "started")
        self._launch()

    async def recover(self, event: AlgoEvent) -> None:
        """Rebuild after a restart from the algorithm's last persisted event.

        Children are looked up by client order id (adopting any sent after the
        event); a running algorithm goes on working, a paused one stays paused, an
        ended one is only a record (nothing sent, nothing published).
        """
        self._seq = event.seq
        self._ts_us = (event.ts - _EPOCH) // timedelta(microseconds=1)
        self.status = event.status
        self.message = event.message
        self.target = dec(event.target)
        self.user = event.user
        await self._adopt(event.children)
        if event.status in TERMINAL:
            self._done.set()
        elif event.status == "paused":
            self.publish("recovered")
        else:
            self.status = "pending"
            await self._set_status("running", "recovered")
            self._launch()

    def _require(self, action: str, *statuses: str) -> None:
        if self.status not in statuses:
            raise AlgoError(f"algorithm {self.spec.algo_id} is {self.status}: cannot {action}")

    def _acting(self, user: str | None) -> None:
        """Record who acts on the order from now on; ``None`` keeps the current user."""
        if user is not None:
            self.user = user

    async def pause(self, user: str | None = None) -> None:
        """Stop sending, cancel open children; ``resume`` continues."""
        self._require("pause", "running")
        self._acting(user)
        await self._halt()
        await self._set_status("paused", "paused")

    async def resume(self, user: str | None = None) -> None:
        self._require("resume", "paused")
        self._acting(user)
        await self._set_status("running", "resumed")
        self._launch()

    async def cancel(self, reason: str = "canceled", user: str | None = None) -> None:
        """Stop for good and cancel open children."""
        self._require("cancel", "pending", "running", "paused")
        self._acting(user)
        await self._halt()
        await self._set_status("canceled", reason)
        self._done.set()

    async def wait(self) -> str:
        """Wait until the parent order ends; returns its final status."""
        await self._done.wait()
        return self.status

    @property
    def active(self) -> bool:
        """True while a task is working the order (not paused, ended or detached)."""
        return self._task is not None and not self._task.done()

    async def detach(self) -> None:
        """Stop working without canceling children or recording anything (shutdown)."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._task = None

    def _launch(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"algo-{self.spec.algo_id}")

    async def _run(self) -> None:
        try:
            await self.execute()
            await self.refresh()
            await self._set_status("completed", self.outcome or "done")
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # any failure ends the parent, children canceled
            await self.cancel_children()
            await self._set_status("failed", f"{type(exc).__name__}: {exc}")
        self._done.set()

    async def _halt(self) -> None:
        await self.detach()
        await self._adopt(self.next_child)
        await self.cancel_children()

    async def _set_status(self, status: str, message: str) -> None:
        if status != self.status and status not in _TRANSITIONS.get(self.status, ()):
            raise AlgoError(f"algorithm {self.spec.algo_id}: cannot go {self.status} -> {status}")
        self.status = status
        self.message = message
        self.publish(message)

    # -- state ------------------------------------------------------------------------------

    def counted(self) -> list[Order]:
        """Children whose fills count toward the parent's quantity (all, by default)."""
        return list(self.children.values())

    @property
    def filled(self) -> Decimal:
        total = sum((dec(o.filled) for o in self.counted()), Decimal(0))
        return to_step(total, self.rules.amount_increment)

    @property
    def average(self) -> float | None:
        cost = sum(o.filled * (o.average or o.price or 0.0) for o in self.counted())
        filled = sum(o.filled for o in self.counted())
        return cost / filled if filled > 0 else None

    @property
    def remaining(self) -> Decimal:
        return to_step(dec(self.spec.quantity), self.rules.amount_increment) - self.filled

    @property
    def open_children(self) -> list[Order]:
        return [o for o in self.children.values() if o.status == "open"]

    def publish(self, message: str) -> None:
        """Persist one progress event with the current state."""
        self._seq += 1
        # strictly increasing per algorithm, so ``LATEST ON ts`` finds the highest seq
        self._ts_us = max(self.ctx.clock.now_ms() * 1000, self._ts_us + 1)
        self.ctx.progress.publish(
            AlgoEvent(
                ts=_EPOCH + timedelta(microseconds=self._ts_us),
                algo_id=self.spec.algo_id,
                seq=self._seq,
                algo=self.algo,
                status=self.status,
                exchange=self.spec.exchange,
                symbol=self.spec.symbol,
                side=self.spec.side,
                quantity=self.spec.quantity,
                filled=float(self.filled),
                average=self.average,
                params={"start_ms": self.start_ms, **self.params()},
                message=message,
                children=self.next_child,
                target=float(self.target),
                user=self.user,
            )
        )

    # -- children -----------------------------------------------------------------------------

    def client_id(self, n: int) -> str:
        return f"{self.spec.algo_id}-{n}"

    async def _lookup(self, n: int) -> Order | None:
        try:
            return await self.ctx.orders.fetch_order(
                self.spec.symbol, client_order_id=self.client_id(n)
            )
        except ccxt.NetworkError:
            self._unknown.add(n)
            return None

    async def _adopt(self, known: int) -> None:
        """Look children ``0..known-1`` and any later ones up by client order id."""
        n = 0
        while True:
            if n not in self.children:
                order = await self._lookup(n)
                if order is not None:
                    self.children[n] = order
                    self._unknown.discard(n)
                    crash_point("algo.child_adopted")
                elif n >= max(known, self.next_child):
                    break
            n += 1
        self.next_child = n

    async def send(
        self,
        amount: Decimal,
        type_: OrderType,
        price: float | None = None,
        time_in_force: TimeInForce | None = None,
        stop_price: float | None = None,
        side: Side | None = None,
    ) -> Order | None:
        """Send one child (on the parent's side unless ``side``); ``None`` when rejected."""
        n = self.next_child
        self.next_child += 1
        request = OrderRequest(
            client_order_id=self.client_id(n),
            symbol=self.spec.symbol,
            side=side or self.spec.side,
            type=type_,
            amount=float(amount),
            price=self._to_tick(price),
            stop_price=self._to_tick(stop_price),
            time_in_force=time_in_force,
        )
        try:
            order: Order | None = await self.ctx.orders.submit(
                request, algo_id=self.spec.algo_id, user=self.user
            )
            crash_point("algo.child_sent")
        except ccxt.NetworkError:
            self._unknown.add(n)
            order = None
            reason = "unknown after network error"
        except ccxt.NotSupported:
            self.publish(f"child {request.client_order_id}: {type_} not supported by the venue")
            raise
        except ccxt.ExchangeError as exc:
            order = None
            reason = f"rejected: {type(exc).__name__}: {exc}"
        if order is not None and order.status == "rejected":
            self.children[n] = order  # the record lists every child sent, rejects included
            reason, order = "rejected", None
        if order is None:
            self._rejects += 1
            self.publish(f"child {request.client_order_id} {reason}")
            if self._rejects >= self.max_consecutive_rejects:
                raise AlgoError(f"{self._rejects} consecutive child rejects")
            return None
        self._rejects = 0
        self.children[n] = order
        self.publish(f"child {request.client_order_id} {type_} {amount}")
        return order

    def _to_tick(self, price: float | None) -> float | None:
        return None if price is None else self.ctx.venue.price_to_precision(self.spec.symbol, price)

    async def refresh(self) -> None:
        """Update open children (and look up unknown ones) from the order sink."""
        before = self.filled
        for n in sorted(self._unknown):
            order = await self._lookup(n)
            if order is not None:
                self.children[n] = order
                self._unknown.discard(n)
        for n, order in list(self.children.items()):
            if order.status != "open":
                continue
            with contextlib.suppress(ccxt.NetworkError):
                latest = await self.ctx.orders.fetch_order(self.spec.symbol, order_id=order.id)
                if latest is not None:
                    self.children[n] = latest
        if self.filled != before:
            self.publish("fill")

    async def cancel_child(self, order: Order) -> None:
        """Cancel one child; a child that already ended is just refreshed."""
        n = next(k for k, o in self.children.items() if o.id == order.id)
        try:
            self.children[n] = await self.ctx.orders.cancel(
                self.spec.symbol, order.id, user=self.user
            )
        except (ccxt.OrderNotFound, ccxt.NetworkError):
            latest = await self.ctx.orders.fetch_order(self.spec.symbol, order_id=order.id)
            if latest is not None:
                self.children[n] = latest

    async def cancel_children(self) -> None:
        for order in self.open_children:
            await self.cancel_child(order)

    # -- time ---------------------------------------------------------------------------------

    async def sleep_until(self, ms: int) -> None:
        delay_ms = ms - self.ctx.clock.now_ms()
        if delay_ms > 0:
            await self.ctx.clock.sleep(delay_ms / 1000)

    async def reference_price(self) -> float:
        """The price a child would trade at now: the touch on the opposite side, else last."""
        book = await self.ctx.venue.order_book(self.spec.symbol, depth=1)
        levels = book.asks if self.spec.side == "buy" else book.bids
        return levels[0][0] if levels else await self.ctx.venue.last_price(self.spec.symbol)
