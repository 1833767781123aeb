"""The execution service: venues, OMS, recovery, polling and streams, kill switch."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from tenacity import RetryCallState

from deltaworks_core.config import RiskLimits, Settings
from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_core.retry import STREAM_RECONNECT
from deltaworks_core.venues.factory import create_exchange
from deltaworks_exec.algos.supervisor import AlgoSupervisor
from deltaworks_exec.clock import Clock, WallClock
from deltaworks_exec.marketdata import BookCache, Recorder
from deltaworks_exec.oms.algo_orders import OmsOrders
from deltaworks_exec.oms.algo_store import BusProgress, FanOut, QuestDBProgress
from deltaworks_exec.oms.bus import EventBus
from deltaworks_exec.oms.journal import Journal
from deltaworks_exec.oms.manager import OrderManager
from deltaworks_exec.oms.reconcile import Reconciler
from deltaworks_exec.oms.states import OPEN
from deltaworks_exec.oms.store import load_control, load_orders, order_history
from deltaworks_exec.quality.builder import report_periodically
from deltaworks_exec.venue import Venue
from deltaworks_exec.venues.ccxt_venue import CcxtVenue

log = logging.getLogger(__name__)

KILL_SWITCH_KEY = "kill_switch"
FULL_RECONCILE_S = 30.0
BALANCES_REFRESH_S = 5.0


class StreamEndedError(RuntimeError):
    """A venue's stream ended without delivering anything (counted as a failure)."""


