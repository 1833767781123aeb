-- Feed health: interruptions detected per interval, by exchange and kind (disconnects,
-- sequence breaks, restarts), and how many of them were not filled.
SELECT ts, exchange, kind, count() AS gaps, sum(CASE WHEN filled THEN 0 ELSE 1 END) AS unfilled
FROM feed_gaps
WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
SAMPLE BY $__sampleByInterval ALIGN TO CALENDAR
