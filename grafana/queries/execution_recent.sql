-- The latest parents with their costs (bps) against the market they traded in (its own prints left out).
SELECT ended, parent_id, kind, exchange, symbol, side, filled, fill_rate, participation_rate, shortfall_bps, spread_bps, impact_bps, timing_bps, fees_bps, slippage_vwap_bps
FROM (SELECT * FROM execution_reports LATEST ON ts PARTITION BY parent_id)
WHERE $__timeFilter(ended) AND exchange IN (${exchange:singlequote})
ORDER BY ended DESC
LIMIT 200
