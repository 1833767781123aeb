-- Number of withdrawals applied per interval, crypto and fiat.
SELECT ts AS time, kind, count() AS withdrawals
FROM withdrawals
WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
SAMPLE BY $__sampleByInterval ALIGN TO CALENDAR
ORDER BY time
