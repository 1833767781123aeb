"""Moving-average crossover: long when the fast average crosses above the slow one, flat below."""

from __future__ import annotations

from deltaworks_exec.strategies.api import Bar, Context, Strategy, Trade
from deltaworks_exec.strategies.indicators import SMA


class MovingAverageCross(Strategy):
    """Buys ``amount`` of ``symbol`` on an upward cross, sells the holding on a downward one.

    Works on trades (their prices) or on bars (their closes), whichever the run delivers.
    """

    name = "ma_cross"

    def __init__(self, symbol: str, fast: int = 20, slow: int = 50, amount: float = 0.1) -> None:
        if not 0 < fast < slow:
            raise ValueError(f"need 0 < fast < slow, got fast={fast} slow={slow}")
        self.symbol = symbol
        self.fast, self.slow, self.amount = fast, slow, amount
        self._fast = SMA(fast)
        self._slow = SMA(slow)
        self._above: bool | None = None
        self.long = False

    def params(self) -> dict[str, object]:
        return {"symbol": self.symbol, "fast": self.fast, "slow": self.slow, "amount": self.amount}

    def on_trade(self, ctx: Context, trade: Trade) -> None:
        self._price(ctx, trade.price)

    def on_bar(self, ctx: Context, bar: Bar) -> None:
        self._price(ctx, bar.close)

    def _price(self, ctx: Context, price: float) -> None:
        fast = self._fast.update(price)
        slow = self._slow.update(price)
        if slow is None:
            return
        above = fast > slow
        if above == self._above:
            return
        crossed = self._above is not None
        self._above = above
        if not crossed:
            return
        if above and not self.long:
            self.long = True
            ctx.submit(self.symbol, "buy", self.amount)
        elif not above and self.long:
            self.long = False
            ctx.submit(self.symbol, "sell", ctx.position(self.symbol))
