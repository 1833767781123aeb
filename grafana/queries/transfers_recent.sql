-- Recent transfers between configured exchanges with their state (in_transit, settled, failed).
SELECT ts, from_exchange, to_exchange, asset, amount, status, matched_by, arrived_at, settled_at, txid
FROM transfers
WHERE $__timeFilter(ts) AND from_exchange IN (${exchange:singlequote})
ORDER BY ts DESC
LIMIT 200
