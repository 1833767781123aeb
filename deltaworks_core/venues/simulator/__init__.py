"""The exchange simulator: a neutral engine, exchange dialects, and an HTTP/WebSocket host.

This package is the simulator's public face: code outside it imports only from here.

Engine (in-process, no HTTP; one per simulated exchange)::

    engine = ExchangeEngine("sim_a", ["BTC/USDT", "ETH/USDT"], seed=42, epoch_ms=...,
                            rules=default_rule)  # an exchange's sizes and fees per market
    engine.place_order(account, symbol, side, type, quantity, price=None, *,
                       time_in_force=None, client_order_id=None, stop_price=None,
                       reduce_only=False, quote_order_qty=None) -> Order
    engine.cancel_order(account, symbol, order_id=None, client_order_id=None) -> Order
    engine.amend_order(account, symbol, order_id=None, client_order_id=None, *,
                       quantity=None, price=None) -> Order   # same ids, new size/price
    engine.order(account, symbol, order_id=None, client_order_id=None) -> Order
    engine.find_order(account, symbol_or_None, order_id=None, client_order_id=None) -> Order
    engine.open_orders(account, symbol=None) -> list[Order]
    engine.all_orders(account, symbol, *, from_id=None, start_ms=None, end_ms=None,
                      limit=500) -> list[Order]               # open and closed, oldest first
    engine.amend_order(account, symbol, order_id=None, client_order_id=None, *,
                       quantity=None, price=None) -> Order
    engine.set_leverage(account, symbol, leverage) / engine.leverage(account, symbol)
    engine.my_trades(account, symbol, *, start_ms=None, end_ms=None, from_id=None,
                     limit=500) -> list[Fill]
    engine.order_book(symbol, limit=100) -> Depth       # ticks / steps of depth.market
    engine.ticker(symbol) -> Ticker / engine.mark_price(symbol) -> ticks
    engine.trades(symbol, limit=500) -> list[PublicTrade]
    engine.klines(symbol, "1m"|"5m"|...|"1d"|"1w", start_ms=None, end_ms=None, limit=500)
        -> list[tuple]                                      # see engine.candles
    engine.balances(account_type="spot"|"margin"|"future"|"funding", account="main")
        -> dict (Decimals)
    engine.transfer(account, asset, amount, "spot"|"funding", "funding"|"spot")
    engine.withdrawals(start_ms=None, end_ms=None, *, coin=None, offset=0, limit=None)
        -> list[CryptoWithdrawal]
    engine.fiat_withdrawals(start_ms=None, end_ms=None, *, offset=0, limit=None)
        -> (list[FiatWithdrawal], total)
    engine.add_withdrawal(coin, amount, *, network_index=0, apply_ms=None,
                          pending_ms=600_000, final_status=WithdrawalStatus.COMPLETED,
                          internal=False)
    engine.add_fiat_withdrawal(currency, amount, *, apply_ms=None, pending_ms=3_600_000,
                               final_status=FiatStatus.SUCCESSFUL)
    engine.deposits(start_ms=None, end_ms=None, *, coin=None, offset=0, limit=None)
        -> list[CryptoDeposit]
    engine.fiat_deposits(start_ms=None, end_ms=None, *, offset=0, limit=None)
        -> (list[FiatDeposit], total)
    engine.deposit_address(account, coin, network=None) -> DepositAddress
    engine.withdraw(account, coin, amount, to, *, network=None, tag=None)
        -> CryptoWithdrawal          # to an address of a joined engine: a deposit there
    engine.join(TransferNetwork())   # the server joins all its engines into one network
    engine.advance(seconds) / engine.set_time(ms)       # SimClock only: prices move,
                                                        # resting orders fill, stops trigger
    engine.set_faults(latency_ms=, error_rate=, timeout_rate=, burst_429=,
                      drop_order_response=, timeout_delay_ms=)
    engine.set_rate_limit(weight_per_minute) / engine.set_balance(account, asset, free, type)
    engine.add_account(name) / engine.fund_account(name, {asset: amount})
    engine.set_fee_rates(maker_ppm, taker_ppm) / engine.fee_ppm(market, maker)
    engine.attach_liquidity(symbol, source) -> invalidate / engine.liquidity(symbol)
    engine.add_listener(fn(order, fill_or_none)) / engine.remove_listener(fn)

Symbols are unified (``BTC/USDT`` spot, ``BTC/USDT:USDT`` USDⓈ-M perpetual for every
USDT pair). ``Order``/``Fill`` keep prices in integer ticks, quantities in steps and money
in atoms (1e-8) of ``order.market``; types, time in force and statuses are the neutral
``OrderType``, ``TimeInForce`` and ``OrderStatus``; refusals raise ``SimError`` with an
``ErrorKind``. Everything is deterministic for a seed and a sequence of calls.

Server: ``SimulatorServer(settings, exchanges, *, clock=None, epoch_ms=None)`` with
``start()``/``stop()``, ``base_url``, ``port``, ``engine(name)``, ``add_account``; each
exchange speaks the dialect of its ``ccxt_id`` (see ``dialects``).
``running_simulator(settings, exchanges, **kw)`` runs one in a background thread;
``serve_forever(settings, exchanges)`` is the ``deltaworks sim start`` entry point.
Credentials: ``dev_credentials(exchange_name) -> (api_key, secret)`` and, for exchanges
whose keys have one (OKX), ``dev_passphrase(exchange_name)``. The Binance
dialect's in-process helpers (``binance``) render what its REST API would answer.
"""

from ...clock import SimClock
from .credentials import dev_credentials, dev_passphrase
from .dialects import binance
from .engine import (
    ATOMS_PER_UNIT,
    CryptoDeposit,
    CryptoWithdrawal,
    DepositAddress,
    DepositStatus,
    Depth,
    ErrorKind,
    ExchangeEngine,
    FiatDeposit,
    FiatStatus,
    FiatWithdrawal,
    Fill,
    Liquidity,
    Market,
    Order,
    OrderStatus,
    OrderType,
    PublicTrade,
    SimError,
    Ticker,
    TimeInForce,
    TransferNetwork,
    WithdrawalStatus,
    build_markets,
)
from .server import SimulatorServer, running_simulator, serve_forever

__all__ = [
    "ATOMS_PER_UNIT",
    "CryptoDeposit",
    "CryptoWithdrawal",
    "DepositAddress",
    "DepositStatus",
    "Depth",
    "ErrorKind",
    "ExchangeEngine",
    "FiatDeposit",
    "FiatStatus",
    "FiatWithdrawal",
    "Fill",
    "Liquidity",
    "Market",
    "Order",
    "OrderStatus",
    "OrderType",
    "PublicTrade",
    "SimClock",
    "SimError",
    "SimulatorServer",
    "Ticker",
    "TimeInForce",
    "TransferNetwork",
    "WithdrawalStatus",
    "binance",
    "build_markets",
    "dev_credentials",
    "dev_passphrase",
    "running_simulator",
    "serve_forever",
]
