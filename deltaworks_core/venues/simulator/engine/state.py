"""The state every part of an engine shares: markets, books, accounts, orders, the lock.

``trading``, ``market_data`` and ``transfers`` add the engine's operations on it.
"""

from __future__ import annotations

import functools
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from deltaworks_core.clock import Clock, SimClock
from deltaworks_core.market_model import MarketModel

from .accounts import Account, default_account
from .deposits import DepositHistory
from .errors import ErrorKind, SimError
from .faults import Transport
from .markets import Market, RuleBook, build_markets, default_rule
from .matching import MarketBook
from .network import TransferNetwork
from .orders import Fill, Order
from .prices import key
from .synthetic import STEP_MS, Synthetic
from .withdrawals import DAY_MS, WithdrawalHistory

Listener = Callable[[Order, Fill | None], None]
F = TypeVar("F", bound=Callable[..., Any])


def locked(method: F) -> F:
    """Serialise a public engine method (the server thread and a test thread share engines)."""

    @functools.wraps(method)
    def wrapper(self: EngineState, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def today_ms() -> int:
    """Midnight UTC today in epoch ms: the default simulated epoch in wall-clock mode."""
    now = int(time.time() * 1000)
    return now - now % DAY_MS


class EngineState:
    """Markets, books, accounts, orders and fills of one simulated exchange."""

    def __init__(
        self,
        name: str,
        symbols: tuple[str, ...] | list[str],
        *,
        seed: int = 42,
        clock: Clock | None = None,
        epoch_ms: int | None = None,
        withdrawals: int = 2000,
        history_days: int = 365,
        rules: RuleBook = default_rule,
        market_model: MarketModel | None = None,
    ) -> None:
        if clock is None:
            clock = SimClock(epoch_ms if epoch_ms is not None else today_ms())
        self.name = name
        self.seed = seed
        self.clock = clock
        self.epoch_ms = epoch_ms if epoch_ms is not None else clock.now_ms()
        self.listed_ms = self.epoch_ms - history_days * DAY_MS  # markets trade from here on
        markets = build_markets(symbols, rules)
        self.markets: dict[str, Market] = {m.symbol: m for m in markets}
        self._books = {
            m.symbol: MarketBook(m, Synthetic(seed, name, m, market_model)) for m in markets
        }
        now = clock.now_ms()
        self._accounts: dict[str, Account] = {"main": default_account("main", markets, now)}
        self.transport = Transport(key(seed, name, "transport"))
        self._history = WithdrawalHistory(seed, name, self.epoch_ms, withdrawals, history_days)
        self._deposits = DepositHistory(seed, name, self.epoch_ms, withdrawals, history_days)
        self.network = TransferNetwork()  # the server joins its engines into one
        self._credits: list[
            tuple[int, int, str, str, int]
        ] = []  # (due ms, n, account, coin, atoms)
        self._orders: dict[int, Order] = {}
        self._by_client: dict[tuple[str, str, str], Order] = {}
        # (account, symbol, client id) of every order refused for reusing a client id
        self.duplicate_sends: list[tuple[str, str, str]] = []
        self._fills: dict[tuple[str, str], list[Fill]] = defaultdict(list)
        # symbol -> (liquidity source, {minute: price}): the 24-hour ticker's samples
        self._minute_prices: dict[str, tuple[object, dict[int, int]]] = {}
        self._tape_ids: dict[str, list[int]] = {s: [0, 0] for s in self.markets}
        self._next_order = 1
        self._next_fill = 1
        self._step = now // STEP_MS
        self._t = now
        self._key = key(seed, name, "client-ids")
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()
        self._taker: Order | None = None
        self._fees_ppm: tuple[int, int] | None = None  # (maker, taker) on every market
        # order sizes and prices repeat: each market keeps its parsed strings (qty, price)
        self._parsed: dict[str, tuple[dict[str, int], dict[str, int]]] = {
            symbol: ({}, {}) for symbol in self.markets
        }
        self.events = 0

    def _settle_transfers(self, now: int) -> None:
        """Credit the deposits that are due by ``now`` (``transfers`` does)."""

    def now_ms(self) -> int:
        return self.clock.now_ms()

    # -- lookups -----------------------------------------------------------------------------

    def market(self, symbol: str) -> Market:
        """A market by unified symbol (BTC/USDT, BTC/USDT:USDT)."""
        market = self.markets.get(symbol)
        if market is None:
            raise SimError(ErrorKind.UNKNOWN_SYMBOL, f"no market {symbol!r} on {self.name}")
        return market

    def account(self, name: str) -> Account:
        try:
            return self._accounts[name]
        except KeyError:
            raise SimError(
                ErrorKind.UNKNOWN_ACCOUNT, f"no account {name!r} on {self.name}"
            ) from None
