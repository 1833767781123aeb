-- Transaction-cost analysis of a backtest's orders (deltaworks_exec/backtest/tca.py): how many
-- orders and algorithms had costs, their notional-weighted mean costs in bps of the arrival
-- mid (tca_shortfall_bps = spread + impact + timing + fees; positive = worse for the order),
-- price against the interval VWAP and participation rate, and the mean fill rate.
ALTER TABLE backtest_runs ADD COLUMN tca_orders LONG;
ALTER TABLE backtest_runs ADD COLUMN tca_shortfall_bps DOUBLE;
ALTER TABLE backtest_runs ADD COLUMN tca_spread_bps DOUBLE;
ALTER TABLE backtest_runs ADD COLUMN tca_impact_bps DOUBLE;
ALTER TABLE backtest_runs ADD COLUMN tca_timing_bps DOUBLE;
ALTER TABLE backtest_runs ADD COLUMN tca_fees_bps DOUBLE;
ALTER TABLE backtest_runs ADD COLUMN tca_vs_vwap_bps DOUBLE;
ALTER TABLE backtest_runs ADD COLUMN tca_participation DOUBLE;
ALTER TABLE backtest_runs ADD COLUMN tca_fill_rate DOUBLE;
