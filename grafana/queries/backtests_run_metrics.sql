-- Headline metrics of the selected run.
SELECT pnl, return_pct, max_drawdown_pct, sharpe, turnover, fees, fills, slippage_bps,
    tca_shortfall_bps, tca_impact_bps
FROM backtest_runs
WHERE run_id = '${run_id}'
LIMIT 1
