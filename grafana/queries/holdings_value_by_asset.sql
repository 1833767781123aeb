-- Value per asset over time, across exchanges and account types.
SELECT time, asset, sum(value) AS value
FROM (
    SELECT ts AS time, exchange, account_type, asset, last(value) AS value
    FROM holdings
    WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
    SAMPLE BY $__sampleByInterval FILL(PREV) ALIGN TO CALENDAR
)
GROUP BY time, asset
ORDER BY time
