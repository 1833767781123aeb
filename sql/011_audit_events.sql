-- Who did what: one row per state-changing request (order, cancel, algorithm action, limit
-- change, kill switch, user and token change), written before the action takes effect.
-- outcome: allowed (the role may: the action proceeds) or denied (refused, nothing done).
CREATE TABLE IF NOT EXISTS audit_events (
    ts TIMESTAMP,
    audit_id VARCHAR,
    user_name SYMBOL,
    role SYMBOL,
    action SYMBOL,
    target VARCHAR,
    params VARCHAR,
    outcome SYMBOL,
    client VARCHAR
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, audit_id);
