-- Feed health: messages recorded per second (trades and top-of-book changes), by exchange:
-- each interval's count divided by the interval's length.
SELECT ts, exchange, count() / ($__interval_ms / 1000.0) AS messages_per_s
FROM (
    (SELECT ts, exchange FROM trades
     WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
     UNION ALL
     SELECT ts, exchange FROM quotes
     WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote}))
    ORDER BY ts
) TIMESTAMP(ts)
SAMPLE BY $__sampleByInterval ALIGN TO CALENDAR
