-- Transaction-cost analysis on execution reports (deltaworks_exec/quality/tca.py). From this
-- migration on, interval_vwap, interval_twap, market_volume and market_trades count the
-- market's trades only: a recorded print matching one of the parent's own fills (time,
-- price, amount) is left out. Costs in bps of the arrival mid, positive = worse for the
-- parent: shortfall_bps = spread_bps + impact_bps + timing_bps + fees_bps; fees in quote.
ALTER TABLE execution_reports ADD COLUMN interval_twap DOUBLE;
ALTER TABLE execution_reports ADD COLUMN participation_rate DOUBLE;
ALTER TABLE execution_reports ADD COLUMN fees DOUBLE;
ALTER TABLE execution_reports ADD COLUMN shortfall_bps DOUBLE;
ALTER TABLE execution_reports ADD COLUMN spread_bps DOUBLE;
ALTER TABLE execution_reports ADD COLUMN impact_bps DOUBLE;
ALTER TABLE execution_reports ADD COLUMN timing_bps DOUBLE;
ALTER TABLE execution_reports ADD COLUMN fees_bps DOUBLE;

-- Hourly volume profile per exchange and symbol (the Dagster asset volume_profiles): for the
-- profile of day ts, the average volume of each UTC hour over the PROFILE_DAYS days of 1m
-- candles up to its end, and that hour's share of the day. VWAP follows the latest one.
CREATE TABLE IF NOT EXISTS volume_profiles (
    ts TIMESTAMP,
    exchange SYMBOL,
    symbol SYMBOL,
    hour LONG,
    volume DOUBLE,
    share DOUBLE,
    minutes LONG
) TIMESTAMP(ts) PARTITION BY MONTH WAL
DEDUP UPSERT KEYS(ts, exchange, symbol, hour);