class ExecService:
    """Everything the API serves; ``start`` recovers before anything new is accepted."""

    def __init__(
        self,
        settings: Settings,
        limits: RiskLimits,
        *,
        simulator_url: str | None = None,
        poll_interval_s: float = 1.0,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings
        self.limits = limits
        self.bus = EventBus()
        self.ready = False
        self._simulator_url = simulator_url
        self._poll_interval_s = poll_interval_s
        self._clock = clock or WallClock()
        self._tasks: set[asyncio.Task[Any]] = set()
        self.stream_failures: dict[str, int] = {}
        self.venues: dict[str, Venue] = {}
        self.reader: QuestDBReader | None = None
        self.journal: Journal | None = None
        self.oms: OrderManager | None = None
        self.reconciler: Reconciler | None = None
        self.market: BookCache | None = None
        self.algos: AlgoSupervisor | None = None
        self._algo_writer: QuestDBWriter | None = None

    async def start(self) -> None:
        """Connect, rebuild from QuestDB, reconcile every venue, then start polling and streams."""
        settings = self.settings
        self.reader = QuestDBReader(settings.questdb)
        self.journal = Journal(settings.questdb)
        await self.journal.start()
        for exchange in settings.exchanges:
            orders, reads = (
                create_exchange(
                    settings, exchange, asynchronous=True, simulator_url=self._simulator_url
                )
                for _ in range(2)
            )
            self.venues[exchange.name] = CcxtVenue(exchange.name, orders, reads)
        await asyncio.gather(*(venue.connect() for venue in self.venues.values()))
        self.market = BookCache(self.venues, max_age_s=self.limits.max_book_age_s)
        for exchange in settings.exchanges:
            self.market.watch(exchange.name, exchange.symbols)
        self.oms = OrderManager(
            self.venues,
            self.journal,
            self._clock,
            self.bus,
            self.market,
            self.limits,
            {e.name: e.symbols for e in settings.exchanges},
        )
        self.oms.load(await asyncio.to_thread(load_orders, self.reader))
        control = await asyncio.to_thread(load_control, self.reader)
        self.oms.kill_switch = control.get(KILL_SWITCH_KEY) == "on"
        self.reconciler = Reconciler(self.oms)
        await asyncio.gather(*(self._recover(name) for name in self.venues))
        for name, venue in self.venues.items():
            self._spawn(self._poll(name), f"poll-{name}")
            self._spawn(self._stream(venue), f"stream-{name}")
        self._algo_writer = QuestDBWriter(settings.questdb)
        progress = FanOut(QuestDBProgress(self._algo_writer), BusProgress(self.bus))
        oms = self.oms
        self.algos = AlgoSupervisor(
            self.venues, self._clock, lambda name: OmsOrders(oms, name), progress, self.reader
        )
        await self.algos.recover()
        if settings.recorder.enabled:
            recorder = Recorder(settings, simulator_url=self._simulator_url)
            self._spawn(recorder.run(), "recorder")
        self._spawn(report_periodically(self.reader, settings.questdb), "execution-reports")
        self.ready = True
        log.info("execution service ready", extra={"open_orders": len(self.oms.open_orders())})

    async def _recover(self, name: str) -> None:
        """Balances, then a full reconciliation resolving every pending order now."""
        assert self.reconciler is not None
        await self.refresh_balances(name)
        report = await self.reconciler.run_once(name, full=True, grace=False)
        log.info(
            "venue reconciled",
            extra={
                "venue": name,
                "resolved": len(report.resolved),
                "unknown_orders": len(report.unknown_orders),
                "unknown_fills": len(report.unknown_fills),
            },
        )

    async def stop(self) -> None:
        """Stop background work, flush the journal, close connections."""
        self.ready = False
        if self.algos is not None:
            await self.algos.detach()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.market is not None:
            await self.market.close()
        if self.journal is not None:
            await self.journal.close()
        for venue in self.venues.values():
            await venue.close()
        if self.reader is not None:
            self.reader.close()
        if self._algo_writer is not None:
            self._algo_writer.close()

    def _spawn(self, coro: Any, name: str) -> None:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def refresh_balances(self, name: str) -> None:
        assert self.oms is not None
        self.oms.balances[name] = await self.venues[name].balances()

    async def _poll(self, name: str) -> None:
        """Reconcile every poll interval (the streams' safety net): a light pass each time,
        a full pass and a balance refresh less often, to stay within the venue's limits."""
        assert self.reconciler is not None
        last_full = last_balances = time.monotonic()
        while True:
            await asyncio.sleep(self._poll_interval_s)
            now = time.monotonic()
            full = now - last_full >= FULL_RECONCILE_S
            try:
                await self.reconciler.run_once(name, full=full)
                if full:
                    last_full = now
                if now - last_balances >= BALANCES_REFRESH_S:
                    await self.refresh_balances(name)
                    last_balances = now
            except Exception as exc:  # keep polling through venue and network errors
                log.warning("poll failed", extra={"venue": name, "error": repr(exc)[:300]})

    async def _stream(self, venue: Venue) -> None:
        """Apply streamed order updates and fills, one task per event.

        Reconnects under ``STREAM_RECONNECT``, its backoff restarted once a connection
        has delivered events; every failure is logged and counted in ``status``.
        """

        def failed(state: RetryCallState) -> None:
            assert state.outcome is not None
            self._stream_failed(venue.name, state.outcome.exception())

        while True:
            async for attempt in STREAM_RECONNECT.async_retrying(f"stream-{venue.name}", failed):
                with attempt:
                    await self._consume(venue)

    async def _consume(self, venue: Venue) -> None:
        """Apply ``venue``'s events until its stream ends; raise unless events came first."""
        assert self.oms is not None
        delivered = False
        try:
            async for event in venue.events():
                delivered = True
                if event.order is not None:
                    self._spawn(self.oms.on_order(event.order), "on-order")
                for fill in event.fills:
                    self._spawn(self.oms.on_fill(fill), "on-fill")
        except Exception as exc:
            if not delivered:
                raise
            self._stream_failed(venue.name, exc)
            return
        if not delivered:
            raise StreamEndedError(f"the {venue.name} stream ended before any event")

    def _stream_failed(self, name: str, exc: BaseException | None) -> None:
        self.stream_failures[name] = self.stream_failures.get(name, 0) + 1
        log.warning(
            "venue stream failed; polling continues",
            extra={"venue": name, "error": repr(exc)[:300]},
        )

    async def set_kill_switch(self, engaged: bool, reason: str | None = None) -> int:
        """Persist the switch, block (or release) new orders; on: cancel every open order."""
        assert self.oms is not None and self.journal is not None
        row = {
            "ts_us": self.oms.now_us(),
            "key": KILL_SWITCH_KEY,
            "value": "on" if engaged else "off",
            "reason": reason,
        }
        await self.journal.write(control=[row])
        self.oms.kill_switch = engaged
        self.bus.publish("kill_switch", {"engaged": engaged, "reason": reason})
        return await self.oms.cancel_all() if engaged else 0

    async def order_history(self, order_id: str) -> tuple[list[dict], list[dict]]:
        assert self.reader is not None
        return await asyncio.to_thread(order_history, self.reader, order_id)

    def positions(self, name: str) -> list[dict[str, Any]]:
        """Per base asset of the configured symbols: holding and what open orders would add."""
        assert self.oms is not None
        venue = self.venues[name]
        balances = self.oms.balances.get(name, {})
        rows: dict[str, dict[str, Any]] = {}
        for symbol in self.settings.exchange(name).symbols:
            base = venue.rules(symbol).base
            held = balances.get(base)
            rows.setdefault(
                base,
                {
                    "asset": base,
                    "total": held.total if held else 0.0,
                    "open_buy": 0.0,
                    "open_sell": 0.0,
                },
            )
        for order in self.oms.open_orders(name):
            row = rows.get(venue.rules(order.symbol).base)
            if row is not None:
                row[f"open_{order.side}"] += max(order.amount - order.filled, 0.0)
        return list(rows.values())

    def status(self) -> dict[str, Any]:
        assert self.oms is not None and self.reconciler is not None
        by_status: dict[str, int] = {}
        for order in self.oms.orders.values():
            if order.status in OPEN:
                by_status[order.status] = by_status.get(order.status, 0) + 1
        return {
            "ready": self.ready,
            "kill_switch": self.oms.kill_switch,
            "venues": sorted(self.venues),
            "open_orders": by_status,
            "orders_total": len(self.oms.orders),
            "stream_failures": {name: self.stream_failures.get(name, 0) for name in self.venues},
            "reconciliation": {
                name: {
                    "unknown_orders": report.unknown_orders,
                    "unknown_fills": len(report.unknown_fills),
                }
                for name, report in self.reconciler.reports.items()
            },
        }
