"""The service's parent orders: start, list, show, pause, resume, cancel; rebuild on start.

Hosted by the execution service with ``OmsOrders`` as the order sink (risk,
persistence, idempotent client ids) and ``QuestDBProgress`` + ``BusProgress``
as the progress sink (``algo_events`` and the WebSocket). On start,
``recover`` rebuilds every algorithm whose last event is not terminal; on
shutdown, ``detach`` stops them without touching their children, so a
restart resumes them exactly as after a crash.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import ccxt

from deltaworks_core.questdb import QuestDBReader
from deltaworks_exec.algos.base import TERMINAL, AlgoContext, ParentOrder, ParentSpec
from deltaworks_exec.algos.registry import create, restore
from deltaworks_exec.algos.schedule import ScheduledOrder
from deltaworks_exec.clock import Clock
from deltaworks_exec.oms.algo_store import AlgoEvent, ProgressSink, latest_events
from deltaworks_exec.oms.volume_profile import ProfileError, load_hourly_profile, load_profile
from deltaworks_exec.order_sinks import OrderSink
from deltaworks_exec.venue import Venue

log = logging.getLogger(__name__)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class UnknownAlgoError(KeyError):
    def __init__(self, algo_id: str) -> None:
        super().__init__(algo_id)
        self.message = f"unknown algorithm {algo_id!r}"


def summary(algo: ParentOrder) -> dict[str, Any]:
    """Progress of one parent order as the API and CLI show it."""
    return {
        "algo_id": algo.spec.algo_id,
        "algo": algo.algo,
        "status": algo.status,
        "exchange": algo.spec.exchange,
        "symbol": algo.spec.symbol,
        "side": algo.spec.side,
        "quantity": algo.spec.quantity,
        "filled": float(algo.filled),
        "average": algo.average,
        "target": float(algo.target),
        "children": algo.next_child,
        "message": algo.message,
        "start_ms": algo.start_ms,
        "params": algo.params(),
        "user": algo.user,
    }


def event_summary(event: AlgoEvent) -> dict[str, Any]:
    """``summary`` of an algorithm known only by its last event."""
    params = dict(event.params)
    return {
        "algo_id": event.algo_id,
        "algo": event.algo,
        "status": event.status,
        "exchange": event.exchange,
        "symbol": event.symbol,
        "side": event.side,
        "quantity": event.quantity,
        "filled": event.filled,
        "average": event.average,
        "target": event.target,
        "children": event.children,
        "message": event.message,
        "start_ms": params.pop("start_ms", None),
        "params": params,
        "user": event.user,
    }


def detail(algo: ParentOrder) -> dict[str, Any]:
    """``summary`` plus the schedule (time, cumulative target) and every child."""
    schedule = []
    if isinstance(algo, ScheduledOrder):
        schedule = [{"time_ms": s.time_ms, "target": float(s.target)} for s in algo.schedule()]
    children = [
        {
            "client_order_id": o.client_order_id,
            "order_id": o.id,
            "type": o.type,
            "side": o.side,
            "price": o.price,
            "amount": o.amount,
            "filled": o.filled,
            "average": o.average,
            "status": o.status,
        }
        for _, o in sorted(algo.children.items())
    ]
    return {**summary(algo), "schedule": schedule, "orders": children}


class AlgoSupervisor:
    """Every parent order of the service, by ``algo_id``."""

    def __init__(
        self,
        venues: Mapping[str, Venue],
        clock: Clock,
        orders: Callable[[str], OrderSink],
        progress: ProgressSink,
        reader: QuestDBReader | None = None,
    ) -> None:
        self.venues = venues
        self.clock = clock
        self.orders = orders
        self.progress = progress
        self.reader = reader
        self.algos: dict[str, ParentOrder] = {}

    def _context(self, exchange: str) -> AlgoContext:
        if exchange not in self.venues:
            known = ", ".join(sorted(self.venues))
            raise ValueError(f"unknown exchange {exchange!r} (known: {known})")
        return AlgoContext(self.venues[exchange], self.clock, self.orders(exchange), self.progress)

    def _with_profile(self, spec: ParentSpec, params: dict[str, Any]) -> dict[str, Any]:
        """VWAP parameters with ``volumes`` unless given: from the latest hourly profile
        (``volume_profiles``), else from the ``candles`` at this time of day."""
        if "volumes" in params:
            return params
        if self.reader is None:
            raise ValueError("vwap needs 'volumes' or a QuestDB reader for the candle profile")
        params = dict(params)
        days = params.pop("days", 5)
        duration, bucket = params.get("duration_s"), params.get("bucket_s", 60)
        if not _number(duration) or not _number(bucket) or not isinstance(days, int):
            raise ValueError("vwap parameters: duration_s and bucket_s (seconds), days (integer)")
        now = self.clock.now_ms()
        try:
            volumes = load_hourly_profile(
                self.reader, spec.exchange, spec.symbol, now, duration, bucket
            )
        except ProfileError:
            volumes = load_profile(
                self.reader, spec.exchange, spec.symbol, now, duration, bucket, days
            )
        return {**params, "volumes": volumes}

    async def start(
        self,
        algo: str,
        exchange: str,
        symbol: str,
        side: str,
        quantity: float,
        params: dict[str, Any],
        algo_id: str | None = None,
        user: str | None = None,
    ) -> ParentOrder:
        """Create and start a parent order for ``user``; ``ValueError`` names what is wrong."""
        algo_id = algo_id or f"a{uuid.uuid4().hex[:12]}"
        if algo_id in self.algos:
            raise ValueError(f"algo_id {algo_id!r} is already in use")
        spec = ParentSpec(algo_id, exchange, symbol, side, quantity)  # type: ignore[arg-type]
        ctx = self._context(exchange)
        try:
            ctx.venue.rules(symbol)
        except (ccxt.BadSymbol, KeyError):
            raise ValueError(f"{exchange} has no market {symbol!r}") from None
        if algo == "vwap":
            params = await asyncio.to_thread(self._with_profile, spec, params)
        parent = create(algo, spec, params, ctx)
        await parent.check_plan()
        self.algos[algo_id] = parent
        await parent.start(user)
        return parent

    async def get(self, algo_id: str) -> ParentOrder:
        """A parent order of this service run, or rebuilt from ``algo_events`` (an ended one
        as a record, its children looked up)."""
        if algo_id in self.algos:
            return self.algos[algo_id]
        events = []
        if self.reader is not None:
            events = await asyncio.to_thread(latest_events, self.reader, algo_id)
        if not events or events[0].exchange not in self.venues:
            raise UnknownAlgoError(algo_id)
        self.algos[algo_id] = await restore(events[0], self._context(events[0].exchange))
        return self.algos[algo_id]

    async def list(self, status: str | None = None) -> list[dict[str, Any]]:
        """Every parent order: this run's, and the others' last events in ``algo_events``."""
        rows = {algo_id: summary(a) for algo_id, a in self.algos.items()}
        if self.reader is not None:
            for event in await asyncio.to_thread(latest_events, self.reader):
                if event.algo_id not in rows:
                    rows[event.algo_id] = event_summary(event)
        return [row for row in rows.values() if status in (None, row["status"])]

    async def pause(self, algo_id: str, user: str | None = None) -> ParentOrder:
        algo = await self.get(algo_id)
        await algo.pause(user)
        return algo

    async def resume(self, algo_id: str, user: str | None = None) -> ParentOrder:
        algo = await self.get(algo_id)
        await algo.resume(user)
        return algo

    async def cancel(self, algo_id: str, user: str | None = None) -> ParentOrder:
        algo = await self.get(algo_id)
        await algo.cancel(user=user)
        return algo

    async def recover(self) -> list[ParentOrder]:
        """Rebuild every algorithm that had not ended, from ``algo_events`` (service start, and
        again when a venue that was down comes up)."""
        if self.reader is None:
            return []
        await asyncio.to_thread(self.reader.wait_visible, "algo_events")
        events = await asyncio.to_thread(latest_events, self.reader)
        rebuilt = []
        for event in events:
            if event.status in TERMINAL or event.exchange not in self.venues:
                continue
            if event.algo_id in self.algos:  # already running (a venue that came back up)
                continue
            try:
                algo = await restore(event, self._context(event.exchange))
            except ValueError as exc:
                # One damaged record must not keep the service (and every other algo) down.
                log.error("algorithm not recovered", extra={"algo_id": event.algo_id, "error": exc})
                continue
            self.algos[event.algo_id] = algo
            rebuilt.append(algo)
        return rebuilt

    async def detach(self) -> None:
        """Stop every running algorithm's task, children untouched (service shutdown)."""
        for algo in self.algos.values():
            await algo.detach()
