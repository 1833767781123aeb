-- Runs made in the time range, summarised per strategy.
SELECT strategy, count() AS runs, avg(return_pct) AS avg_return_pct,
    max(max_drawdown_pct) AS worst_drawdown_pct, avg(sharpe) AS avg_sharpe,
    sum(fills) AS fills
FROM backtest_runs
WHERE $__timeFilter(ts)
GROUP BY strategy
ORDER BY strategy
