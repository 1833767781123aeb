"""The execution service: venues, OMS, recovery, polling and streams, kill switch."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from typing import Any

from tenacity import RetryCallState

from deltaworks_core import crash_points
from deltaworks_core.config import ExchangeSettings, RiskLimits, Settings
from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_core.retry import STREAM_RECONNECT, VENUE_CONNECT
from deltaworks_core.venues.factory import create_exchange
from deltaworks_exec.algos.supervisor import AlgoSupervisor
from deltaworks_exec.arbitrage.executor import ArbitrageExecutor
from deltaworks_exec.arbitrage.trades import TradeStore
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
from deltaworks_exec.venues.health import VenueHealth

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
        self.venues: dict[str, Venue] = {}  # the venues in service; down ones: ``health``
        self.health = VenueHealth()
        self.reader: QuestDBReader | None = None
        self.journal: Journal | None = None
        self.oms: OrderManager | None = None
        self.reconciler: Reconciler | None = None
        self.market: BookCache | None = None
        self.algos: AlgoSupervisor | None = None
        self._algo_writer: QuestDBWriter | None = None
        self.arbitrage: ArbitrageExecutor | None = None

    async def start(self) -> None:
        """Connect, rebuild from QuestDB, reconcile every venue, then start polling and streams."""
        settings = self.settings
        crash_points.arm(os.environ, settings.exchanges)  # test-only; refused with live venues
        self.reader = QuestDBReader(settings.questdb)
        self.journal = Journal(settings.questdb)
        await self.journal.start()
        connected = await asyncio.gather(*(self._connect(e) for e in settings.exchanges))
        for exchange, venue in zip(settings.exchanges, connected, strict=True):
            if isinstance(venue, BaseException):
                self.health.mark_down(exchange.name, venue)
            else:
                self.venues[exchange.name] = venue
        self.market = BookCache(self.venues, max_age_s=self.limits.max_book_age_s)
        for exchange in settings.exchanges:  # a venue down now is followed once it is up
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
        names = list(self.venues)
        recovered = await asyncio.gather(*(self._recover(n) for n in names), return_exceptions=True)
        for name, outcome in zip(names, recovered, strict=True):
            if isinstance(outcome, Exception):
                await self._drop(name)
                self.health.mark_down(name, outcome)
            else:
                self._serve(name)
        self._algo_writer = QuestDBWriter(settings.questdb)
        progress = FanOut(QuestDBProgress(self._algo_writer), BusProgress(self.bus))
        oms = self.oms
        self.algos = AlgoSupervisor(
            self.venues, self._clock, lambda name: OmsOrders(oms, name), progress, self.reader
        )
        await self.algos.recover()
        for exchange in settings.exchanges:
            down = self.health.down.get(exchange.name)
            if down is not None and down.retrying:
                self._spawn(self._reconnect(exchange), f"reconnect-{exchange.name}")
        self.arbitrage = ArbitrageExecutor(
            self.oms,
            self.reconciler,
            market=self.market,
            journal=self.journal,
            store=TradeStore(self._algo_writer, self.reader),
            bus=self.bus,
            clock=self._clock,
            configured={e.name: e.symbols for e in settings.exchanges},
            scan_interval_s=self._poll_interval_s,
            leg_timeout_s=settings.exec.arbitrage.leg_timeout_s,
        )
        await self.arbitrage.recover(control)
        self._spawn(self.arbitrage.run(), "arbitrage")
        if settings.recorder.enabled:
            recorder = Recorder(settings, simulator_url=self._simulator_url)
            self._spawn(recorder.run(), "recorder")
        self._spawn(report_periodically(self.reader, settings.questdb), "execution-reports")
        self.ready = True
        log.info("execution service ready", extra={"open_orders": len(self.oms.open_orders())})

    async def _connect(self, exchange: ExchangeSettings) -> Venue | Exception:
        """``exchange`` connected (markets loaded), or the error that keeps it down."""
        try:
            orders, reads = (
                create_exchange(
                    self.settings, exchange, asynchronous=True, simulator_url=self._simulator_url
                )
                for _ in range(2)
            )
            venue = CcxtVenue(exchange.name, orders, reads)
        except Exception as exc:  # a misconfigured venue is down alone
            return exc
        try:
            await venue.connect()
        except Exception as exc:  # unreachable or failing: down alone, retried
            with contextlib.suppress(Exception):
                await venue.close()
            return exc
        return venue

    def _serve(self, name: str) -> None:
        """Poll and stream a connected, recovered venue."""
        self._spawn(self._poll(name), f"poll-{name}")
        self._spawn(self._stream(self.venues[name]), f"stream-{name}")

    async def _drop(self, name: str) -> None:
        """Take ``name`` out of service (it failed while being brought up)."""
        assert self.oms is not None
        venue = self.venues.pop(name)
        self.oms.remove_venue(name)
        with contextlib.suppress(Exception):
            await venue.close()

    async def _bring_up(self, exchange: ExchangeSettings) -> None:
        """Connect and recover a venue that was down, then serve it (raises while down)."""
        assert self.oms is not None and self.algos is not None
        venue = await self._connect(exchange)
        if isinstance(venue, Exception):
            raise venue
        name = exchange.name
        self.venues[name] = venue
        self.oms.add_venue(name, venue)
        try:
            await self._recover(name)
        except Exception:
            await self._drop(name)
            raise
        self.health.mark_up(name)
        self._serve(name)
        await self.algos.recover()

    async def _reconnect(self, exchange: ExchangeSettings) -> None:
        """Bring a down venue back under ``VENUE_CONNECT`` (backoff, never giving up)."""

        def failed(state: RetryCallState) -> None:
            assert state.outcome is not None
            self.health.mark_down(exchange.name, state.outcome.exception())

        async for attempt in VENUE_CONNECT.async_retrying(f"venue-{exchange.name}", failed):
            with attempt:
                await self._bring_up(exchange)

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
        if self.arbitrage is not None:
            await self.arbitrage.detach()
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

    async def set_kill_switch(
        self, engaged: bool, reason: str | None = None, user: str | None = None
    ) -> int:
        """Persist the switch, block (or release) new orders; on: cancel every open order
        (the cancels' events carry ``user``)."""
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
        return await self.oms.cancel_all(user=user) if engaged else 0

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
            "venues_down": self.health.status(),
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
