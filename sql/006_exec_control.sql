-- Execution service controls that must survive a restart (the kill switch); current = LATEST ON.
CREATE TABLE IF NOT EXISTS exec_control (
    ts TIMESTAMP,
    key SYMBOL,
    value VARCHAR,
    reason VARCHAR
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, key);
