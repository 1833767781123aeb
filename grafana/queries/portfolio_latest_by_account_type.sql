-- Latest value per exchange and account type, with assets that have no price.
SELECT exchange, account_type, quote, value, unpriced_assets, ts AS snapshot
FROM portfolio_value
WHERE $__timeFilter(ts) AND exchange IN (${exchange:singlequote})
LATEST ON ts PARTITION BY exchange, account_type
ORDER BY exchange, account_type
