"""The service's arbitrage executor: opt-in per symbol and venue pair, through the OMS.

Every scan interval, each enabled pair's two books are compared (``find_opportunities``
net of both taker fees); only the better direction is traded, only when its net edge
reaches the pair's positive ``min_edge_bps``, and only when the pair has no trade still
settling. Both legs are IOC limit orders at the quoted prices, sent at once through
the OMS (risk checks, write-ahead, idempotent client ids); ``Settlement`` applies the
hedging policy and persists the outcome in ``arbitrage_trades``. On start, trades that
had not reached an outcome are settled again from their legs' client order ids.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from deltaworks_core.models import utc_from_ms
from deltaworks_exec.arbitrage.pairs import (
    DEFAULT_RETRY_BOUND_BPS,
    ArbitragePair,
    PairConfigError,
    pairs_from_control,
    validate_pair,
)
from deltaworks_exec.arbitrage.scanner import Opportunity, Top, find_opportunities
from deltaworks_exec.arbitrage.settlement import Settlement
from deltaworks_exec.arbitrage.trades import OUTCOMES, UNRESOLVED, ArbitrageTrade, TradeStore
from deltaworks_exec.clock import Clock
from deltaworks_exec.marketdata import BookCache
from deltaworks_exec.oms.bus import EventBus
from deltaworks_exec.oms.journal import Journal
from deltaworks_exec.oms.manager import OrderManager
from deltaworks_exec.oms.reconcile import Reconciler
from deltaworks_exec.quantities import dec, minimum_amount, to_step

log = logging.getLogger(__name__)


class UnknownTradeError(KeyError):
    def __init__(self, trade_id: str) -> None:
        super().__init__(trade_id)
        self.message = f"unknown arbitrage trade {trade_id!r}"


class ArbitrageExecutor:
    """Enabled pairs, their scans and their trades."""

    def __init__(
        self,
        oms: OrderManager,
        reconciler: Reconciler,
        *,
        market: BookCache,
        journal: Journal,
        store: TradeStore,
        bus: EventBus,
        clock: Clock,
        configured: Mapping[str, Sequence[str]],
        scan_interval_s: float = 1.0,
        leg_timeout_s: float = 5.0,
    ) -> None:
        self._oms = oms
        self._market = market
        self._journal = journal
        self._store = store
        self._bus = bus
        self._clock = clock
        self._configured = configured
        self.settlement = Settlement(oms, reconciler, self.save, leg_timeout_s)
        self.scan_interval_s = scan_interval_s
        self.pairs: dict[str, ArbitragePair] = {}
        self.trades: dict[str, ArbitrageTrade] = {}  # trades still without an outcome
        self._busy: dict[str, asyncio.Task[None]] = {}

    # ---- configuration ----------------------------------------------------------------

    async def configure(
        self,
        symbol: str,
        exchanges: Sequence[str],
        amount: float,
        min_edge_bps: float,
        retry_bound_bps: float = DEFAULT_RETRY_BOUND_BPS,
    ) -> ArbitragePair:
        """Enable (or change) a pair; ``PairConfigError`` names what is wrong."""
        pair = validate_pair(
            symbol, exchanges, amount, min_edge_bps, retry_bound_bps, self._configured
        )
        await self._keep(pair)
        return pair

    async def disable(self, pair_key: str) -> ArbitragePair:
        """Stop trading a pair (a trade still settling finishes)."""
        pair = self.pairs.get(pair_key)
        if pair is None:
            raise PairConfigError("pair_id", f"no arbitrage pair {pair_key!r}")
        disabled = dataclasses.replace(pair, enabled=False)
        await self._keep(disabled)
        return disabled

    async def _keep(self, pair: ArbitragePair) -> None:
        key, value = pair.control_row()
        row = {"ts_us": self._oms.now_us(), "key": key, "value": value, "reason": None}
        await self._journal.write(control=[row])
        self.pairs[pair.pair_id] = pair
        log.info("arbitrage pair configured", extra=pair.public())

    # ---- recovery ---------------------------------------------------------------------

    async def recover(self, control: Mapping[str, str]) -> list[ArbitrageTrade]:
        """Pairs from ``exec_control``; every trade without an outcome settled again."""
        for pair in pairs_from_control(control):
            self.pairs[pair.pair_id] = pair
        pending = [
            t for t in await asyncio.to_thread(self._store.latest) if t.status not in OUTCOMES
        ]
        by_pair: dict[str, list[ArbitrageTrade]] = {}
        for trade in pending:
            log.info("arbitrage trade recovered", extra={"trade_id": trade.trade_id})
            self.trades[trade.trade_id] = trade
            by_pair.setdefault(trade.pair_id, []).append(trade)
        for key, trades in by_pair.items():
            self._start(key, self._settle_each(trades))
        return pending

    async def _settle_each(self, trades: list[ArbitrageTrade]) -> None:
        for trade in trades:
            await self.settlement.settle(trade)

    # ---- scanning and trading ---------------------------------------------------------

    async def run(self) -> None:
        """Scan every enabled pair every ``scan_interval_s``; settle unresolved trades."""
        while True:
            # Trades with an outcome are read back from arbitrage_trades from now on.
            self.trades = {k: t for k, t in self.trades.items() if t.status not in OUTCOMES}
            for trade in list(self.trades.values()):
                if trade.status == UNRESOLVED and trade.pair_id not in self._busy:
                    self._start(trade.pair_id, self.settlement.settle(trade))
            for pair in list(self.pairs.values()):
                if pair.enabled and pair.pair_id not in self._busy and not self._oms.kill_switch:
                    self._start(pair.pair_id, self._scan_and_trade(pair))
            await asyncio.sleep(self.scan_interval_s)

    async def detach(self) -> None:
        """Stop scanning and settling (service shutdown); unsettled trades resume at start."""
        tasks = list(self._busy.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _start(self, key: str, work: Any) -> None:
        task = asyncio.create_task(work, name=f"arbitrage-{key}")
        self._busy[key] = task
        task.add_done_callback(lambda t: self._done(key, t))

    def _done(self, key: str, task: asyncio.Task[None]) -> None:
        self._busy.pop(key, None)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "arbitrage work failed", extra={"pair_id": key, "error": repr(task.exception())}
            )

    async def _scan_and_trade(self, pair: ArbitragePair) -> None:
        opportunity = await self.scan(pair)
        if opportunity is not None:
            await self.execute(pair, opportunity)

    async def scan(self, pair: ArbitragePair) -> Opportunity | None:
        """The better direction of ``pair`` when its net edge reaches ``min_edge_bps``."""
        tops: dict[str, Top] = {}
        for name in pair.exchanges:
            try:
                book = await self._market.book(name, pair.symbol)
            except Exception as exc:  # a venue that does not answer offers nothing
                log.debug("arbitrage scan: no book", extra={"venue": name, "error": repr(exc)})
                return None
            if not book.bids or not book.asks:
                return None
            fee = self._oms.rules(name, pair.symbol).taker_fee
            bid, ask = book.bids[0], book.asks[0]
            tops[name] = Top(bid[0], bid[1], ask[0], ask[1], fee)
        ts = utc_from_ms(self._clock.now_ms())
        found = find_opportunities(ts, pair.symbol, tops, pair.min_edge_bps)
        return max(found, key=lambda o: o.net_edge_bps, default=None)

    def size(self, pair: ArbitragePair, o: Opportunity) -> Decimal:
        """What both tops, both balances and the pair's size allow; 0 below either minimum."""
        buy_rules = self._oms.rules(o.buy_exchange, o.symbol)
        sell_rules = self._oms.rules(o.sell_exchange, o.symbol)
        quote = self._oms.balances.get(o.buy_exchange, {}).get(buy_rules.quote)
        base = self._oms.balances.get(o.sell_exchange, {}).get(sell_rules.base)
        if quote is None or base is None:
            return Decimal(0)
        limit = min(
            dec(pair.amount),
            dec(o.amount),
            dec(quote.free) / (dec(o.buy_price) * (1 + dec(buy_rules.taker_fee))),
            dec(base.free),
        )
        amount = to_step(limit, max(buy_rules.amount_increment, sell_rules.amount_increment))
        minimum = max(
            minimum_amount(buy_rules, o.buy_price), minimum_amount(sell_rules, o.sell_price)
        )
        return amount if amount >= minimum else Decimal(0)

    async def execute(self, pair: ArbitragePair, o: Opportunity) -> ArbitrageTrade | None:
        """Trade ``o`` on ``pair`` by the policy; None when it is too small to trade."""
        amount = self.size(pair, o)
        if amount <= 0:
            return None
        trade = ArbitrageTrade(
            trade_id=f"arb{uuid.uuid4().hex[:12]}",
            pair_id=pair.pair_id,
            symbol=o.symbol,
            buy_exchange=o.buy_exchange,
            sell_exchange=o.sell_exchange,
            amount=float(amount),
            buy_price=o.buy_price,
            sell_price=o.sell_price,
            expected_edge_bps=o.net_edge_bps,
            retry_bound_bps=pair.retry_bound_bps,
        )
        self.trades[trade.trade_id] = trade
        await self.settlement.open(trade)
        return trade

    async def save(self, trade: ArbitrageTrade) -> None:
        """Persist the trade's new state (committed before it returns), then publish it."""
        trade.seq += 1
        trade.ts_us = max(self._oms.now_us(), trade.ts_us + 1)
        await asyncio.to_thread(self._store.save, trade)
        self._bus.publish("arbitrage", trade.public())

    # ---- reads ------------------------------------------------------------------------

    async def list_trades(self, status: str | None = None) -> list[dict[str, Any]]:
        """Every trade (this run's state first, then ``arbitrage_trades``), newest first."""
        stored = await asyncio.to_thread(self._store.latest)
        rows = {t.trade_id: t for t in stored}
        rows.update(self.trades)
        trades = sorted(rows.values(), key=lambda t: t.ts_us, reverse=True)
        return [t.public() for t in trades if status in (None, t.status)]

    async def trade(self, trade_id: str) -> dict[str, Any]:
        if trade_id in self.trades:
            return self.trades[trade_id].public()
        found = await asyncio.to_thread(self._store.latest, trade_id)
        if not found:
            raise UnknownTradeError(trade_id)
        return found[0].public()
