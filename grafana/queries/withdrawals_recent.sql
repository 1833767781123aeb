-- The latest withdrawals with their current status.
SELECT ts, exchange, kind, asset, amount, fee, network, status, status_raw, txid, address,
       withdrawal_id
FROM withdrawals
WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
ORDER BY ts DESC
LIMIT 200
