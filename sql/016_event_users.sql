-- Who caused each order and algorithm event: the user of the request that led to it
-- (submit, cancel, kill switch, algorithm start/pause/resume/cancel); venue reports and
-- algorithm progress carry the user of the last request that acted on the order.
ALTER TABLE order_events ADD COLUMN IF NOT EXISTS user_name SYMBOL;
ALTER TABLE algo_events ADD COLUMN IF NOT EXISTS user_name SYMBOL;
