"""Cross-venue arbitrage scanner: top of book on every pair of venues, net of taker fees.

Buying at venue A's best ask and selling at venue B's best bid earns the gross
edge ``(bid_B - ask_A) / ask_A``; the net edge takes both taker fees off
(``bid_B x (1 - fee_B) - ask_A x (1 + fee_A)``). Opportunities whose net edge
reaches ``min_edge_bps`` are recorded (``arbitrage_opportunities``) with the
amount both tops can carry. The scanner never trades: the service's
``ArbitrageExecutor`` does, through the OMS, with a hedging policy.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Protocol

from deltaworks_core.models import utc_from_ms
from deltaworks_core.questdb import QuestDBWriter
from deltaworks_exec.clock import Clock
from deltaworks_exec.venue import Venue

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


class ArbitrageScanner:
    """Scans ``symbols`` across ``venues`` (``scan_once``, as often as the caller likes)."""

    def __init__(
        self,
        venues: Mapping[str, Venue],
        symbols: list[str],
        clock: Clock,
        min_edge_bps: float = 0.0,
        sink: OpportunitySink | None = None,
    ) -> None:
        if len(venues) < 2:
            raise ValueError("arbitrage needs at least two venues")
        self.venues = dict(venues)
        self.symbols = symbols
        self.clock = clock
        self.min_edge_bps = min_edge_bps
        self.sink = sink

    async def _top(self, venue: Venue, symbol: str) -> Top | None:
        book = await venue.order_book(symbol, depth=1)
        if not book.bids or not book.asks:
            return None
        fee = venue.rules(symbol).taker_fee
        return Top(book.bids[0][0], book.bids[0][1], book.asks[0][0], book.asks[0][1], fee)

    async def scan_once(self) -> list[Opportunity]:
        """One pass over every symbol; records what it finds."""
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
        return found
