"""Coinbase Advanced Trade: spot and margin read the same v2/accounts wallet."""

from deltaworks_core.venues.profiles.base import (
    Capabilities,
    ClientIdRules,
    ExchangeProfile,
    HistoryPaging,
    Wallet,
)

# v2/accounts/:id/withdrawals|deposits (fiat) and .../transactions (crypto): one account
# (currency) per call, 100 a page newest first, next page by starting_after
_HISTORY = HistoryPaging(
    page_size=100,
    cursor="starting_after",
    window_ms=None,
    currency_required=True,
    passes=({}, {"currencyType": "crypto"}),
    fiat_by_currency=True,
)

PROFILE = ExchangeProfile(
    ccxt_id="coinbase",
    wallets=(Wallet("spot", frozenset({"spot", "margin"}), {}),),
    withdrawals=_HISTORY,
    deposits=_HISTORY,
    # client_order_id: ccxt would generate its own unless the raw parameter is sent;
    # orders cannot be fetched by it, so reconcile by open orders and fills
    client_ids=ClientIdRules(
        param="client_order_id", lookup_param=None, pattern=r"[A-Za-z0-9_-]+", max_length=128
    ),
    capabilities=Capabilities(
        native_order_types=frozenset({"market", "limit", "stop_loss_limit"}),
        fetch_order_by_client_id=False,
        fills_page=100,
        fills_window_ms=None,
    ),
)
