"""Performance of a run: PnL, return, drawdown, Sharpe, turnover, fees, fills, slippage, costs."""

from __future__ import annotations

import math

import numpy as np

from deltaworks_exec.backtest.result import RunResult
from deltaworks_exec.backtest.tca import summary

YEAR_MS = 365 * 24 * 3_600_000


def compute(result: RunResult) -> dict[str, float | int]:
    """Metrics of ``result`` in its quote currency; also stored in ``result.metrics``.

    * ``pnl``, ``return_pct``: final equity against the initial equity;
    * ``max_drawdown_pct``: the largest fall from a running peak of the equity samples;
    * ``sharpe``: mean over standard deviation of the per-interval equity returns,
      annualised with the number of intervals in a year (0 without variation);
    * ``turnover``: traded notional over the initial equity;
    * ``fees``: fees valued in the quote currency (base-asset fees at the fill price);
    * ``slippage_bps``: notional-weighted execution price against the arrival price
      (the market price when the strategy decided), positive when it cost money;
    * ``tca_*``: the transaction-cost analysis of the orders sent (``tca.summary``).
    """
    equity = np.array([value for _, value in result.equity], dtype=float)
    times = np.array([ts for ts, _ in result.equity], dtype=np.int64)
    initial = result.initial_equity
    final = float(equity[-1]) if len(equity) else initial
    peaks = np.maximum.accumulate(equity) if len(equity) else equity
    drawdown = float(np.max((peaks - equity) / peaks)) if len(equity) else 0.0
    sharpe = 0.0
    if len(equity) > 2:
        returns = np.diff(equity) / equity[:-1]
        interval = float(np.median(np.diff(times)))
        sd = float(np.std(returns, ddof=1))
        if sd > 0 and interval > 0:
            sharpe = float(np.mean(returns)) / sd * math.sqrt(YEAR_MS / interval)
    notional = sum(f.price * f.amount for f in result.fills)
    fees = sum(f.fee if f.fee_currency == result.quote else f.fee * f.price for f in result.fills)
    arrival = result.arrivals()
    cost = sum(
        (f.price - arrival[f.client_order_id]) * f.amount * (1 if f.side == "buy" else -1)
        for f in result.fills
        if f.client_order_id in arrival
    )
    arrival_notional = sum(
        arrival[f.client_order_id] * f.amount for f in result.fills if f.client_order_id in arrival
    )
    metrics = {
        "initial_equity": initial,
        "final_equity": final,
        "pnl": final - initial,
        "return_pct": (final / initial - 1) * 100 if initial else 0.0,
        "max_drawdown_pct": drawdown * 100,
        "sharpe": sharpe,
        "turnover": notional / initial if initial else 0.0,
        "fees": fees,
        "orders": len(result.decisions),
        "fills": len(result.fills),
        "rejects": len(result.rejects),
        "slippage_bps": cost / arrival_notional * 10_000 if arrival_notional else 0.0,
        **summary(result.executions),
        "events": result.events,
        "events_per_s": result.events / result.elapsed_s if result.elapsed_s else 0.0,
    }
    result.metrics = metrics
    return metrics
