"""Response bodies of the dashboard's data endpoints (rows read from QuestDB)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class HoldingOut(BaseModel):
    """One asset of one account at the latest snapshot of that account."""

    ts: datetime
    exchange: str
    account_type: str
    asset: str
    free: float | None
    used: float | None
    total: float | None
    quote: str | None
    price: float | None
    value: float | None


class PortfolioPoint(BaseModel):
    """Value of one exchange account type at one snapshot."""

    ts: datetime
    exchange: str
    account_type: str
    quote: str | None
    value: float | None
    unpriced_assets: int | None


class PortfolioOut(BaseModel):
    """The latest value per exchange and account type, and the recent history for a chart."""

    latest: list[PortfolioPoint]
    history: list[PortfolioPoint]


class WithdrawalOut(BaseModel):
    ts: datetime
    exchange: str
    withdrawal_id: str
    kind: str | None
    asset: str | None
    amount: float | None
    fee: float | None
    network: str | None
    address: str | None
    txid: str | None
    status: str | None


class StoredFillOut(BaseModel):
    ts: datetime
    exchange: str
    fill_id: str
    order_id: str | None
    client_order_id: str | None
    symbol: str | None
    side: str | None
    price: float | None
    amount: float | None
    cost: float | None
    fee: float | None
    fee_currency: str | None
    liquidity: str | None


class AlgoProgressOut(BaseModel):
    """The latest progress event of one parent order: ``target`` is what the schedule wants done."""

    ts: datetime
    algo_id: str
    seq: int
    algo: str | None
    status: str | None
    exchange: str | None
    symbol: str | None
    side: str | None
    quantity: float | None
    filled: float | None
    average: float | None
    target: float | None
    children: int | None
    message: str | None
    user_name: str | None = None


class ArbitrageOut(BaseModel):
    ts: datetime
    symbol: str
    buy_exchange: str
    sell_exchange: str
    buy_price: float | None
    sell_price: float | None
    amount: float | None
    gross_edge_bps: float | None
    net_edge_bps: float | None


class BacktestRunOut(BaseModel):
    ts: datetime
    run_id: str
    strategy: str | None
    mode: str | None
    symbols: str | None
    quote: str | None
    start_ts: datetime | None
    end_ts: datetime | None
    initial_equity: float | None
    final_equity: float | None
    pnl: float | None
    return_pct: float | None
    max_drawdown_pct: float | None
    sharpe: float | None
    fees: float | None
    fills: int | None
    slippage_bps: float | None


class EquityPoint(BaseModel):
    ts: datetime
    equity: float | None
    drawdown_pct: float | None
