-- Market data recorded from the exchanges' streams (deltaworks-exec record).
-- Public trades, deduplicated on the exchange's own trade id; received is when the recorder
-- got the trade (lag = received - ts); source is stream or backfill (REST after a gap).
CREATE TABLE IF NOT EXISTS trades (
    ts TIMESTAMP,
    exchange SYMBOL,
    symbol SYMBOL,
    trade_id VARCHAR,
    price DOUBLE,
    amount DOUBLE,
    side SYMBOL,
    source SYMBOL,
    received TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, exchange, symbol, trade_id);

-- Best bid and ask on every change of either, keyed by the book's sequence number.
CREATE TABLE IF NOT EXISTS quotes (
    ts TIMESTAMP,
    exchange SYMBOL,
    symbol SYMBOL,
    seq LONG,
    bid_price DOUBLE,
    bid_size DOUBLE,
    ask_price DOUBLE,
    ask_size DOUBLE,
    received TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, exchange, symbol, seq);

-- The top levels of a book at the exchange's sequence number seq: bids and asks are
-- DOUBLE[][] arrays [[price, ...], [size, ...]], best level first (QuestDB's order-book layout).
CREATE TABLE IF NOT EXISTS book_snapshots (
    ts TIMESTAMP,
    exchange SYMBOL,
    symbol SYMBOL,
    seq LONG,
    depth INT,
    bids DOUBLE[][],
    asks DOUBLE[][],
    received TIMESTAMP
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, exchange, symbol, seq);

-- Every interruption of a feed: a disconnect, a book sequence gap or a trade id jump.
-- ts is when it was detected; from/to bound what may be missing (ids, sequence numbers,
-- times); filled tells whether the back-fill and the book resynchronisation succeeded.
CREATE TABLE IF NOT EXISTS feed_gaps (
    ts TIMESTAMP,
    exchange SYMBOL,
    symbol SYMBOL,
    kind SYMBOL,
    from_id VARCHAR,
    to_id VARCHAR,
    from_ts TIMESTAMP,
    to_ts TIMESTAMP,
    backfilled LONG,
    filled BOOLEAN,
    reason VARCHAR
) TIMESTAMP(ts) PARTITION BY DAY WAL
DEDUP UPSERT KEYS(ts, exchange, symbol, kind);
