-- One row per snapshot, exchange, account type and asset; values in the exchange's quote currency.
CREATE TABLE IF NOT EXISTS holdings (
    ts TIMESTAMP,
    exchange SYMBOL,
    account_type SYMBOL,
    asset SYMBOL,
    free DOUBLE,
    used DOUBLE,
    total DOUBLE,
    quote SYMBOL,
    price DOUBLE,
    value DOUBLE,
    priced BOOLEAN
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, exchange, account_type, asset);
