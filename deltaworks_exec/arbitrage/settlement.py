"""The hedging policy of an arbitrage trade, from its opening legs to its outcome.

Policy, applied to the fills the OMS reports once every leg has ended:

1. Bought and sold alike (within the smaller venue minimum): ``completed``.
2. Otherwise the lagging leg is retried once for the gap, as an IOC limit order at
   most ``retry_bound_bps`` worse than its quoted price (``hedged`` if that closes it).
   A lagging leg whose outcome is still unknown is not retried (it may have filled).
3. What is still open is unwound at market on the leading venue (``unwound``).
4. A gap left beyond the residual bound (the larger of the two venues' minimum order
   at the quoted price: less cannot be traded) is ``exposed``: flagged, logged as an error.

A leg whose venue does not answer within ``leg_timeout_s`` counts with what is known
of it (nothing, for an order the venue never confirmed) and the trade stays
``unresolved``; it is settled again until every leg has ended, hedging anything its
late fills opened. Every step is persisted before the next order is sent.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal

from deltaworks_exec.arbitrage.trades import (
    COMPLETED,
    EXPOSED,
    HEDGED,
    HEDGING,
    MISSED,
    OPENING,
    OUTCOMES,
    RETRY,
    UNRESOLVED,
    UNWIND,
    UNWOUND,
    ArbitrageTrade,
    Leg,
)
from deltaworks_exec.oms.errors import OrderInputError, PersistenceError
from deltaworks_exec.oms.manager import NewOrder, OrderManager
from deltaworks_exec.oms.reconcile import Reconciler
from deltaworks_exec.oms.states import OPEN
from deltaworks_exec.quantities import dec, minimum_amount, to_step

log = logging.getLogger(__name__)

RETRIES = 1
UNWINDS = 2
RESOLVE_POLL_S = 0.1

Save = Callable[[ArbitrageTrade], Awaitable[None]]


def _leg(trade: ArbitrageTrade, role: str, side: str, amount: float, price: float | None) -> Leg:
    """A new leg of ``trade``: opening legs on their own venue; a retry on the lagging leg's
    venue; an unwind (``side`` the opposite of the lagging one) on the leading leg's venue."""
    on_buy_venue = (side == "buy") != (role == UNWIND)
    exchange = trade.buy_exchange if on_buy_venue else trade.sell_exchange
    suffix = role[0] if role in OPENING else f"h{len(trade.legs)}"
    return Leg(role, exchange, side, f"{trade.trade_id}{suffix}", amount, price)


