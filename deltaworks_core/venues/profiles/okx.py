"""OKX: one unified trading account (spot, margin, swap) and a separate funding account."""

from deltaworks_core.venues.profiles.base import (
    Capabilities,
    ClientIdRules,
    ExchangeProfile,
    HistoryPaging,
    Wallet,
)

PROFILE = ExchangeProfile(
    ccxt_id="okx",
    wallets=(
        # account/balance: every trading-account type reads the same unified wallet
        Wallet("trading", frozenset({"spot", "margin", "future"}), {"type": "trading"}),
        Wallet("funding", frozenset({"funding"}), {"type": "funding"}),  # asset/balances
    ),
    # asset/withdrawal-history: <= 100 a page, newest first, ccxt's until -> after cursor;
    # fiat has its own endpoints that ccxt does not use, so every record here is crypto
    withdrawals=HistoryPaging(page_size=100, cursor="until", window_ms=None),
    deposits=HistoryPaging(page_size=100, cursor="until", window_ms=None),  # deposit-history
    # clOrdId: letters and digits, 1-32 characters
    client_ids=ClientIdRules(
        param="clOrdId", lookup_param="clOrdId", pattern=r"[A-Za-z0-9]+", max_length=32
    ),
    capabilities=Capabilities(
        native_order_types=frozenset(
            {"market", "limit", "stop_loss", "stop_loss_limit", "take_profit", "take_profit_limit"}
        ),
        fetch_order_by_client_id=True,
        passphrase=True,
        fills_page=100,
        fills_window_ms=None,
    ),
    market_types=("spot", "swap"),
)
