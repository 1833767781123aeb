"""Binance: separate spot, cross-margin and USDⓈ-M futures wallets; offset-paged history."""

from deltaworks_core.venues.profiles.base import (
    DAY_MS,
    Capabilities,
    ClientIdRules,
    ExchangeProfile,
    HistoryPaging,
    Wallet,
)

PROFILE = ExchangeProfile(
    ccxt_id="binance",
    wallets=(
        Wallet("spot", frozenset({"spot"}), {"type": "spot"}),
        Wallet("margin", frozenset({"margin"}), {"type": "margin"}),
        Wallet("future", frozenset({"future"}), {"type": "future"}),
    ),
    # capital/withdraw/history: limit <= 1000 by offset, <= 90 days; fiat/orders is another pass
    withdrawals=HistoryPaging(
        page_size=1000, cursor="offset", window_ms=90 * DAY_MS, fiat_pass=True
    ),
    # capital/deposit/hisrec: the same rules; fiat/orders (transactionType 0) for fiat
    deposits=HistoryPaging(page_size=1000, cursor="offset", window_ms=90 * DAY_MS, fiat_pass=True),
    # newClientOrderId ^[.A-Z:/a-z0-9_-]{1,36}$; ccxt maps clientOrderId to it
    client_ids=ClientIdRules(
        param="clientOrderId",
        lookup_param="origClientOrderId",
        pattern=r"[.A-Z:/a-z0-9_-]+",
        max_length=36,
    ),
    capabilities=Capabilities(
        native_order_types=frozenset(
            {"market", "limit", "stop_loss", "stop_loss_limit", "take_profit", "take_profit_limit"}
        ),
        fetch_order_by_client_id=True,
    ),
    market_types=("spot", "linear"),
    # the simulator serves exchangeInfo only, no sapi currency or margin calls
    simulator_options={"fetchCurrencies": False, "fetchMargins": False},
)
