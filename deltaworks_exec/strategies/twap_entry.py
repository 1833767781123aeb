"""Moving-average crossover whose entries are worked by the service's TWAP algorithm.

On an upward cross the strategy starts a TWAP (``deltaworks_exec.algos.twap``,
the same parent order the execution service runs live) buying ``amount`` in
``slices`` over ``duration_s``; on a downward cross it cancels the TWAP if it
is still working and sells what it holds at market.
"""

from __future__ import annotations

from deltaworks_exec.strategies.api import Bar, Context, Strategy, Trade
from deltaworks_exec.strategies.indicators import SMA


class TwapEntryCross(Strategy):
    """MA crossover with TWAP entries."""

    name = "twap_entry"

    def __init__(
        self,
        symbol: str,
        fast: int = 10,
        slow: int = 30,
        amount: float = 0.5,
        slices: int = 5,
        duration_s: float = 300.0,
    ) -> None:
        if not 0 < fast < slow or slices < 1 or duration_s <= 0:
            raise ValueError("need 0 < fast < slow, slices >= 1 and duration_s > 0")
        self.symbol = symbol
        self.fast, self.slow, self.amount = fast, slow, amount
        self.slices, self.duration_s = slices, duration_s
        self._fast, self._slow = SMA(fast), SMA(slow)
        self._above: bool | None = None
        self.entry: str | None = None
        self.long = False

    def params(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "fast": self.fast,
            "slow": self.slow,
            "amount": self.amount,
            "slices": self.slices,
            "duration_s": self.duration_s,
        }

    def on_bar(self, ctx: Context, bar: Bar) -> None:
        self._price(ctx, bar.close)

    def on_trade(self, ctx: Context, trade: Trade) -> None:
        self._price(ctx, trade.price)

    def _price(self, ctx: Context, price: float) -> None:
        fast, slow = self._fast.update(price), self._slow.update(price)
        if slow is None:
            return
        above = fast > slow
        if above == self._above:
            return
        crossed, self._above = self._above is not None, above
        if not crossed:
            return
        if above and not self.long:
            self.long = True
            twap = {"duration_s": self.duration_s, "slices": self.slices}
            self.entry = ctx.algo("twap", self.symbol, "buy", self.amount, twap)
        elif not above and self.long:
            self.long = False
            if self.entry is not None:
                ctx.cancel(self.entry)
            ctx.submit(self.symbol, "sell", ctx.position(self.symbol))
