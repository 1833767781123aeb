"""Bring the OMS in line with a venue: at start-up (recovery) and periodically (polling).

One pass over a venue: every open order is compared with the venue's view
(found by venue id, or by client order id while it has none); orders the venue
no longer knows are resolved; missing fills since the oldest active order are
fetched and recorded once; the venue's open orders that the service does not
know are reported. Pending cancels the venue never received are re-sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from deltaworks_core.crash_points import crash_point
from deltaworks_core.models import Order
from deltaworks_exec.oms.manager import OrderManager
from deltaworks_exec.oms.model import ManagedOrder
from deltaworks_exec.oms.states import OPEN

log = logging.getLogger(__name__)

FILL_OVERLAP_MS = 5_000


@dataclass
class ReconcileReport:
    """What one pass found that the service could not attribute."""

    unknown_orders: list[dict] = field(default_factory=list)
    unknown_fills: list[dict] = field(default_factory=list)
    resolved: list[str] = field(default_factory=list)


class Reconciler:
    """Reconciles one ``OrderManager`` with its venues."""

    def __init__(self, oms: OrderManager, pending_grace_s: float = 5.0) -> None:
        self._oms = oms
        self._grace_us = int(pending_grace_s * 1_000_000)
        self._fill_marks: dict[tuple[str, str], int] = {}
        self.reports: dict[str, ReconcileReport] = {}

    async def run_once(
        self, exchange: str, *, full: bool = False, grace: bool = True
    ) -> ReconcileReport:
        """One pass over ``exchange``.

        A ``full`` pass reads every open order of the venue (reporting those the service
        does not know) and the fills of every symbol with active orders; a light pass
        reads only the symbols where the service has open orders, and fills only where
        an order's fills fall short of its filled amount (streams normally deliver them),
        which keeps the request weight low. ``grace=False`` resolves pending orders now.
        """
        oms = self._oms
        venue = oms.venues[exchange]
        report = ReconcileReport()
        if full:
            venue_open = {o.id: o for o in await venue.open_orders()}
        else:
            symbols = sorted({o.symbol for o in oms.open_orders(exchange)})
            venue_open = {o.id: o for s in symbols for o in await venue.open_orders(s)}
        for order in oms.open_orders(exchange):
            if order.order_id in oms.inflight:
                continue
            async with oms.lock(order.order_id):
                if order.status in OPEN:
                    await self._reconcile_order(order, venue_open, grace, report)
        await self._sync_fills(exchange, report, everything=full)
        for reported in venue_open.values():
            if oms.find(exchange, reported.id, reported.client_order_id) is None:
                report.unknown_orders.append(_describe(reported))
        if report.unknown_orders or report.unknown_fills:
            log.warning(
                "venue has orders or fills the service does not know",
                extra={
                    "venue": exchange,
                    "orders": len(report.unknown_orders),
                    "fills": len(report.unknown_fills),
                },
            )
        if full or exchange not in self.reports:
            self.reports[exchange] = report
        return report

    async def resolve(self, order: ManagedOrder) -> None:
        """Bring one open order in line with its venue now, without the pending grace."""
        async with self._oms.lock(order.order_id):
            if order.status in OPEN:
                await self._reconcile_order(order, {}, False, ReconcileReport())

    async def _reconcile_order(
        self,
        order: ManagedOrder,
        venue_open: dict[str, Order],
        grace: bool,
        report: ReconcileReport,
    ) -> None:
        oms = self._oms
        venue = oms.venues[order.exchange]
        if order.venue_order_id is None:
            reported, definitive = await oms.lookup(order)
            if reported is None:
                age_us = oms.now_us() - order.ts_us
                if definitive and (not grace or age_us > self._grace_us):
                    reason = "NOT_AT_VENUE: the venue has no order with this client order id"
                    await oms.commit(order, [oms.transition(order, "rejected", reason=reason)])
                    report.resolved.append(order.order_id)
                return
        else:
            reported = venue_open.get(order.venue_order_id)
            if reported is None:
                reported = await venue.fetch_order(order.symbol, order.venue_order_id)
            if reported is not None and reported.client_order_id not in (
                None,
                order.client_order_id,
            ):
                reported = None  # the id now names another order: ours is gone
            if reported is None:
                reason = "VENUE_UNKNOWN: the venue no longer knows this order"
                await oms.commit(order, [oms.transition(order, "expired", reason=reason)])
                report.resolved.append(order.order_id)
                return
        crash_point("reconcile.order_compared")
        await oms.commit(order, oms.apply_order(order, reported))
        if order.status == "pending_cancel" and reported.status == "open":
            await oms.send_cancel(order)

    async def _sync_fills(self, exchange: str, report: ReconcileReport, everything: bool) -> None:
        """Fetch fills of orders whose fills are incomplete (``everything``: and of open ones).

        Fill history is read from the venue's own creation time of the oldest such order (or
        from the last fill seen, when every order of the symbol has all its fills so far).
        """
        oms = self._oms
        venue = oms.venues[exchange]
        starts: dict[str, int] = {}
        for order in list(oms.orders.values()):
            if order.exchange != exchange or order.venue_order_id is None:
                continue
            short = order.filled - order.fills_amount > oms.tolerance(order)
            if not short and not (everything and order.status in OPEN):
                continue
            mark = self._fill_marks.get((exchange, order.symbol))
            if order.venue_created_ms is None:
                reported = await venue.fetch_order(order.symbol, order.venue_order_id)
                if reported is None:
                    continue
                order.venue_created_ms = int(reported.ts.timestamp() * 1000)
            start_ms = order.venue_created_ms - FILL_OVERLAP_MS
            if mark is not None and not short:  # fills before the mark were seen already
                start_ms = max(start_ms, mark)
            starts[order.symbol] = min(starts.get(order.symbol, start_ms), start_ms)
        for symbol, since in starts.items():
            fills = await venue.fills(symbol, since)
            for fill in fills:
                if not await oms.on_fill(fill):
                    report.unknown_fills.append(
                        {"fill_id": fill.fill_id, "order": fill.order_id, "symbol": symbol}
                    )
            if fills:
                self._fill_marks[(exchange, symbol)] = (
                    max(int(f.ts.timestamp() * 1000) for f in fills) - FILL_OVERLAP_MS
                )


def _describe(order: Order) -> dict:
    return {
        "venue_order_id": order.id,
        "client_order_id": order.client_order_id,
        "symbol": order.symbol,
        "side": order.side,
        "amount": order.amount,
        "price": order.price,
    }
