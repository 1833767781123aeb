-- Feed health: trades recorded per interval and exchange (a flat line is a dead feed).
SELECT ts, exchange, count() AS trades
FROM trades
WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
SAMPLE BY $__sampleByInterval ALIGN TO CALENDAR
