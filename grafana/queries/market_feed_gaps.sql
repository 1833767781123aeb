-- Feed health: every disconnect and sequence break, and what the recorder back-filled.
SELECT ts, exchange, symbol, kind, from_id, to_id, backfilled, filled, reason
FROM feed_gaps
WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
ORDER BY ts DESC
