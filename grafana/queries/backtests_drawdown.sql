-- Drawdown from the running equity peak of the selected run, in percent.
SELECT ts AS time, drawdown_pct
FROM backtest_equity
WHERE run_id = '${run_id}'
ORDER BY ts
