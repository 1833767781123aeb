-- OHLCV candles for VWAP profiles and backtests.
CREATE TABLE IF NOT EXISTS candles (
    ts TIMESTAMP,
    exchange SYMBOL,
    symbol SYMBOL,
    timeframe SYMBOL,
    open DOUBLE,
    high DOUBLE,
    low DOUBLE,
    close DOUBLE,
    volume DOUBLE
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, exchange, symbol, timeframe);

-- Value per exchange and account type at each holdings snapshot.
CREATE TABLE IF NOT EXISTS portfolio_value (
    ts TIMESTAMP,
    exchange SYMBOL,
    account_type SYMBOL,
    quote SYMBOL,
    value DOUBLE,
    unpriced_assets LONG
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, exchange, account_type);
