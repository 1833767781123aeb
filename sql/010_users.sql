-- Users of the execution service and their role (viewer, trader, risk, admin).
-- Append-only: every change is a new row; current = LATEST ON ts PARTITION BY user_name.
CREATE TABLE IF NOT EXISTS users (
    ts TIMESTAMP,
    user_name SYMBOL,
    role SYMBOL,
    active BOOLEAN,
    changed_by VARCHAR
) TIMESTAMP(ts) PARTITION BY YEAR WAL
DEDUP UPSERT KEYS(ts, user_name);

-- API tokens: only a salted argon2 hash of the secret is kept, never the token.
-- Append-only: revocation is a new row; current = LATEST ON ts PARTITION BY token_id.
CREATE TABLE IF NOT EXISTS api_tokens (
    ts TIMESTAMP,
    token_id SYMBOL,
    user_name SYMBOL,
    name VARCHAR,
    secret_hash VARCHAR,
    created_at TIMESTAMP,
    expires_at TIMESTAMP,
    revoked BOOLEAN,
    changed_by VARCHAR
) TIMESTAMP(ts) PARTITION BY YEAR WAL
DEDUP UPSERT KEYS(ts, token_id);
