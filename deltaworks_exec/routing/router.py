"""Smart order routing: split a parent order over several venues by their consolidated book.

Every level of every venue's book is ranked by its price after the taker
fee (buys: price x (1 + fee), sells: price x (1 - fee)); the best levels are
taken until the amount is covered, within what each venue's balance allows
(buys: quote including fees, sells: base). Each venue's share is truncated to
its step; a share below the venue's minimum is dropped and the split redone
without that venue. Execution sends one IOC limit order per venue at the worst
price planned there, so it never walks further than planned; the result
reports the expected and the realised average price.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from deltaworks_core.models import Order, Side
from deltaworks_exec.order_sinks import OrderSink, VenueOrders
from deltaworks_exec.quantities import dec, minimum_amount, to_step
from deltaworks_exec.venue import MarketRules, OrderBook, OrderRequest, Venue


@dataclass(frozen=True, slots=True)
class VenueQuote:
    """What the router knows of one venue: its book, its rules and what we can spend."""

    book: OrderBook
    rules: MarketRules
    capacity: float  # buys: quote balance; sells: base balance


@dataclass(frozen=True, slots=True)
class Allocation:
    venue: str
    amount: float
    average: float  # expected average price, before fees
    worst_price: float
    fee: float  # expected taker fee in quote


@dataclass(frozen=True, slots=True)
class RoutePlan:
    symbol: str
    side: Side
    amount: float
    allocations: tuple[Allocation, ...]

    @property
    def planned(self) -> float:
        return sum(a.amount for a in self.allocations)

    @property
    def expected_average(self) -> float | None:
        planned = self.planned
        return sum(a.amount * a.average for a in self.allocations) / planned if planned else None


@dataclass(frozen=True, slots=True)
class RouteResult:
    plan: RoutePlan
    orders: tuple[Order, ...]

    @property
    def filled(self) -> float:
        return sum(o.filled for o in self.orders)

    @property
    def realised_average(self) -> float | None:
        filled = self.filled
        cost = sum(o.filled * (o.average or 0.0) for o in self.orders)
        return cost / filled if filled else None

    @property
    def slippage_bps(self) -> float | None:
        """Realised against expected average, positive when worse for us."""
        expected, realised = self.plan.expected_average, self.realised_average
        if expected is None or realised is None:
            return None
        sign = 1 if self.plan.side == "buy" else -1
        return sign * (realised / expected - 1) * 10_000


def _take(
    quotes: Mapping[str, VenueQuote], side: Side, amount: Decimal
) -> dict[str, list[tuple[float, Decimal]]]:
    """Greedy fill over the fee-adjusted consolidated book: venue -> [(price, amount)]."""
    buy = side == "buy"
    levels = []
    for name, quote in quotes.items():
        fee = quote.rules.taker_fee
        for price, size in quote.book.asks if buy else quote.book.bids:
            effective = price * (1 + fee) if buy else price * (1 - fee)
            levels.append((effective if buy else -effective, name, price, dec(size)))
    levels.sort(key=lambda level: level[0])
    left = amount
    budget = {name: dec(q.capacity) for name, q in quotes.items()}
    taken: dict[str, list[tuple[float, Decimal]]] = {name: [] for name in quotes}
    for _, name, price, size in levels:
        if left <= 0:
            break
        fee = dec(quotes[name].rules.taker_fee)
        unit_cost = dec(price) * (1 + fee) if buy else Decimal(1)
        take = min(size, left, budget[name] / unit_cost)
        take = to_step(take, quotes[name].rules.amount_increment)
        if take <= 0:
            continue
        taken[name].append((price, take))
        budget[name] -= take * unit_cost
        left -= take
    return taken


def allocate(quotes: Mapping[str, VenueQuote], side: Side, amount: float) -> RoutePlan:
    """The split of ``amount`` over ``quotes`` (pure: books, rules and balances given)."""
    candidates = dict(quotes)
    symbol = next(iter(quotes.values())).book.symbol
    while True:
        taken = _take(candidates, side, dec(amount))
        allocations = []
        too_small = []
        for name, fills in taken.items():
            size = sum((q for _, q in fills), Decimal(0))
            if size <= 0:
                continue
            average = float(sum(dec(p) * q for p, q in fills) / size)
            rules = candidates[name].rules
            if size < minimum_amount(rules, average):
                too_small.append(name)
                continue
            worst = max(p for p, _ in fills) if side == "buy" else min(p for p, _ in fills)
            fee = float(size) * average * rules.taker_fee
            allocations.append(Allocation(name, float(size), average, worst, fee))
        if not too_small:
            return RoutePlan(symbol, side, amount, tuple(allocations))
        for name in too_small:
            del candidates[name]


async def quote_venues(
    venues: Mapping[str, Venue], symbol: str, side: Side, depth: int = 50
) -> dict[str, VenueQuote]:
    """Books, rules and free balances of ``symbol`` on every venue."""
    quotes = {}
    for name, venue in venues.items():
        rules = venue.rules(symbol)
        balances = await venue.balances()
        asset = rules.quote if side == "buy" else rules.base
        free = balances[asset].free if asset in balances else 0.0
        quotes[name] = VenueQuote(await venue.order_book(symbol, depth), rules, free)
    return quotes


async def route(
    venues: Mapping[str, Venue],
    symbol: str,
    side: Side,
    amount: float,
    route_id: str,
    orders: Mapping[str, OrderSink] | None = None,
) -> RouteResult:
    """Plan and execute: one IOC child per venue, ids ``{route_id}-{venue}``."""
    plan = allocate(await quote_venues(venues, symbol, side), side, amount)
    sinks = orders or {name: VenueOrders(venue) for name, venue in venues.items()}
    requests = [
        OrderRequest(
            client_order_id=f"{route_id}-{a.venue}",
            symbol=symbol,
            side=side,
            type="limit",
            amount=a.amount,
            price=a.worst_price,
            time_in_force="IOC",
        )
        for a in plan.allocations
    ]
    filled = await asyncio.gather(
        *(sinks[a.venue].submit(r) for a, r in zip(plan.allocations, requests, strict=True))
    )
    return RouteResult(plan, tuple(filled))
