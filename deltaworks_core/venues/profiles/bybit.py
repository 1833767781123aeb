"""Bybit (unified trading account): spot, margin and derivatives share one wallet."""

from deltaworks_core.venues.profiles.base import (
    DAY_MS,
    Capabilities,
    ClientIdRules,
    ExchangeProfile,
    HistoryPaging,
    Wallet,
)

PROFILE = ExchangeProfile(
    ccxt_id="bybit",
    wallets=(
        # v5/account/wallet-balance?accountType=UNIFIED for every trading type
        Wallet("unified", frozenset({"spot", "margin", "future"}), {"type": "unified"}),
        Wallet("funding", frozenset({"funding"}), {"type": "funding"}),
    ),
    # v5/asset/withdraw/query-record: <= 50 a page by nextPageCursor, <= 30 days a request
    withdrawals=HistoryPaging(page_size=50, cursor="until", window_ms=30 * DAY_MS),
    # v5/asset/deposit/query-record: the same limits; Bybit's history has no fiat
    deposits=HistoryPaging(page_size=50, cursor="until", window_ms=30 * DAY_MS),
    # orderLinkId: up to 36 of letters, digits, '-' and '_'
    # ccxt.bybit's fetch_order sends orderId (None without an order id) and reads only the
    # last 500 orders, so orders are found by client id among the open and closed orders
    client_ids=ClientIdRules(
        param="orderLinkId", lookup_param=None, pattern=r"[A-Za-z0-9_-]+", max_length=36
    ),
    capabilities=Capabilities(
        native_order_types=frozenset(
            {"market", "limit", "stop_loss", "stop_loss_limit", "take_profit", "take_profit_limit"}
        ),
        fetch_order_by_client_id=False,
        fills_page=100,
        fills_window_ms=7 * DAY_MS,
    ),
    market_types=("spot", "linear"),
)