class Settlement:
    """Sends legs through the OMS and applies the policy to one trade at a time."""

    def __init__(
        self, oms: OrderManager, reconciler: Reconciler, save: Save, leg_timeout_s: float = 5.0
    ) -> None:
        self._oms = oms
        self._reconciler = reconciler
        self._save = save
        self.leg_timeout_s = leg_timeout_s
        self._locks: dict[str, asyncio.Lock] = {}

    async def open(self, trade: ArbitrageTrade) -> None:
        """Persist the trade with its two legs, send both at once, then settle it."""
        trade.legs = [
            _leg(trade, "buy", "buy", trade.amount, trade.buy_price),
            _leg(trade, "sell", "sell", trade.amount, trade.sell_price),
        ]
        await self._save(trade)  # write-ahead: a restart finds the legs by client order id
        await asyncio.gather(*(self._send(trade, leg) for leg in trade.legs))
        await self.settle(trade)

    async def settle(self, trade: ArbitrageTrade) -> None:
        """Resolve every leg, hedge the gap by the policy, record the outcome (one settlement
        of a trade at a time; a trade with an outcome is left as it is)."""
        lock = self._locks.setdefault(trade.trade_id, asyncio.Lock())
        async with lock:
            if trade.status not in OUTCOMES:
                await self._settle(trade)
        if trade.status in OUTCOMES:
            self._locks.pop(trade.trade_id, None)

    async def _settle(self, trade: ArbitrageTrade) -> None:
        await asyncio.gather(*(self._resolve(leg) for leg in trade.legs if not leg.resolved))
        bound = self._bound(trade)
        while abs(gap := trade.gap()) >= bound:
            leg = self._hedge(trade, gap)
            if leg is None:
                break
            trade.status = HEDGING
            trade.legs.append(leg)
            await self._save(trade)
            await self._send(trade, leg)
            await self._resolve(leg)
        self._outcome(trade, bound)
        await self._save(trade)
        self._log(trade)

    def _hedge(self, trade: ArbitrageTrade, gap: Decimal) -> Leg | None:
        """The next hedge order for ``gap`` (bought minus sold), or None when none is left."""
        if any(not leg.resolved for leg in trade.legs if leg.role in (RETRY, UNWIND)):
            return None  # a hedge whose outcome is unknown may have closed the gap already
        lagging = "sell" if gap > 0 else "buy"
        amount = float(abs(gap))
        unknown = any(not leg.resolved and leg.side == lagging for leg in trade.legs)
        if trade.count(RETRY) < RETRIES and not unknown:
            bound = trade.retry_bound_bps / 10_000
            if lagging == "sell":
                retry = _leg(trade, RETRY, "sell", amount, trade.sell_price * (1 - bound))
            else:
                retry = _leg(trade, RETRY, "buy", amount, trade.buy_price * (1 + bound))
            assert retry.price is not None
            rules = self._oms.rules(retry.exchange, trade.symbol)
            if dec(amount) >= minimum_amount(rules, retry.price):  # else straight to unwinding
                return retry
        if trade.count(UNWIND) < UNWINDS:  # at market, on the leading leg's venue
            return _leg(trade, UNWIND, lagging, amount, None)
        return None

    def _bound(self, trade: ArbitrageTrade) -> Decimal:
        """The smallest gap that can be traded: the larger venue minimum at the quoted price."""
        return max(
            minimum_amount(self._oms.rules(trade.buy_exchange, trade.symbol), trade.buy_price),
            minimum_amount(self._oms.rules(trade.sell_exchange, trade.symbol), trade.sell_price),
        )

    async def _send(self, trade: ArbitrageTrade, leg: Leg) -> None:
        """Submit ``leg`` through the OMS (risk checks, write-ahead, idempotent client id)."""
        rules = self._oms.rules(leg.exchange, trade.symbol)
        amount = float(to_step(leg.amount, rules.amount_increment))
        new = NewOrder(
            exchange=leg.exchange,
            symbol=trade.symbol,
            side=leg.side,
            type="market" if leg.price is None else "limit",
            amount=amount,
            price=leg.price,
            time_in_force=None if leg.price is None else "IOC",
            client_order_id=leg.client_order_id,
        )
        try:
            await self._oms.submit(new)
        except (OrderInputError, PersistenceError) as exc:
            leg.status, leg.reason = "not_sent", str(exc)
            return
        except Exception as exc:  # the OMS's record, if any, tells what happened
            log.warning(
                "arbitrage leg submit failed",
                extra={"trade_id": trade.trade_id, "leg": leg.client_order_id, "error": repr(exc)},
            )
            leg.reason = f"{type(exc).__name__}: {exc}"[:300]
        self._update(leg)

    def _update(self, leg: Leg) -> None:
        """Copy the OMS's view of ``leg``'s order onto it."""
        if leg.status == "not_sent":
            return
        order = self._oms.by_client_id(leg.client_order_id)
        if order is None:  # never stored by the OMS, so never sent
            leg.status = "not_sent"
            return
        leg.order_id, leg.status = order.order_id, order.status
        leg.filled, leg.average = order.filled, order.average
        leg.reason = order.reason or leg.reason

    async def _resolve(self, leg: Leg) -> None:
        """Ask the venue until ``leg``'s order has ended, at most ``leg_timeout_s``."""
        self._update(leg)
        deadline = time.monotonic() + self.leg_timeout_s
        while not leg.resolved and time.monotonic() < deadline:
            order = self._oms.by_client_id(leg.client_order_id)
            settled_elsewhere = order is None or order.order_id in self._oms.inflight
            if not settled_elsewhere and order.status in OPEN:
                try:
                    await self._reconciler.resolve(order)
                except Exception as exc:  # the venue does not answer: ask again
                    leg.reason = f"outcome unknown: {type(exc).__name__}"
            self._update(leg)
            if not leg.resolved:
                await asyncio.sleep(RESOLVE_POLL_S)

    def _outcome(self, trade: ArbitrageTrade, bound: Decimal) -> None:
        gap = trade.gap()
        trade.residual = float(gap)
        trade.residual_bound = float(bound)
        trade.realised_edge, trade.realised_edge_bps = self._edge(trade)
        unresolved = [leg.client_order_id for leg in trade.legs if not leg.resolved]
        if unresolved:
            trade.status = UNRESOLVED
            trade.message = f"outcome unknown for {', '.join(unresolved)}: settled again later"
        elif abs(gap) >= bound:
            trade.status = EXPOSED
            trade.message = f"residual {gap} {trade.symbol.split('/')[0]} beyond {bound}"
        elif trade.filled("buy") == 0 and trade.filled("sell") == 0:
            trade.status, trade.message = MISSED, "nothing filled"
        elif any(leg.role == UNWIND and leg.filled > 0 for leg in trade.legs):
            trade.status, trade.message = UNWOUND, "the lagging leg failed: unwound at market"
        elif any(leg.role == RETRY and leg.filled > 0 for leg in trade.legs):
            trade.status, trade.message = HEDGED, "the lagging leg was retried within the bound"
        else:
            trade.status, trade.message = COMPLETED, ""
        failed = [
            f"{leg.client_order_id}: {leg.reason}"
            for leg in trade.legs
            if leg.role in OPENING and leg.reason and leg.filled < leg.amount
        ]
        if failed and trade.status != UNRESOLVED:
            trade.message = "; ".join(filter(None, [trade.message, *failed]))[:1000]

    def _edge(self, trade: ArbitrageTrade) -> tuple[float, float | None]:
        """Quote currency earned net of taker fees over every leg; in bps of what was matched."""
        earned = Decimal(0)
        for leg in trade.legs:
            if leg.filled <= 0 or leg.average is None:
                continue
            fee = dec(self._oms.rules(leg.exchange, trade.symbol).taker_fee)
            value = dec(leg.filled) * dec(leg.average)
            earned += value * (1 - fee) if leg.side == "sell" else -value * (1 + fee)
        matched = min(trade.filled("buy"), trade.filled("sell"))
        if matched <= 0:
            return float(earned), None
        return float(earned), float(earned / (matched * dec(trade.buy_price)) * 10_000)

    @staticmethod
    def _log(trade: ArbitrageTrade) -> None:
        extra = {
            "trade_id": trade.trade_id,
            "status": trade.status,
            "symbol": trade.symbol,
            "buy_exchange": trade.buy_exchange,
            "sell_exchange": trade.sell_exchange,
            "bought": float(trade.filled("buy")),
            "sold": float(trade.filled("sell")),
            "residual": trade.residual,
            "realised_edge": trade.realised_edge,
            "detail": trade.message,
        }
        if trade.status == EXPOSED:
            log.error("arbitrage trade left exposed", extra=extra)
        else:
            log.info("arbitrage trade settled", extra=extra)
