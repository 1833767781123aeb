-- Value per exchange over time (all account types), one line per exchange.
SELECT time, exchange, sum(value) AS value
FROM (
    SELECT ts AS time, exchange, account_type, last(value) AS value
    FROM portfolio_value
    WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
    SAMPLE BY $__sampleByInterval FILL(PREV) ALIGN TO CALENDAR
)
GROUP BY time, exchange
ORDER BY time
