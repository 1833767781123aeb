"""The simulator's exchange engine set up for a backtest: replayed market, chosen fees, cash.

Everything else (validation, filters, balances, matching, partial fills) is the
simulator's own code. Each traded symbol's synthetic market is replaced by a
``ReplayLiquidity``.
"""

from __future__ import annotations

from collections.abc import Mapping

from deltaworks_core.venues.simulator import ExchangeEngine, SimClock
from deltaworks_exec.backtest.data import MarketData
from deltaworks_exec.backtest.liquidity import ReplayLiquidity
from deltaworks_exec.backtest.models import FeeModel, SlippageModel

ACCOUNT = "main"


def build_engine(
    venue: str,
    data: MarketData,
    start_ms: int,
    fees: FeeModel,
    slippage: SlippageModel,
    cash: Mapping[str, float],
) -> ExchangeEngine:
    """An engine for ``venue`` whose markets replay ``data``, charging ``fees``, whose
    account holds ``cash`` and nothing else."""
    symbols = data.symbols(venue)
    engine = ExchangeEngine(venue, symbols, clock=SimClock(start_ms), withdrawals=0, history_days=1)
    engine.set_fee_rates(*fees.ppm())
    engine.fund_account(ACCOUNT, {asset: repr(float(amount)) for asset, amount in cash.items()})
    for symbol in symbols:
        tape = data.tape(venue, symbol)
        liquidity = ReplayLiquidity(
            engine.market(symbol),
            engine.clock,
            tape.ts_ms,
            tape.price,
            tape.amount,
            slippage,
            data.books.get((venue, symbol)),
        )
        liquidity.attach(engine)
    return engine
