"""The strategy's ``Context``, shared by the fast backtest and the live-style runner.

It sizes orders to the market's rules, records every decision with the
arrival price, keeps the strategy's holdings from its own fills (so both
runners answer ``position`` identically) and queues what the strategy sends;
each runner drains the queues its own way: straight into the engine, or
through the ``Venue`` interface.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from deltaworks_core.models import Side
from deltaworks_exec.algos.base import ParentSpec
from deltaworks_exec.backtest.result import Decision, Reject
from deltaworks_exec.quantities import minimum_amount, to_step
from deltaworks_exec.strategies.api import FillEvent, Strategy
from deltaworks_exec.venue import MarketRules, OrderRequest


@dataclass(frozen=True, slots=True)
class Timer:
    """A time the strategy asked to be called back at."""

    tag: str


@dataclass(frozen=True, slots=True)
class AlgoRequest:
    """A parent order the strategy started, for the runner to create on ``venue``."""

    algo: str
    venue: str
    spec: ParentSpec
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Cancel:
    """A cancel on its way to the venue."""

    client_order_id: str


Due = OrderRequest | Timer | Cancel


class RunContext:
    """``Context`` of one run; ``Key`` is (venue, symbol)."""

    def __init__(
        self,
        strategy: Strategy,
        rules: Mapping[tuple[str, str], MarketRules],
        cash: Mapping[str, float],
        latency_ms: int,
        start_ms: int,
    ) -> None:
        self.strategy = strategy
        self.rules = dict(rules)
        self.venues = sorted({venue for venue, _ in rules})
        self.latency_ms = latency_ms
        self._now = start_ms
        self.last: dict[tuple[str, str], float] = {}
        self.holdings: dict[tuple[str, str], float] = {
            (venue, asset): float(amount) for venue in self.venues for asset, amount in cash.items()
        }
        self.decisions: list[Decision] = []
        self.fills: list[FillEvent] = []
        self.rejects: list[Reject] = []
        self.inbox: list[FillEvent] = []
        self.due: list[tuple[int, int, Due, str]] = []  # (at, seq, what, venue)
        self.open: dict[str, str] = {}  # client order id -> venue
        self.closed_at: dict[str, int] = {}  # client order id -> when the runner saw it end
        self.symbol_of: dict[str, str] = {}
        self.algo_requests: list[AlgoRequest | str] = []  # a str cancels that algorithm
        self.algo_ids: set[str] = set()
        self._seq = 0
        self._prefix = strategy.name
        self.next_due = 1 << 62
        self.sink: Callable[[int, Due, str], None] | None = None  # set: items bypass the queue

    # -- Context -------------------------------------------------------------------------------

    @property
    def now_ms(self) -> int:
        return self._now

    def move_to(self, at_ms: int) -> None:
        """The runner's time: what the strategy sees as now from here on."""
        self._now = at_ms

    def _venue(self, venue: str | None) -> str:
        if venue is None:
            return self.venues[0]
        if venue not in self.venues:
            raise ValueError(f"unknown venue {venue!r}; this run has {self.venues}")
        return venue

    def _rules(self, venue: str, symbol: str) -> MarketRules:
        try:
            return self.rules[(venue, symbol)]
        except KeyError:
            raise ValueError(f"{symbol!r} is not traded on {venue!r} in this run") from None

    def position(self, symbol: str, venue: str | None = None) -> float:
        venue = self._venue(venue)
        return self.holdings.get((venue, self._rules(venue, symbol).base), 0.0)

    def cash(self, symbol: str, venue: str | None = None) -> float:
        venue = self._venue(venue)
        return self.holdings.get((venue, self._rules(venue, symbol).quote), 0.0)

    def open_orders(self, symbol: str | None = None) -> list[str]:
        return [cid for cid in self.open if symbol is None or self.symbol_of[cid] == symbol]

    def submit(
        self,
        symbol: str,
        side: Side,
        amount: float,
        price: float | None = None,
        venue: str | None = None,
    ) -> str | None:
        venue = self._venue(venue)
        rules = self._rules(venue, symbol)
        if side not in ("buy", "sell"):
            raise ValueError(f"side must be 'buy' or 'sell', got {side!r}")
        arrival = self.last.get((venue, symbol))
        if arrival is None:
            raise RuntimeError(f"no market price of {symbol} on {venue} yet: wait for an event")
        size = to_step(amount, rules.amount_increment)
        if size <= 0 or size < minimum_amount(rules, price or arrival):
            return None
        if price is not None:
            price = float(to_step(price, rules.price_increment))
        self._seq += 1
        cid = f"{self._prefix}-{self._seq}"
        request = OrderRequest(
            cid, symbol, side, "limit" if price else "market", float(size), price
        )
        self.decisions.append(
            Decision(self._now, venue, symbol, cid, side, float(size), price, arrival)
        )
        self.open[cid] = venue
        self.symbol_of[cid] = symbol
        self._push(self._now + self.latency_ms, request, venue)
        return cid

    def algo(
        self,
        algo: str,
        symbol: str,
        side: Side,
        amount: float,
        params: dict[str, Any],
        venue: str | None = None,
    ) -> str | None:
        venue = self._venue(venue)
        rules = self._rules(venue, symbol)
        arrival = self.last[(venue, symbol)]
        size = to_step(amount, rules.amount_increment)
        if size <= 0 or size < minimum_amount(rules, arrival):
            return None
        self._seq += 1
        algo_id = f"{self._prefix}_{self._seq}"
        spec = ParentSpec(algo_id, venue, symbol, side, float(size))
        self.decisions.append(
            Decision(self._now, venue, symbol, algo_id, side, float(size), None, arrival)
        )
        self.algo_requests.append(AlgoRequest(algo, venue, spec, dict(params)))
        self.algo_ids.add(algo_id)
        return algo_id

    def cancel(self, client_order_id: str) -> None:
        if client_order_id in self.algo_ids:
            self.algo_requests.append(client_order_id)
            return
        venue = self.open.get(client_order_id)
        if venue is not None:
            self._seq += 1
            self._push(self._now + self.latency_ms, Cancel(client_order_id), venue)

    def schedule(self, at_ms: int, tag: str) -> None:
        self._seq += 1
        self._push(max(at_ms, self._now), Timer(tag), "")

    # -- runner side ---------------------------------------------------------------------------

    def _push(self, at: int, what: Due, venue: str) -> None:
        if self.sink is not None:
            self.sink(at, what, venue)
            return
        heapq.heappush(self.due, (at, self._seq, what, venue))
        self.next_due = self.due[0][0]

    def pop_due(self, until_ms: int) -> tuple[int, Due, str] | None:
        """The next queued order, cancel or timer due at or before ``until_ms``."""
        if not self.due or self.due[0][0] > until_ms:
            return None
        at, _, what, venue = heapq.heappop(self.due)
        self.next_due = self.due[0][0] if self.due else 1 << 62
        return at, what, venue

    def fire(self, at: int, timer: Timer) -> None:
        self._now = at
        self.strategy.on_timer(self, timer.tag)

    def record_fill(self, fill: FillEvent) -> None:
        """Book a fill into holdings and the inbox (delivered by ``deliver``)."""
        rules = self.rules[(fill.venue, fill.symbol)]
        base, quote = (fill.venue, rules.base), (fill.venue, rules.quote)
        cost = fill.price * fill.amount
        sign = 1.0 if fill.side == "buy" else -1.0
        self.holdings[base] = self.holdings.get(base, 0.0) + sign * fill.amount
        self.holdings[quote] = self.holdings.get(quote, 0.0) - sign * cost
        fee_key = (fill.venue, fill.fee_currency)
        self.holdings[fee_key] = self.holdings.get(fee_key, 0.0) - fill.fee
        self.fills.append(fill)
        self.inbox.append(fill)

    def closed(self, client_order_id: str) -> None:
        self.open.pop(client_order_id, None)
        self.closed_at.setdefault(client_order_id, self._now)

    def rejected(self, at: int, client_order_id: str, reason: str) -> None:
        self.open.pop(client_order_id, None)
        self.rejects.append(Reject(at, client_order_id, reason))

    def deliver(self) -> None:
        """Hand queued fills to the strategy (never inside the call that sent the order)."""
        while self.inbox:
            batch = self.inbox[:]
            self.inbox.clear()
            for fill in batch:
                self.strategy.on_fill(self, fill)

    def equity(self, value_of: Callable[[str, str], float | None]) -> float:
        """Holdings valued in the quote currency: ``value_of(venue, asset)`` prices an asset."""
        total = 0.0
        for (venue, asset), amount in self.holdings.items():
            if amount:
                price = value_of(venue, asset)
                total += amount * (price or 0.0)
        return total
