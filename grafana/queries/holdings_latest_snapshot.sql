-- Every balance of the newest snapshot of each exchange, largest value first.
SELECT h.exchange, h.account_type, h.asset, h.free, h.used, h.total, h.debt, h.price, h.value,
       h.priced, h.ts AS snapshot
FROM holdings h
JOIN (
    SELECT exchange, max(ts) AS ts
    FROM holdings
    WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
    GROUP BY exchange
) newest ON h.exchange = newest.exchange AND h.ts = newest.ts
WHERE $__timeFilter(h.ts)
ORDER BY h.value DESC
