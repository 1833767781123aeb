"""The exchange-neutral simulator engine: one ``ExchangeEngine`` per simulated exchange.

Modules: ``markets`` and ``rules`` (markets, sizes, validation of quantities and
prices), ``orders`` (neutral order types, time in force, statuses; order and fill
records), ``book``/``matching``/``synthetic``/``prices`` (order books and the
synthetic market), ``accounts`` (spot, margin and linear funds), ``trading``
(placing, matching, cancelling, the passing of time), ``market_data`` (books,
trades, klines, tickers), ``transfers``/``withdrawals`` (withdrawal histories),
``faults`` (injected transport faults, the request-weight window), ``errors``
(``SimError`` and its ``ErrorKind``). No exchange's wire vocabulary lives here.
"""

from .accounts import DEFAULT_LEVERAGE, Account, FuturesState
from .deposits import CryptoDeposit, DepositStatus, FiatDeposit
from .errors import ErrorKind, SimError
from .exchange import ExchangeEngine
from .faults import Faults, Transport
from .market_data import Depth, Liquidity, PublicTrade, Ticker
from .markets import (
    ATOMS_PER_UNIT,
    Market,
    MarketRule,
    RuleBook,
    atoms_str,
    build_markets,
    default_rule,
)
from .network import TransferNetwork
from .orders import STOP_TYPES, TIF_TYPES, Fill, Order, OrderStatus, OrderType, TimeInForce
from .prices import key, mix
from .state import today_ms
from .transfers import DepositAddress
from .withdrawals import (
    DAY_MS,
    CryptoWithdrawal,
    FiatStatus,
    FiatWithdrawal,
    WithdrawalStatus,
)

__all__ = [
    "ATOMS_PER_UNIT",
    "DAY_MS",
    "DEFAULT_LEVERAGE",
    "STOP_TYPES",
    "TIF_TYPES",
    "Account",
    "CryptoDeposit",
    "CryptoWithdrawal",
    "DepositAddress",
    "DepositStatus",
    "Depth",
    "ErrorKind",
    "ExchangeEngine",
    "Faults",
    "FiatDeposit",
    "FiatStatus",
    "FiatWithdrawal",
    "Fill",
    "FuturesState",
    "Liquidity",
    "Market",
    "MarketRule",
    "Order",
    "OrderStatus",
    "OrderType",
    "PublicTrade",
    "RuleBook",
    "SimError",
    "Ticker",
    "TimeInForce",
    "TransferNetwork",
    "Transport",
    "WithdrawalStatus",
    "atoms_str",
    "build_markets",
    "default_rule",
    "key",
    "mix",
    "today_ms",
]
