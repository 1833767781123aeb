"""Kraken spot: one wallet (BalanceEx) behind spot and margin; futures is another exchange."""

from deltaworks_core.venues.profiles.base import (
    Capabilities,
    ClientIdRules,
    ExchangeProfile,
    HistoryPaging,
    Wallet,
)

PROFILE = ExchangeProfile(
    ccxt_id="kraken",
    wallets=(Wallet("spot", frozenset({"spot", "margin"}), {}),),
    # WithdrawStatus / DepositStatus: crypto and fiat on one endpoint, newest first, up to
    # 500 a call between start and end; a record is fiat when its currency is (USDT is crypto)
    withdrawals=HistoryPaging(page_size=500, cursor="until", window_ms=None, fiat_by_currency=True),
    deposits=HistoryPaging(page_size=500, cursor="until", window_ms=None, fiat_by_currency=True),
    # cl_ord_id: a UUID or free text of up to 18 characters. ccxt.kraken's fetch_order
    # always sends txid (None without an order id), so orders are found by client id among
    # the open and closed orders instead
    client_ids=ClientIdRules(
        param="cl_ord_id", lookup_param=None, pattern=r"[A-Za-z0-9_-]+", max_length=18
    ),
    capabilities=Capabilities(
        native_order_types=frozenset(
            {"market", "limit", "stop_loss", "stop_loss_limit", "take_profit", "take_profit_limit"}
        ),
        fetch_order_by_client_id=False,
        fills_page=50,
        fills_window_ms=None,
    ),
)
