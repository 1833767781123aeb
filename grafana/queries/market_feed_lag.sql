-- Feed health: delay from the exchange's trade time to the recorder receiving it (ms).
SELECT ts, exchange, avg(datediff('T', ts, received)) AS avg_lag_ms,
    approx_percentile(datediff('T', ts, received)::double, 0.99, 3) AS p99_lag_ms,
    max(datediff('T', ts, received)) AS max_lag_ms
FROM trades
WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote}) AND source = 'stream'
SAMPLE BY $__sampleByInterval ALIGN TO CALENDAR
