-- Backtest runs made in the time range, newest first, with their headline metrics.
SELECT ts, run_id, strategy, mode, symbols, start_ts, end_ts, pnl, return_pct,
    max_drawdown_pct, sharpe, turnover, fees, fills, slippage_bps, tca_shortfall_bps, events_per_s
FROM backtest_runs
WHERE $__timeFilter(ts)
ORDER BY ts DESC
