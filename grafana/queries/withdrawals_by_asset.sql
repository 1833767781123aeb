-- Count, amount and fees per asset and kind in the period.
SELECT asset, kind, count() AS withdrawals, sum(amount) AS amount, sum(fee) AS fees
FROM withdrawals
WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
GROUP BY asset, kind
ORDER BY withdrawals DESC
