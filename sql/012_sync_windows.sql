-- Committed windows of history backfills: a window's rows are written before its record,
-- so a resumed backfill skips exactly the windows recorded for its lineage (the backfill,
-- or the run it re-executes) and fetches the rest.
CREATE TABLE IF NOT EXISTS sync_windows (
    ts TIMESTAMP,
    dataset SYMBOL,
    exchange SYMBOL,
    window_end TIMESTAMP,
    backfill_id VARCHAR,
    root_run_id VARCHAR,
    run_id VARCHAR,
    pages LONG,
    records LONG,
    committed_at TIMESTAMP
) TIMESTAMP(ts) PARTITION BY YEAR WAL
DEDUP UPSERT KEYS(ts, dataset, exchange, backfill_id, root_run_id);
