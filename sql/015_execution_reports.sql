-- Execution quality per parent order: every algorithm (parent_id = algo_id, kind = its name)
-- and every plain order (parent_id = order_id, kind = order), stored once it has finished.
-- arrival_mid: the recorded top of book (quotes) at the start; interval_vwap: the recorded
-- market trades (trades) of the exchange and symbol between start and end, never the order's
-- own fills. Slippage in bps, positive = worse for the order (paid more, or sold for less).
-- A report computed again is a new row: the current one is LATEST ON ts PARTITION BY
-- parent_id. Later break-downs (spread, impact, timing, fees) are added as new columns by a
-- later migration (ALTER TABLE ... ADD COLUMN); older rows read them as null.
CREATE TABLE IF NOT EXISTS execution_reports (
    ts TIMESTAMP,
    parent_id VARCHAR,
    kind SYMBOL,
    exchange SYMBOL,
    symbol SYMBOL,
    side SYMBOL,
    status SYMBOL,
    started TIMESTAMP,
    ended TIMESTAMP,
    quantity DOUBLE,
    filled DOUBLE,
    fill_rate DOUBLE,
    average_price DOUBLE,
    fills LONG,
    arrival_mid DOUBLE,
    interval_vwap DOUBLE,
    market_volume DOUBLE,
    market_trades LONG,
    slippage_arrival_bps DOUBLE,
    slippage_vwap_bps DOUBLE
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, parent_id);

-- Daily OHLCV per exchange and symbol rolled up from the recorded trades (the Dagster asset
-- trade_ohlcv_daily, SAMPLE BY 1d); first_trade/last_trade bound what the recording covered.
CREATE TABLE IF NOT EXISTS trade_ohlcv_daily (
    ts TIMESTAMP,
    exchange SYMBOL,
    symbol SYMBOL,
    open DOUBLE,
    high DOUBLE,
    low DOUBLE,
    close DOUBLE,
    volume DOUBLE,
    trades LONG,
    first_trade TIMESTAMP,
    last_trade TIMESTAMP
) TIMESTAMP(ts) PARTITION BY MONTH WAL
DEDUP UPSERT KEYS(ts, exchange, symbol);
