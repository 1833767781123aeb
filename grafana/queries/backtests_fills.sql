-- Every fill of the selected run, with its slippage against the arrival price.
SELECT ts, venue, symbol, client_order_id, side, price, amount, cost, fee, fee_currency,
    liquidity, arrival_price, slippage_bps
FROM backtest_fills
WHERE run_id = '${run_id}'
ORDER BY ts
