-- Average costs per algorithm (kind; plain orders are "order") of the parents that ended in the range: implementation shortfall = spread + impact + timing + fees, bps of the arrival mid, positive = cost.
SELECT kind, count() AS parents, avg(shortfall_bps) AS shortfall_bps, avg(spread_bps) AS spread_bps, avg(impact_bps) AS impact_bps, avg(timing_bps) AS timing_bps, avg(fees_bps) AS fees_bps, avg(participation_rate) AS participation, avg(fill_rate) AS fill_rate
FROM (SELECT * FROM execution_reports LATEST ON ts PARTITION BY parent_id)
WHERE $__timeFilter(ended) AND exchange IN (${exchange:singlequote})
ORDER BY kind
