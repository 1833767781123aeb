-- Crypto and fiat deposits; ts is when the exchange first saw the deposit, so crediting
-- re-writes the same key and replaces the row.
CREATE TABLE IF NOT EXISTS deposits (
    ts TIMESTAMP,
    exchange SYMBOL,
    deposit_id VARCHAR,
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
DEDUP UPSERT KEYS(ts, exchange, deposit_id);

-- Withdrawals from one configured exchange matched to their deposit on another; ts is the
-- withdrawal's time, so each re-match replaces the row. status: in_transit (sent, not yet
-- credited), settled (credited at settled_at), failed (withdrawal or deposit failed).
-- value: amount x price in the sender's quote currency when last matched.
CREATE TABLE IF NOT EXISTS transfers (
    ts TIMESTAMP,
    from_exchange SYMBOL,
    withdrawal_id VARCHAR,
    to_exchange SYMBOL,
    deposit_id VARCHAR,
    asset SYMBOL,
    amount DOUBLE,
    fee DOUBLE,
    txid VARCHAR,
    address VARCHAR,
    matched_by SYMBOL,
    status SYMBOL,
    arrived_at TIMESTAMP,
    settled_at TIMESTAMP,
    quote SYMBOL,
    price DOUBLE,
    value DOUBLE,
    synced_at TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, from_exchange, withdrawal_id);

-- Funds in transit between configured exchanges appear in the sender's portfolio as
-- account_type 'in_transit' with in_transit = true; every other row has false.
ALTER TABLE portfolio_value ADD COLUMN IF NOT EXISTS in_transit BOOLEAN;
