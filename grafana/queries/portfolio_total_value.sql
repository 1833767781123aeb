-- Total value in the quote currency: the last value of every exchange and account type in each
-- interval (carried forward), summed.
SELECT time, sum(value) AS total_value
FROM (
    SELECT ts AS time, exchange, account_type, last(value) AS value
    FROM portfolio_value
    WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
    SAMPLE BY $__sampleByInterval FILL(PREV) ALIGN TO CALENDAR
)
GROUP BY time
ORDER BY time
