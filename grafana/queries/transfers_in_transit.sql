-- Transfers between configured exchanges sent and not yet credited on arrival, newest first.
SELECT ts, from_exchange, to_exchange, asset, amount, value, quote, matched_by, arrived_at, txid
FROM transfers
WHERE $__timeFilter(ts) AND from_exchange IN (${exchange:singlequote}) AND status = 'in_transit'
ORDER BY ts DESC
