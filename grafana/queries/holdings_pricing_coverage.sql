-- Balances per exchange and account type in the period, and how many had no price.
SELECT exchange, account_type, count() AS balances,
       sum(CASE WHEN priced THEN 0 ELSE 1 END) AS unpriced,
       count_distinct(ts) AS snapshots
FROM holdings
WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
GROUP BY exchange, account_type
ORDER BY exchange, account_type
