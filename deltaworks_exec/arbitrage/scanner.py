"""Cross-venue arbitrage scanner: top of book on every pair of venues, net of taker fees.

Buying at venue A's best ask and selling at venue B's best bid earns the gross
edge ``(bid_B - ask_A) / ask_A``; the net edge takes both taker fees off
(``bid_B x (1 - fee_B) - ask_A x (1 + fee_A)``). Opportunities whose net edge
reaches ``min_edge_bps`` are recorded (``arbitrage_opportunities``) with the
amount both tops can carry. Execution is off by default; when on, both legs
are sent at once as IOC limit orders at the quoted prices, sized within
``max_notional`` and both venues' free balances, through the given order
sinks (the OMS in the service, so risk checks apply). One leg can fill
without the other: the result reports both and the scanner does not retry.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from deltaworks_core.models import Order, utc_from_ms
from deltaworks_core.questdb import QuestDBWriter
from deltaworks_exec.clock import Clock
from deltaworks_exec.order_sinks import OrderSink, VenueOrders
from deltaworks_exec.quantities import dec, minimum_amount, to_step
from deltaworks_exec.venue import OrderRequest, Venue

TABLE = "arbitrage_opportunities"


@dataclass(frozen=True, slots=True)
class Top:
    """Best bid and ask of one venue with their sizes, and its taker fee."""

    bid: float
    bid_size: float
    ask: float
    ask_size: float
    taker_fee: float


@dataclass(frozen=True, slots=True)
class Opportunity:
    ts: datetime
    symbol: str
    buy_exchange: str
    sell_exchange: str
    buy_price: float
    sell_price: float
    amount: float
    gross_edge_bps: float
    net_edge_bps: float


def find_opportunities(
    ts: datetime, symbol: str, tops: Mapping[str, Top], min_edge_bps: float
) -> list[Opportunity]:
    """Every (buy venue, sell venue) pair whose net edge is at least ``min_edge_bps``."""
    found = []
    for (buy, a), (sell, b) in itertools.permutations(tops.items(), 2):
        gross = (b.bid - a.ask) / a.ask * 10_000
        net = (b.bid * (1 - b.taker_fee) - a.ask * (1 + a.taker_fee)) / a.ask * 10_000
        if net >= min_edge_bps:
            amount = min(a.ask_size, b.bid_size)
            found.append(Opportunity(ts, symbol, buy, sell, a.ask, b.bid, amount, gross, net))
    return found


class OpportunitySink(Protocol):
    def record(self, opportunities: list[Opportunity]) -> None: ...


class QuestDBOpportunities:
    """Writes opportunities to ``arbitrage_opportunities`` (key: ts, symbol, both venues)."""

    def __init__(self, writer: QuestDBWriter) -> None:
        self._writer = writer

    def record(self, opportunities: list[Opportunity]) -> None:
        self._writer.write_rows(
            TABLE,
            [asdict(o) for o in opportunities],
            symbols=("symbol", "buy_exchange", "sell_exchange"),
        )


@dataclass(frozen=True, slots=True)
class ArbitrageTrade:
    """Both legs of one trade; a leg that failed is ``None`` with its error in ``errors``."""

    opportunity: Opportunity
    buy: Order | None
    sell: Order | None
    errors: tuple[str, ...] = ()


class ArbitrageScanner:
    """Scans ``symbols`` across ``venues`` every ``interval_s`` of the clock."""

    def __init__(
        self,
        venues: Mapping[str, Venue],
        symbols: list[str],
        clock: Clock,
        min_edge_bps: float = 0.0,
        sink: OpportunitySink | None = None,
        execute: bool = False,
        max_notional: float = 1_000.0,
        orders: Mapping[str, OrderSink] | None = None,
    ) -> None:
        if len(venues) < 2:
            raise ValueError("arbitrage needs at least two venues")
        self.venues = dict(venues)
        self.symbols = symbols
        self.clock = clock
        self.min_edge_bps = min_edge_bps
        self.sink = sink
        self.execute = execute
        self.max_notional = max_notional
        self.orders = orders or {name: VenueOrders(v) for name, v in venues.items()}
        self.trades: list[ArbitrageTrade] = []
        self._trade_no = 0

    async def _top(self, venue: Venue, symbol: str) -> Top | None:
        book = await venue.order_book(symbol, depth=1)
        if not book.bids or not book.asks:
            return None
        fee = venue.rules(symbol).taker_fee
        return Top(book.bids[0][0], book.bids[0][1], book.asks[0][0], book.asks[0][1], fee)

    async def scan_once(self) -> list[Opportunity]:
        """One pass over every symbol; records and (when enabled) trades what it finds."""
        ts = utc_from_ms(self.clock.now_ms())
        found: list[Opportunity] = []
        for symbol in self.symbols:
            tops = {}
            for name, venue in self.venues.items():
                top = await self._top(venue, symbol)
                if top is not None:
                    tops[name] = top
            found.extend(find_opportunities(ts, symbol, tops, self.min_edge_bps))
        if found and self.sink is not None:
            self.sink.record(found)
        if self.execute:
            for opportunity in found:
                await self._trade(opportunity)
        return found

    async def run(self, interval_s: float, until_ms: int) -> list[Opportunity]:
        """Scan every ``interval_s`` until ``until_ms``; returns everything found."""
        found = []
        while self.clock.now_ms() < until_ms:
            found.extend(await self.scan_once())
            await self.clock.sleep(interval_s)
        return found

    async def _size(self, o: Opportunity) -> Decimal:
        buy_venue, sell_venue = self.venues[o.buy_exchange], self.venues[o.sell_exchange]
        rules = buy_venue.rules(o.symbol)
        quote_free = (await buy_venue.balances()).get(rules.quote)
        base_free = (await sell_venue.balances()).get(rules.base)
        if quote_free is None or base_free is None:
            return Decimal(0)
        limit = min(
            dec(o.amount),
            dec(self.max_notional) / dec(o.buy_price),
            dec(quote_free.free) / (dec(o.buy_price) * (1 + dec(rules.taker_fee))),
            dec(base_free.free),
        )
        step = max(rules.amount_increment, sell_venue.rules(o.symbol).amount_increment)
        amount = to_step(limit, step)
        minimum = max(
            minimum_amount(rules, o.buy_price),
            minimum_amount(sell_venue.rules(o.symbol), o.sell_price),
        )
        return amount if amount >= minimum else Decimal(0)

    async def _trade(self, o: Opportunity) -> None:
        amount = await self._size(o)
        if amount <= 0:
            return
        self._trade_no += 1
        cid = f"arb{self.clock.now_ms()}x{self._trade_no}"
        legs = [
            (
                o.buy_exchange,
                OrderRequest(
                    f"{cid}b",
                    o.symbol,
                    "buy",
                    "limit",
                    float(amount),
                    o.buy_price,
                    time_in_force="IOC",
                ),
            ),
            (
                o.sell_exchange,
                OrderRequest(
                    f"{cid}s",
                    o.symbol,
                    "sell",
                    "limit",
                    float(amount),
                    o.sell_price,
                    time_in_force="IOC",
                ),
            ),
        ]
        results = await asyncio.gather(
            *(self.orders[venue].submit(request) for venue, request in legs),
            return_exceptions=True,
        )
        buy, sell = (r if isinstance(r, Order) else None for r in results)
        errors = tuple(f"{type(r).__name__}: {r}" for r in results if not isinstance(r, Order))
        self.trades.append(ArbitrageTrade(o, buy, sell, errors))
