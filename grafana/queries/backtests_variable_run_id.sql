SELECT run_id FROM backtest_runs ORDER BY ts DESC LIMIT 200
