-- Withdrawals not yet final (the stat panel shows the count).
SELECT count() AS pending
FROM withdrawals
WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote}) AND status = 'pending'
