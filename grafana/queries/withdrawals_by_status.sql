-- Withdrawals per normalised and raw exchange status in the period.
SELECT status, status_raw, count() AS withdrawals
FROM withdrawals
WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
GROUP BY status, status_raw
ORDER BY withdrawals DESC
