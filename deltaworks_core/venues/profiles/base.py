"""``ExchangeProfile``: what one exchange does differently, stated once as data."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

DAY_MS = 86_400_000


@dataclass(frozen=True)
class Wallet:
    """One distinct wallet: the configured account types it serves and the call that reads it.

    ``label`` is what holdings rows carry as ``account_type``; a wallet that several
    account types share (a unified trading account) is read and counted once.
    """

    label: str
    account_types: frozenset[str]
    balance_params: Mapping[str, Any]


# ISO 4217 currencies exchanges settle in; stablecoins (USDT, USDC, ...) are crypto.
FIAT_CURRENCIES = frozenset(
    [
        "AED",
        "ARS",
        "AUD",
        "BRL",
        "CAD",
        "CHF",
        "CLP",
        "COP",
        "CZK",
        "DKK",
        "EUR",
        "GBP",
        "HKD",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "JPY",
        "KRW",
        "KZT",
        "MXN",
        "NGN",
        "NOK",
        "NZD",
        "PEN",
        "PHP",
        "PLN",
        "RON",
        "RUB",
        "SEK",
        "SGD",
        "THB",
        "TRY",
        "TWD",
        "UAH",
        "USD",
        "VND",
        "ZAR",
    ]
)


@dataclass(frozen=True)
class HistoryPaging:
    """How ``fetch_withdrawals`` or ``fetch_deposits`` pages through history.

    ``cursor``: ``"offset"`` (next page by ``offset`` within a window, Binance),
    ``"until"`` (next page ends just after the oldest record seen, newest first: OKX's
    ``after``, Bybit's and Kraken's ranges) or ``"starting_after"`` (next page after the
    last record's id, newest first: Coinbase's v2 pagination). ``window_ms``: the longest
    span one request may cover (``None``: any). ``fiat_pass``: fiat comes from a separate
    call (``{"fiat": True}``, Binance). ``currency_required``: the exchange lists history
    per currency (account), so every currency the account holds is read in turn.
    ``passes``: the params of each call over the same history (Coinbase lists fiat
    withdrawals and crypto sends apart). ``fiat_by_currency``: crypto and fiat come on
    the same records, told apart by the record's currency (``FIAT_CURRENCIES``); otherwise
    every record of a pass is crypto, and of the fiat pass fiat.
    """

    page_size: int
    cursor: Literal["offset", "until", "starting_after"]
    window_ms: int | None
    fiat_pass: bool = False
    currency_required: bool = False
    passes: tuple[Mapping[str, Any], ...] = ({},)
    fiat_by_currency: bool = False

    def kind(self, tx: Mapping[str, Any], fiat_pass: bool) -> Literal["crypto", "fiat"]:
        """``crypto`` or ``fiat`` for one ccxt transaction read by a crypto or fiat pass."""
        if self.fiat_by_currency:
            return "fiat" if str(tx.get("currency")) in FIAT_CURRENCIES else "crypto"
        return "fiat" if fiat_pass else "crypto"


@dataclass(frozen=True)
class ClientIdRules:
    """Client order ids: the ccxt parameter to send, the exchange's grammar and the lookup.

    ``param``: the key passed to ccxt's ``create_order`` params; ``lookup_param``: the key
    ``fetch_order`` reads a client id from (``None``: the exchange cannot look an order
    up by client id; reconcile by open orders and recent fills instead).
    """

    param: str
    lookup_param: str | None
    pattern: str
    max_length: int

    def is_valid(self, client_id: str) -> bool:
        """Whether the exchange accepts ``client_id`` as it is."""
        return (
            len(client_id) <= self.max_length and re.fullmatch(self.pattern, client_id) is not None
        )

    def wire_id(self, client_id: str) -> str:
        """``client_id`` as sent to the exchange: itself when valid, else a digest of it.

        Deterministic (the same service id always gives the same wire id, so an order is
        found again after a restart) and collision-free for practical purposes: a
        digest is ``dw`` followed by hex of SHA-256, as many characters as the exchange
        allows (up to 32, i.e. 120 bits).
        """
        if self.is_valid(client_id):
            return client_id
        digest = hashlib.sha256(client_id.encode()).hexdigest()
        return ("dw" + digest)[: min(self.max_length, 32)]


@dataclass(frozen=True)
class Capabilities:
    """What the exchange offers natively; everything else the service emulates or skips."""

    native_order_types: frozenset[str]
    fetch_order_by_client_id: bool
    passphrase: bool = False
    fills_page: int = 1000
    fills_window_ms: int | None = DAY_MS  # None: one request may span any time


@dataclass(frozen=True)
class ExchangeProfile:
    """Everything Delta Works needs to know about one ccxt exchange class."""

    ccxt_id: str
    wallets: tuple[Wallet, ...]
    withdrawals: HistoryPaging
    deposits: HistoryPaging
    client_ids: ClientIdRules
    capabilities: Capabilities
    market_types: tuple[str, ...] = ("spot",)  # ccxt's fetchMarkets types Delta Works trades
    simulator_options: Mapping[str, Any] = field(default_factory=dict)  # ccxt options there

    @property
    def account_types(self) -> frozenset[str]:
        """Every account type a configuration may name for this exchange."""
        return frozenset(t for w in self.wallets for t in w.account_types)

    def wallets_for(self, account_types: Iterable[str]) -> list[Wallet]:
        """The distinct wallets behind ``account_types``, each once, in profile order.

        Raises ``ValueError`` naming an account type the exchange does not have.
        """
        wanted = set(account_types)
        unknown = sorted(wanted - self.account_types)
        if unknown:
            raise ValueError(
                f"{self.ccxt_id} has no account type {', '.join(map(repr, unknown))}; "
                f"allowed: {', '.join(sorted(self.account_types))}"
            )
        return [w for w in self.wallets if w.account_types & wanted]
