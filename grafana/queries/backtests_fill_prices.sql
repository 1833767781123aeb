-- Fill prices of the selected run, buys and sells as separate series.
SELECT ts AS time,
    CASE WHEN side = 'buy' THEN price END AS buy,
    CASE WHEN side = 'sell' THEN price END AS sell
FROM backtest_fills
WHERE run_id = '${run_id}'
ORDER BY ts
