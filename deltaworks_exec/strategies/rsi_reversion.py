"""RSI mean reversion: buy when oversold, sell when the RSI recovers past the exit level."""

from __future__ import annotations

from deltaworks_exec.strategies.api import Bar, Context, Strategy, Trade
from deltaworks_exec.strategies.indicators import RSI


class RsiReversion(Strategy):
    """Buys ``amount`` when RSI(``period``) < ``oversold``; sells it all when RSI > ``exit``."""

    name = "rsi_reversion"

    def __init__(
        self,
        symbol: str,
        period: int = 14,
        oversold: float = 30.0,
        exit: float = 55.0,
        amount: float = 0.1,
    ) -> None:
        if not 0 < oversold < exit < 100:
            raise ValueError(f"need 0 < oversold < exit < 100, got {oversold}, {exit}")
        self.symbol = symbol
        self.period, self.oversold, self.exit, self.amount = period, oversold, exit, amount
        self._rsi = RSI(period)
        self.long = False

    def params(self) -> dict[str, object]:
        return {
            "symbol": self.symbol,
            "period": self.period,
            "oversold": self.oversold,
            "exit": self.exit,
            "amount": self.amount,
        }

    def on_bar(self, ctx: Context, bar: Bar) -> None:
        self._price(ctx, bar.close)

    def on_trade(self, ctx: Context, trade: Trade) -> None:
        self._price(ctx, trade.price)

    def _price(self, ctx: Context, price: float) -> None:
        rsi = self._rsi.update(price)
        if rsi is None:
            return
        if not self.long and rsi < self.oversold:
            self.long = True
            ctx.submit(self.symbol, "buy", self.amount)
        elif self.long and rsi > self.exit:
            self.long = False
            ctx.submit(self.symbol, "sell", ctx.position(self.symbol))
