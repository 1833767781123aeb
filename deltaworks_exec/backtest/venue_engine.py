"""The simulator's exchange engine set up for a backtest: replayed market, chosen fees, cash.

``ReplayEngine`` is ``ExchangeEngine`` with per-engine fee rates (the engine
reads its module-wide ``FEES_PPM``); everything else (validation, filters,
balances, matching, partial fills) is the simulator's own code. Each traded
symbol's synthetic market is replaced by a ``ReplayLiquidity``.
"""

from __future__ import annotations

from collections.abc import Mapping

from deltaworks_core.venues.simulator.accounts import futures_settle, spot_settle
from deltaworks_core.venues.simulator.clock import SimClock
from deltaworks_core.venues.simulator.engine import ExchangeEngine
from deltaworks_core.venues.simulator.orders import Fill, Order
from deltaworks_exec.backtest.data import MarketData
from deltaworks_exec.backtest.liquidity import ReplayLiquidity
from deltaworks_exec.backtest.models import FeeModel, SlippageModel

ACCOUNT = "main"


class ReplayEngine(ExchangeEngine):
    """An ``ExchangeEngine`` charging ``fees`` instead of the simulator's default rates."""

    def __init__(self, name: str, symbols: list[str], clock: SimClock, fees: FeeModel) -> None:
        super().__init__(name, symbols, clock=clock, withdrawals=0, history_days=1)
        self.fees_ppm = fees.ppm()

    def _fill(self, order: Order, price: int, qty: int, maker: bool) -> None:
        # ExchangeEngine._fill with this engine's rates (see test_replay_engine_is_the_engine).
        m = order.market
        acct = order.acct
        fee_ppm = self.fees_ppm[0 if maker else 1]
        pnl = 0
        if m.linear:
            fee, pnl = futures_settle(acct, order, price, qty, fee_ppm, self._t)
            fee_asset = m.quote
        else:
            fee, fee_asset = spot_settle(acct, order, price, qty, fee_ppm)
        quote = qty * price * m.notional_atoms_per_unit
        order.filled += qty
        order.quote += quote
        order.commission += fee
        order.update = self._t
        acct.update = self._t
        fill = Fill(self._next_fill, order.id, order.account, m, price, qty, quote, fee,
                    fee_asset, self._t, order.buy, maker, pnl)  # fmt: skip
        self._next_fill += 1
        self._fills[(order.account, m.symbol)].append(fill)
        self.events += 1
        if order.filled >= order.qty:
            order.status = "FILLED"
            self._close(order)
        else:
            order.status = "PARTIALLY_FILLED"
        if self._listeners:
            self._notify(order, fill)


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
