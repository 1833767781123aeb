-- Bid-ask spread per venue and symbol in bps of the mid, from the recorded top of book.
SELECT ts, exchange, symbol,
    avg((ask_price - bid_price) / ((ask_price + bid_price) / 2) * 10000) AS spread_bps
FROM quotes
WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
SAMPLE BY $__sampleByInterval ALIGN TO CALENDAR
