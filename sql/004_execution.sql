-- Append-only order lifecycle: one row per transition; current state = LATEST ON ts PARTITION BY order_id.
CREATE TABLE IF NOT EXISTS order_events (
    ts TIMESTAMP,
    order_id VARCHAR,
    seq LONG,
    client_order_id VARCHAR,
    exchange SYMBOL,
    symbol SYMBOL,
    side SYMBOL,
    type SYMBOL,
    time_in_force SYMBOL,
    status SYMBOL,
    price DOUBLE,
    stop_price DOUBLE,
    amount DOUBLE,
    filled DOUBLE,
    average DOUBLE,
    venue_order_id VARCHAR,
    algo_id VARCHAR,
    reason VARCHAR
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, order_id, seq);

-- One row per execution reported by a venue.
CREATE TABLE IF NOT EXISTS fills (
    ts TIMESTAMP,
    exchange SYMBOL,
    fill_id VARCHAR,
    order_id VARCHAR,
    client_order_id VARCHAR,
    venue_order_id VARCHAR,
    symbol SYMBOL,
    side SYMBOL,
    price DOUBLE,
    amount DOUBLE,
    cost DOUBLE,
    fee DOUBLE,
    fee_currency SYMBOL,
    liquidity SYMBOL
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, exchange, fill_id);

-- Parent order (algorithm) progress.
CREATE TABLE IF NOT EXISTS algo_events (
    ts TIMESTAMP,
    algo_id VARCHAR,
    seq LONG,
    algo SYMBOL,
    status SYMBOL,
    exchange SYMBOL,
    symbol SYMBOL,
    side SYMBOL,
    quantity DOUBLE,
    filled DOUBLE,
    average DOUBLE,
    params VARCHAR,
    message VARCHAR
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, algo_id, seq);

-- Cross-venue spreads above the configured edge, net of taker fees.
CREATE TABLE IF NOT EXISTS arbitrage_opportunities (
    ts TIMESTAMP,
    symbol SYMBOL,
    buy_exchange SYMBOL,
    sell_exchange SYMBOL,
    buy_price DOUBLE,
    sell_price DOUBLE,
    amount DOUBLE,
    gross_edge_bps DOUBLE,
    net_edge_bps DOUBLE
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, symbol, buy_exchange, sell_exchange);
