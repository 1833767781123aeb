-- Crypto and fiat withdrawals; ts is the time the withdrawal was applied, so a status change
-- re-writes the same key and replaces the row.
CREATE TABLE IF NOT EXISTS withdrawals (
    ts TIMESTAMP,
    exchange SYMBOL,
    withdrawal_id VARCHAR,
    kind SYMBOL,
    asset SYMBOL,
    amount DOUBLE,
    fee DOUBLE,
    network SYMBOL,
    address VARCHAR,
    tag VARCHAR,
    txid VARCHAR,
    status SYMBOL,
    status_raw SYMBOL,
    internal BOOLEAN,
    updated TIMESTAMP,
    synced_at TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, exchange, withdrawal_id);
