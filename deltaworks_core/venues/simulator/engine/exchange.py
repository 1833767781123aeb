"""``ExchangeEngine``: one simulated exchange, in-process, in neutral vocabulary.

It joins the engine's parts (``trading``, ``market_data``, ``transfers``) and adds
what tests, the backtester and the server administer: accounts and their funds,
listeners and injected transport faults.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from .accounts import FuturesState, default_account, futures_state
from .errors import ErrorKind, SimError
from .faults import Faults
from .market_data import MarketData
from .markets import ATOMS_PER_UNIT
from .order_history import OrderHistory
from .state import Listener, locked
from .transfers import Transfers

MAX_LEVERAGE = 125
ACCOUNT_TYPES = ("spot", "margin", "future", "funding")


class ExchangeEngine(MarketData, OrderHistory, Transfers):
    """One simulated exchange, usable in-process on a simulated clock (no HTTP).

    Quantities given to and taken from the engine as ``str``/``Decimal``/``float`` are in
    the market's units; results carry integer ticks, steps and atoms (see ``markets``).
    """

    # -- listeners and faults ---------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(order, fill_or_None)`` on every order change (user data streams)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def set_faults(self, **changes: float | int | bool) -> Faults:
        """Inject faults into the HTTP front: ``latency_ms``, ``error_rate``, ``timeout_rate``,
        ``burst_429``, ``drop_order_response``, ``timeout_delay_ms``."""
        return self.transport.set_faults(**changes)

    def set_rate_limit(self, weight_per_minute: int) -> None:
        """The request weight a minute the HTTP front allows (its dialect weighs requests)."""
        self.transport.weight_limit = weight_per_minute

    # -- accounts ------------------------------------------------------------------------

    @locked
    def add_account(self, name: str) -> None:
        """Open another funded account (a second API user of this exchange)."""
        account = default_account(name, list(self.markets.values()), self.clock.now_ms())
        self._accounts.setdefault(name, account)

    @locked
    def set_balance(
        self, account: str, asset: str, free: str | Decimal | float, account_type: str = "spot"
    ) -> None:
        """Set a free balance (spot, margin, funding) or the futures wallet (asset ignored)."""
        atoms = int(Decimal(str(free)) * ATOMS_PER_UNIT)
        acct = self.account(account)
        if account_type == "spot":
            acct.spot_free[asset] = atoms
        elif account_type == "margin":
            acct.margin_free[asset] = atoms
        elif account_type == "future":
            acct.futures_wallet = atoms
        elif account_type == "funding":
            acct.funding[asset] = atoms
        else:
            raise ValueError(
                f"account_type must be one of {', '.join(ACCOUNT_TYPES)}, not {account_type!r}"
            )

    @locked
    def transfer(
        self, account: str, asset: str, amount: str | Decimal | float, source: str, target: str
    ) -> None:
        """Move ``amount`` of ``asset`` between the ``spot`` and ``funding`` wallets."""
        acct = self.account(account)
        wallets = {"spot": acct.spot_free, "funding": acct.funding}
        if source not in wallets or target not in wallets or source == target:
            raise ValueError(f"transfers go between spot and funding, not {source} -> {target}")
        atoms = int(Decimal(str(amount)) * ATOMS_PER_UNIT)
        if atoms <= 0:
            raise SimError(ErrorKind.INVALID_QUANTITY, "the amount must be positive")
        if wallets[source].get(asset, 0) < atoms:
            raise SimError(ErrorKind.INSUFFICIENT_BALANCE, f"insufficient {asset} in {source}")
        wallets[source][asset] -= atoms
        wallets[target][asset] = wallets[target].get(asset, 0) + atoms

    @locked
    def set_leverage(self, account: str, symbol: str, leverage: int) -> None:
        """Trade USDⓈ-M ``symbol`` at ``leverage`` (its margins follow)."""
        market = self.market(symbol)
        if not market.linear or not 1 <= leverage <= MAX_LEVERAGE:
            raise SimError(
                ErrorKind.MALFORMED_PARAMETER,
                f"leverage must be 1 to {MAX_LEVERAGE} on a perpetual",
                field="leverage",
            )
        self.account(account).leverage[market.symbol] = leverage

    def leverage(self, account: str, symbol: str) -> int:
        """The leverage ``account`` trades USDⓈ-M ``symbol`` at."""
        return self.account(account).leverage_of(self.market(symbol).symbol)

    @locked
    def fund_account(self, account: str, spot: Mapping[str, str | Decimal | float]) -> None:
        """Empty ``account`` (spot, margin, loans, futures wallet), then hold ``spot`` free."""
        acct = self.account(account)
        acct.spot_free.clear()
        acct.margin_free.clear()
        acct.margin_borrowed.clear()
        acct.futures_wallet = 0
        acct.funding.clear()
        for asset, amount in spot.items():
            self.set_balance(account, asset, amount)

    @locked
    def futures_account(self, account: str = "main") -> tuple[FuturesState, dict[str, int]]:
        """linear figures (atoms) and mark prices (ticks) of the linear markets."""
        self._sync()
        acct = self.account(account)
        marks = {s: round(b.synth.mid(self._t)) for s, b in self._books.items() if b.market.linear}
        return futures_state(acct, marks, self.markets), marks

    @locked
    def balances(self, account_type: str = "spot", account: str = "main") -> dict[str, dict]:
        """Balances by asset as Decimals: spot/margin/funding ``free``, ``locked`` (margin adds
        ``borrowed``, ``interest``, ``net``); future ``wallet``, ``margin``, ``available``,
        ``unrealized``, ``initial_margin`` for the quote asset."""
        self._sync()
        acct = self.account(account)
        unit = Decimal(ATOMS_PER_UNIT)
        if account_type == "spot":
            assets = sorted(set(acct.spot_free) | set(acct.spot_locked))
            return {
                a: {
                    "free": acct.spot_free.get(a, 0) / unit,
                    "locked": acct.spot_locked.get(a, 0) / unit,
                }
                for a in assets
            }
        if account_type == "margin":
            out = {}
            for a in sorted(set(acct.margin_free) | set(acct.margin_borrowed)):
                free, borrowed = acct.margin_free.get(a, 0), acct.margin_borrowed.get(a, 0)
                interest = acct.interest(a, self._t)
                out[a] = {
                    "free": free / unit,
                    "locked": Decimal(0),
                    "borrowed": borrowed / unit,
                    "interest": interest / unit,
                    "net": (free - borrowed - interest) / unit,
                }
            return out
        if account_type == "funding":
            return {
                a: {"free": v / unit, "locked": Decimal(0)} for a, v in sorted(acct.funding.items())
            }
        if account_type == "future":
            state = self._futures(acct)
            quote = next(m.quote for m in self.markets.values() if m.linear)
            return {
                quote: {
                    "wallet": state.wallet / unit,
                    "margin": state.margin_balance / unit,
                    "available": state.available / unit,
                    "unrealized": state.unrealized / unit,
                    "initial_margin": state.initial_margin / unit,
                }
            }
        raise ValueError(
            f"account_type must be one of {', '.join(ACCOUNT_TYPES)}, not {account_type!r}"
        )
