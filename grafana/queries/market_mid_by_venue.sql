-- Mid price per venue and symbol: the venues side by side show the cross-venue spread.
SELECT ts, exchange, symbol, last((bid_price + ask_price) / 2) AS mid
FROM quotes
WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
SAMPLE BY $__sampleByInterval ALIGN TO CALENDAR
