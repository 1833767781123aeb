"""One market's order book: resting user orders, stop orders and the synthetic ladders.

The book knows nothing of accounts: every execution is reported through an
``on_match(maker, price, qty)`` callback (``maker`` is None for synthetic liquidity).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from collections.abc import Callable

from .book import BookSide
from .markets import Market
from .orders import TAKE_PROFIT_TYPES, Order
from .reaction import Depletion
from .synthetic import STEP_MS, Synthetic

SYNTH_LEVELS = 50
TAPE_SIZE = 10_000  # users' trades kept per market (streams and fetch_trades read them)

MatchFn = Callable[[Order | None, int, int], None]


class MarketBook:
    """Order book state of one market on one exchange."""

    __slots__ = (
        "_ladder_step",
        "_ladders",
        "asks",
        "bids",
        "changes",
        "depleted",
        "market",
        "stops_down",
        "stops_up",
        "synth",
        "tape",
    )

    def __init__(self, market: Market, synth: Synthetic) -> None:
        self.market = market
        self.synth = synth
        self.bids = BookSide(True)
        self.asks = BookSide(False)
        self.stops_down: list[tuple[int, int, Order]] = []  # trigger when last <= stop
        self.stops_up: list[tuple[int, int, Order]] = []  # trigger when last >= stop
        self.changes = 0
        self.tape: deque[tuple[int, int, int, int, bool]] = deque(maxlen=TAPE_SIZE)
        self._ladder_step = -1
        self._ladders: tuple[list[list[int]], list[list[int]]] = ([], [])
        model = synth.model
        # (bids, asks) taken by aggressive orders and refilling, with a market model
        self.depleted = (Depletion(model), Depletion(model)) if model else None

    @property
    def active(self) -> bool:
        """True when something here reacts to the passing of time."""
        return bool(self.bids.keys or self.asks.keys or self.stops_down or self.stops_up)

    def update_id(self, step: int) -> int:
        """Monotonic book version: moves with time and with every change of resting orders.

        Kept below 2**53: ccxt parses update ids through floats, and a larger id loses its
        last digits there, which breaks the U == previous u + 1 check of the depth stream."""
        return step * 1_000 + self.changes

    def ladders(self, step: int) -> tuple[list[list[int]], list[list[int]]]:
        """Synthetic (bids, asks) of ``step``, with what takers consumed in that step removed
        (with a market model: what they consumed and did not refill yet)."""
        if step != self._ladder_step:
            if self.depleted is None:
                self._ladders = self.synth.ladders(step, SYNTH_LEVELS)
            else:
                self._ladders = self.synth.ladders(step, self.synth.model.book_levels)
                for ladder, depletion in zip(self._ladders, self.depleted, strict=True):
                    Depletion.apply(ladder, depletion.at(step * STEP_MS))
            self._ladder_step = step
        return self._ladders

    def drop_ladders(self) -> None:
        """Forget the cached ladders (the liquidity source's prices changed)."""
        self._ladder_step = -1

    # -- resting and stop orders -------------------------------------------------------------

    def rest(self, order: Order) -> None:
        (self.bids if order.buy else self.asks).add(order)
        self.changes += 1

    def unrest(self, order: Order) -> None:
        (self.bids if order.buy else self.asks).remove(order)
        self.changes += 1

    @staticmethod
    def triggers_down(order: Order) -> bool:
        """Sell stop-loss and buy take-profit trigger on a falling price."""
        return order.buy == (order.type in TAKE_PROFIT_TYPES)

    def add_stop(self, order: Order) -> None:
        insort(
            self.stops_down if self.triggers_down(order) else self.stops_up,
            (order.stop, order.id, order),
        )

    def remove_stop(self, order: Order) -> None:
        stops = self.stops_down if self.triggers_down(order) else self.stops_up
        del stops[bisect_left(stops, (order.stop, order.id))]

    def pop_triggered(self, last: int) -> list[Order]:
        """Remove and return the stop orders the trade price ``last`` triggers, in id order."""
        out: list[Order] = []
        if self.stops_down and self.stops_down[-1][0] >= last:
            i = bisect_left(self.stops_down, (last, -1))
            out.extend(entry[2] for entry in self.stops_down[i:])
            del self.stops_down[i:]
        if self.stops_up and self.stops_up[0][0] <= last:
            i = bisect_left(self.stops_up, (last + 1, -1))
            out.extend(entry[2] for entry in self.stops_up[:i])
            del self.stops_up[:i]
        out.sort(key=lambda order: order.id)
        return out

    # -- matching ----------------------------------------------------------------------------

    def best_opposite(self, buy: bool, step: int) -> int | None:
        """Best price a taker on side ``buy`` would meet (user or synthetic)."""
        user = (self.asks if buy else self.bids).best()
        ladder = self.ladders(step)[1 if buy else 0]
        synth = next((level[0] for level in ladder if level[1]), None)
        if user is None or synth is None:
            return synth if user is None else user
        return min(user, synth) if buy else max(user, synth)

    def crosses(self, buy: bool, limit: int, step: int) -> bool:
        """True when a taker on side ``buy`` with ``limit`` would match anything now."""
        keys = (self.asks if buy else self.bids).keys
        if keys and ((keys[0] <= limit) if buy else (-keys[0] >= limit)):
            return True
        if step != self._ladder_step:
            self.ladders(step)
        for price, size in self._ladders[1 if buy else 0]:
            if size:
                return price <= limit if buy else price >= limit
        return False

    def _levels(self, buy: bool, step: int) -> list[tuple[int, int]]:
        """Every (price, size) a taker on side ``buy`` could meet now, best first."""
        side = self.asks if buy else self.bids
        levels = [(level[0], level[1]) for level in self.ladders(step)[1 if buy else 0]]
        levels.extend(side.depth(len(side.keys)))
        levels.sort(reverse=not buy)
        return levels

    def available(self, buy: bool, limit: int | None, qty: int, step: int) -> tuple[int, int]:
        """(steps, sum of steps*ticks) a taker could fill up to ``qty`` within ``limit``."""
        got = cost = 0
        for price, size in self._levels(buy, step):
            if got >= qty or (limit is not None and (price > limit if buy else price < limit)):
                break
            take = min(size, qty - got)
            got += take
            cost += take * price
        return got, cost

    def qty_for_quote(self, buy: bool, budget: int, step: int) -> int:
        """Steps a market order spending (buy) or raising (sell) ``budget`` steps*ticks fills."""
        got = 0
        for price, size in self._levels(buy, step):
            take = min(size, budget // price)
            got += take
            budget -= take * price
            if take < size:
                break
        return got

    def take(self, buy: bool, limit: int | None, qty: int, step: int, on_match: MatchFn) -> int:
        """Match a taker for ``qty`` steps within ``limit``; returns the steps filled."""
        side = self.asks if buy else self.bids
        keys = side.keys
        if step != self._ladder_step:
            self.ladders(step)
        ladder = self._ladders[1 if buy else 0]
        i, n, left = 0, len(ladder), qty
        synthetic = 0
        while left:
            while i < n and not ladder[i][1]:
                i += 1
            synth = ladder[i][0] if i < n else None
            user = (keys[0] if buy else -keys[0]) if keys else None
            if user is not None and (synth is None or (user <= synth if buy else user >= synth)):
                if limit is not None and (user > limit if buy else user < limit):
                    break
                maker = side.levels[keys[0]][0]
                q = maker.qty - maker.filled
                if q > left:
                    q = left
                on_match(maker, user, q)
                if maker.filled >= maker.qty:
                    side.pop_front(keys[0])
                self.changes += 1
            elif synth is not None:
                if limit is not None and (synth > limit if buy else synth < limit):
                    break
                q = ladder[i][1]
                if q > left:
                    q = left
                ladder[i][1] -= q
                synthetic += q
                on_match(None, synth, q)
            else:
                break
            left -= q
        if synthetic and self.depleted is not None:
            self._react(buy, synthetic, step * STEP_MS)
        return qty - left

    def _react(self, buy: bool, steps: int, t_ms: int) -> None:
        """The market model's answer to an aggressive order that took ``steps`` of the
        ladders: the price moves, the side it took from refills slowly."""
        assert self.depleted is not None and self.synth.impact is not None
        self.depleted[0 if not buy else 1].take(t_ms, steps)
        self.synth.impact.receive(t_ms, steps if buy else -steps)
        self._ladder_step = -1  # rebuilt around the moved mid, less what is still missing

    def trade_through(self, step: int, on_match: MatchFn) -> int:
        """Fill resting orders the synthetic trade of ``step`` goes through (as makers, at
        their own price, up to the step's flow); returns the trade price in ticks."""
        last, _, _ = self.synth.trade(step)
        for side, crossed in ((self.bids, lambda p: p >= last), (self.asks, lambda p: p <= last)):
            budget = self.synth.flow(step)
            while budget and side.keys:
                k = side.keys[0]
                price = -k if side.buy else k
                if not crossed(price):
                    break
                maker = side.levels[k][0]
                q = min(budget, maker.qty - maker.filled)
                on_match(maker, price, q)
                if maker.filled >= maker.qty:
                    side.pop_front(k)
                budget -= q
                self.changes += 1
        return last
