-- Arbitrage trades of the service's executor: one row per step (sent, hedging, outcome);
-- current state = LATEST ON ts PARTITION BY trade_id. ``legs`` is JSON: every order sent
-- (role, venue, side, client order id, amount, filled, average, status).
CREATE TABLE IF NOT EXISTS arbitrage_trades (
    ts TIMESTAMP,
    trade_id VARCHAR,
    seq LONG,
    pair_id SYMBOL,
    status SYMBOL,
    symbol SYMBOL,
    buy_exchange SYMBOL,
    sell_exchange SYMBOL,
    amount DOUBLE,
    buy_price DOUBLE,
    sell_price DOUBLE,
    expected_edge_bps DOUBLE,
    bought DOUBLE,
    sold DOUBLE,
    residual DOUBLE,
    residual_bound DOUBLE,
    realised_edge DOUBLE,
    realised_edge_bps DOUBLE,
    legs VARCHAR,
    message VARCHAR
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, trade_id, seq);
