-- Backtest results: one row per run, its fills and its equity curve (simulated time).
CREATE TABLE IF NOT EXISTS backtest_runs (
    ts TIMESTAMP,
    run_id SYMBOL,
    strategy SYMBOL,
    mode SYMBOL,
    kind SYMBOL,
    quote SYMBOL,
    venues VARCHAR,
    symbols VARCHAR,
    params VARCHAR,
    costs VARCHAR,
    repairs VARCHAR,
    start_ts TIMESTAMP,
    end_ts TIMESTAMP,
    events LONG,
    initial_equity DOUBLE,
    final_equity DOUBLE,
    pnl DOUBLE,
    return_pct DOUBLE,
    max_drawdown_pct DOUBLE,
    sharpe DOUBLE,
    turnover DOUBLE,
    fees DOUBLE,
    orders LONG,
    fills LONG,
    rejects LONG,
    slippage_bps DOUBLE,
    elapsed_s DOUBLE,
    events_per_s DOUBLE
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, run_id);

CREATE TABLE IF NOT EXISTS backtest_fills (
    ts TIMESTAMP,
    run_id SYMBOL,
    seq LONG,
    venue SYMBOL,
    symbol SYMBOL,
    client_order_id VARCHAR,
    side SYMBOL,
    price DOUBLE,
    amount DOUBLE,
    cost DOUBLE,
    fee DOUBLE,
    fee_currency SYMBOL,
    liquidity SYMBOL,
    arrival_price DOUBLE,
    slippage_bps DOUBLE
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, run_id, seq);

CREATE TABLE IF NOT EXISTS backtest_equity (
    ts TIMESTAMP,
    run_id SYMBOL,
    equity DOUBLE,
    drawdown_pct DOUBLE
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, run_id);
