-- Equity curve of the selected run (simulated time: set the time range to the run's period).
SELECT ts AS time, equity
FROM backtest_equity
WHERE run_id = '${run_id}'
ORDER BY ts
