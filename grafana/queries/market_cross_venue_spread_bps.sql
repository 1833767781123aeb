-- Cross-venue spread per symbol, from each venue's last recorded top of book per interval:
-- best bid anywhere minus best ask anywhere (positive: the venues cross, an arbitrage
-- before fees) and the range of the venues' mids, both in bps of the mid.
SELECT ts, symbol,
    (max(bid) - min(ask)) / ((max(bid) + min(ask)) / 2) * 10000 AS crossed_bps,
    (max(mid) - min(mid)) / avg(mid) * 10000 AS mid_range_bps,
    count() AS venues
FROM (
    SELECT ts, exchange, symbol, last(bid_price) AS bid, last(ask_price) AS ask,
        last((bid_price + ask_price) / 2) AS mid
    FROM quotes
    WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
    SAMPLE BY $__sampleByInterval ALIGN TO CALENDAR
)
GROUP BY ts, symbol
ORDER BY ts, symbol
