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
