"""The simulator's exchange engine set up for a backtest: replayed market, chosen fees, cash.

``ReplayEngine`` is ``ExchangeEngine`` with the backtest's fee rates; everything
else (validation, filters, balances, matching, partial fills) is the simulator's
own code. Each traded symbol's synthetic market is replaced by a ``ReplayLiquidity``.
"""

from __future__ import annotations

from collections.abc import Mapping

from deltaworks_core.venues.simulator.clock import SimClock
from deltaworks_core.venues.simulator.engine import ExchangeEngine
from deltaworks_core.venues.simulator.markets import Market
from deltaworks_exec.backtest.data import MarketData
from deltaworks_exec.backtest.liquidity import ReplayLiquidity
from deltaworks_exec.backtest.models import FeeModel, SlippageModel

ACCOUNT = "main"


class ReplayEngine(ExchangeEngine):
    """An ``ExchangeEngine`` charging ``fees`` instead of the simulator's default rates."""

    def __init__(self, name: str, symbols: list[str], clock: SimClock, fees: FeeModel) -> None:
        super().__init__(name, symbols, clock=clock, withdrawals=0, history_days=1)
        self.fees_ppm = fees.ppm()

    def fee_ppm(self, market: Market, maker: bool) -> int:
        return self.fees_ppm[0 if maker else 1]


def build_engine(
    venue: str,
    data: MarketData,
    start_ms: int,
    fees: FeeModel,
    slippage: SlippageModel,
    cash: Mapping[str, float],
) -> ReplayEngine:
    """An engine for ``venue`` whose markets replay ``data`` and whose account holds ``cash``."""
    symbols = data.symbols(venue)
    engine = ReplayEngine(venue, symbols, SimClock(start_ms), fees)
    account = engine.account(ACCOUNT)
    account.spot_free.clear()
    account.margin_free.clear()
    account.margin_borrowed.clear()
    account.futures_wallet = 0
    for asset, amount in cash.items():
        engine.set_balance(ACCOUNT, asset, repr(float(amount)))
    for symbol in symbols:
        tape = data.tape(venue, symbol)
        liquidity = ReplayLiquidity(
            engine.market(symbol), engine.clock, tape.ts_ms, tape.price, tape.amount, slippage
        )
        liquidity.attach(engine.books[symbol])
    return engine
