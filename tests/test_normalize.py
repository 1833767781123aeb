"""Normalisation of ccxt's unified structures, checked on real recorded exchange responses.

The cases in tests/fixtures/ccxt/ are ccxt's own recordings (see the README
there): raw HTTP response plus ccxt's parsed result. Binance's raw responses
are also re-parsed with the installed ccxt, which is how variants real
exchanges send (unmapped statuses, missing fees, fiat, margin debt) are built.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import ccxt
import pytest

from deltaworks_core.models import Fill, Holding, Order, Withdrawal, utc_from_ms
from deltaworks_core.venues.normalize import (
    fill_from_trade,
    holdings_from_balance,
    order_from_ccxt,
    withdrawal_from_transaction,
)

FIXTURES = Path(__file__).parent / "fixtures" / "ccxt"
SNAPSHOT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@cache
def _fixture(exchange: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{exchange}.json").read_text())


def recorded(exchange: str, method: str, description: str) -> dict[str, Any]:
    """A deep copy of one recorded case (tests may modify it)."""
    for case in _fixture(exchange)["methods"][method]:
        if case["description"] == description:
            return copy.deepcopy(case)
    raise KeyError(f"{exchange}.{method}: no case {description!r}")


def parsed(exchange: str, method: str, description: str) -> Any:
    return recorded(exchange, method, description)["parsedResponse"]


# --- holdings ---------------------------------------------------------------------------


def test_spot_balance_skips_all_zero_assets() -> None:
    balance = parsed("binance", "fetchBalance", "Spot balance")
    assert holdings_from_balance(balance, "binance", "spot", SNAPSHOT) == [
        Holding(SNAPSHOT, "binance", "spot", "LTC", 0.919741, 0.0, 0.919741),
        Holding(SNAPSHOT, "binance", "spot", "ETH", 0.02229833, 0.0, 0.02229833),
    ]


def test_linear_swap_balance() -> None:
    balance = parsed("binance", "fetchBalance", "Linear swap balance")
    assert holdings_from_balance(balance, "binance", "future", SNAPSHOT) == [
        Holding(SNAPSHOT, "binance", "future", "USDT", 31.022612, 0.0, 31.022612),
    ]


def test_balance_with_totals_only_keeps_free_and_used_unknown() -> None:
    balance = parsed("binance", "fetchBalance", "fetch papi balance")
    holdings = holdings_from_balance(balance, "binance", "margin", SNAPSHOT)
    assert [(h.asset, h.free, h.used, h.total) for h in holdings] == [
        ("ETH", None, None, 0.00057786),
        ("USDT", None, None, 136.03451668),
        ("LTC", None, None, 0.000636),
        ("ADA", None, None, 10.0325),
    ]  # USDC: total 0, nothing else reported -> skipped


def test_linear_portfolio_margin_balance_keeps_only_non_zero_asset() -> None:
    balance = parsed("binance", "fetchBalance", "fetch linear papi balance")
    assert holdings_from_balance(balance, "binance", "future", SNAPSHOT) == [
        Holding(SNAPSHOT, "binance", "future", "USDT", 105.43419058, 0.0, 105.43419058),
    ]


def test_okx_funding_balance_and_empty_balance() -> None:
    funding, empty = (case["parsedResponse"] for case in _fixture("okx")["methods"]["fetchBalance"])
    assert holdings_from_balance(funding, "okx", "spot", SNAPSHOT) == [
        Holding(SNAPSHOT, "okx", "spot", "TUSD", 100.0, 0.0, 100.0),
    ]
    assert holdings_from_balance(empty, "okx", "spot", SNAPSHOT) == []


def test_futures_total_is_kept_when_free_plus_used_differs() -> None:
    # Binance USDⓈ-M: free = availableBalance (shared across assets), used =
    # initialMargin, total = marginBalance. Figures of USDT and USDC from the
    # futures account response recorded in ccxt's binance.json (fetchPositions).
    balance = {
        "info": {},
        "USDT": {"free": 18.65856952, "used": 7.59444356, "total": 4.27203287},
        "USDC": {"free": 18.65830123, "used": 0.0, "total": 22.0},
        "free": {},
        "used": {},
        "total": {},
    }
    holdings = holdings_from_balance(balance, "binance", "future", SNAPSHOT)
    assert [(h.asset, h.free, h.used, h.total) for h in holdings] == [
        ("USDT", 18.65856952, 7.59444356, 4.27203287),
        ("USDC", 18.65830123, 0.0, 22.0),
    ]


def test_total_is_derived_only_when_ccxt_has_none() -> None:
    balance = {"BTC": {"free": 0.5, "used": None, "total": None}, "ETH": {"free": None}}
    assert holdings_from_balance(balance, "x", "spot", SNAPSHOT) == [
        Holding(SNAPSHOT, "x", "spot", "BTC", 0.5, None, 0.5),
    ]


def test_holding_needs_utc_timestamp() -> None:
    balance = parsed("binance", "fetchBalance", "Spot balance")
    with pytest.raises(ValueError, match=r"Holding\.ts"):
        holdings_from_balance(balance, "binance", "spot", datetime(2026, 1, 2))


def test_non_numeric_balance_names_the_field() -> None:
    with pytest.raises(ValueError, match=r"'BTC\.free' must be a number, got 'abc'"):
        holdings_from_balance({"BTC": {"free": "abc"}}, "binance", "spot", SNAPSHOT)


# --- withdrawals ------------------------------------------------------------------------


def test_binance_crypto_withdrawal() -> None:
    (tx,) = parsed("binance", "fetchWithdrawals", "fetchWithdrawals")
    assert withdrawal_from_transaction(tx, "binance", "crypto") == Withdrawal(
        ts=datetime(2024, 5, 5, 15, 38, 56, tzinfo=UTC),
        exchange="binance",
        withdrawal_id="54c1b7543534543fsdfsdf6",
        kind="crypto",
        asset="USDT",
        amount=9.0,
        fee=1.0,
        network="TRX",
        address="TKRxCKea88FDKDSJFSDKJ43243K",
        tag=None,
        txid="FDSJHFKDSHFJ4KR5H4KJH3454JHK",
        status="ok",
        status_raw="6",
        internal=False,
        updated=None,
    )


def test_kraken_withdrawal_without_internal_flag() -> None:
    (tx,) = parsed("kraken", "fetchWithdrawals", "fetchWithdrawals")
    withdrawal = withdrawal_from_transaction(tx, "kraken", "crypto")
    assert withdrawal == Withdrawal(
        ts=datetime(2024, 5, 5, 15, 40, 2, tzinfo=UTC),
        exchange="kraken",
        withdrawal_id="FTM6UXZ-5jh345jkhfkdsjfhkjdf",
        kind="crypto",
        asset="USDT",
        amount=10.0,
        fee=3.0,
        network="TRC20",
        address="4h5j43kh5j3k4hjk5h34jk5",
        tag=None,
        txid="45j43kh54jk3h",
        status="ok",
        status_raw="Success",
        internal=False,
        updated=None,
    )


def test_withdrawal_rejects_deposits_and_bad_kind() -> None:
    (tx,) = parsed("binance", "fetchWithdrawals", "fetchWithdrawals")
    with pytest.raises(ValueError, match=r"'type' is 'deposit'"):
        withdrawal_from_transaction({**tx, "type": "deposit"}, "binance", "crypto")
    with pytest.raises(ValueError, match=r"Withdrawal\.kind: 'card'"):
        withdrawal_from_transaction(tx, "binance", "card")


@pytest.mark.parametrize("field", ["id", "timestamp", "currency", "amount"])
def test_withdrawal_missing_required_field_is_named(field: str) -> None:
    (tx,) = parsed("binance", "fetchWithdrawals", "fetchWithdrawals")
    tx[field] = None
    with pytest.raises(ValueError, match=rf"withdrawal from binance: required field '{field}'"):
        withdrawal_from_transaction(tx, "binance", "crypto")


# --- orders -----------------------------------------------------------------------------


def test_binance_closed_market_order() -> None:
    order = parsed("binance", "fetchOrder", "Fetch spot closed order")
    assert order_from_ccxt(order, "binance") == Order(
        id="3397148653",
        client_order_id="x-R4BD3S825806ed40c861260428a48c",
        exchange="binance",
        symbol="LTC/USDT",
        side="sell",
        type="market",
        time_in_force="GTC",
        price=90.8,
        amount=0.1,
        filled=0.1,
        remaining=0.0,
        average=90.8,
        status="closed",
        status_raw="FILLED",
        ts=datetime(2023, 3, 23, 11, 32, 54, 472000, tzinfo=UTC),
        trigger_price=None,
    )


@pytest.mark.parametrize(
    ("exchange", "method", "description", "expected"),
    [
        # (id, symbol, side, type, tif, price, amount, filled, remaining, status, raw, trigger)
        (
            "binance",
            "createOrder",
            "spot +selfTradePrevention +iceberg",
            (
                "9780331417",
                "SOL/USDT",
                "buy",
                "limit",
                "GTC",
                241.0,
                0.05,
                0.0,
                0.05,
                "open",
                "NEW",
                None,
            ),
        ),
        (
            "binance",
            "fetchOpenOrders",
            "Fetch spot open orders",
            (
                "3811057334",
                "LTC/USDT",
                "buy",
                "limit",
                "GTC",
                50.0,
                0.2,
                0.0,
                0.2,
                "open",
                "NEW",
                None,
            ),
        ),
        (
            "binance",
            "fetchOpenOrder",
            "swap open order",
            (
                "664082074",
                "LTC/USDT:USDT",
                "buy",
                "limit",
                "PO",
                50.0,
                0.2,
                0.0,
                0.2,
                "open",
                "NEW",
                None,
            ),
        ),
        (
            "binance",
            "fetchOrders",
            "fetch spot orders",
            (
                "3854801792",
                "LTC/USDT",
                "buy",
                "limit",
                "GTC",
                50.0,
                0.1,
                0.0,
                0.1,
                "canceled",
                "CANCELED",
                None,
            ),
        ),
        (
            "binance",
            "fetchOrders",
            "fetch portfolio margin orders",
            (
                "262065925771",
                "BTC/USDT:USDT",
                "buy",
                "market",
                "GTC",
                47279.4,
                0.01,
                0.01,
                0.0,
                "closed",
                "FILLED",
                None,
            ),
        ),
        (
            "kraken",
            "fetchOrder",
            "fetch spot limit order",
            (
                "OR6EGN-KQSEG-AMI6CL",
                "LTC/USDT",
                "buy",
                "limit",
                "PO",
                50.0,
                0.1,
                0.0,
                0.1,
                "open",
                "open",
                None,
            ),
        ),
        (
            "kraken",
            "fetchOrder",
            "closed market order",
            (
                "OGMZCL-KC6MC-ZRBGM6",
                "LTC/USDT",
                "buy",
                "market",
                "IOC",
                71.05741,
                0.1,
                0.1,
                0.0,
                "closed",
                "closed",
                None,
            ),
        ),
        (
            "kraken",
            "fetchOpenOrders",
            "open take-profit market order",
            (
                "OXCZ7B-EMVZQ-MTJTQJ",
                "LTC/USDT",
                "sell",
                "market",
                None,
                None,
                0.1,
                0.0,
                0.1,
                "open",
                "open",
                120.0,
            ),
        ),
        (
            "kraken",
            "fetchOpenOrders",
            "open stop-loss-limit order",
            (
                "OIIQBL-6PV3A-7M2AJJ",
                "LTC/USDT",
                "sell",
                "limit",
                None,
                54.0,
                0.1,
                0.0,
                0.1,
                "open",
                "open",
                55.0,
            ),
        ),
        (
            "okx",
            "fetchOrder",
            "fetch spot order",
            (
                "1339107111507525632",
                "LTC/USDT",
                "buy",
                "market",
                "IOC",
                101.58,
                0.1,
                0.1,
                0.0,
                "closed",
                "filled",
                None,
            ),
        ),
        (
            "okx",
            "fetchOpenOrders",
            "fetch swap limit open order with take profit and stop loss",
            (
                "645348448086081536",
                "ADA/USDT:USDT",
                "buy",
                "limit",
                "PO",
                0.2,
                50.0,
                0.0,
                50.0,
                "open",
                "live",
                None,
            ),
        ),
        (
            "bybit",
            "fetchClosedOrder",
            "Fetch swap closed order by its ID and symbol",
            (
                "aee7453a-a100-465f-857a-3db780e9329a",
                "BTC/USDT:USDT",
                "buy",
                "market",
                "IOC",
                123615.9,
                0.001,
                0.001,
                0.0,
                "closed",
                "Filled",
                None,
            ),
        ),
    ],
)
def test_recorded_orders(exchange: str, method: str, description: str, expected: tuple) -> None:
    result = parsed(exchange, method, description)
    raw = result[0] if isinstance(result, list) else result
    order = order_from_ccxt(raw, exchange)
    assert (
        order.id,
        order.symbol,
        order.side,
        order.type,
        order.time_in_force,
        order.price,
        order.amount,
        order.filled,
        order.remaining,
        order.status,
        order.status_raw,
        order.trigger_price,
    ) == expected
    assert order.exchange == exchange
    assert order.ts == utc_from_ms(raw["timestamp"])
    assert order.client_order_id == raw["clientOrderId"]


def test_order_canceling_counts_as_open_and_unknown_status_is_refused() -> None:
    order = parsed("binance", "fetchOrder", "Fetch spot closed order")
    assert order_from_ccxt({**order, "status": "canceling"}, "binance").status == "open"
    with pytest.raises(ValueError, match=r"'status' is 'triggered', expected one of canceled"):
        order_from_ccxt({**order, "status": "triggered"}, "binance")


@pytest.mark.parametrize(
    "field", ["id", "symbol", "side", "amount", "filled", "status", "timestamp"]
)
def test_order_missing_required_field_is_named(field: str) -> None:
    order = parsed("binance", "fetchOrder", "Fetch spot closed order")
    with pytest.raises(ValueError, match=rf"order from binance: required field '{field}'"):
        order_from_ccxt({**order, field: None}, "binance")


# --- fills ------------------------------------------------------------------------------


def test_binance_spot_fill() -> None:
    (trade,) = parsed("binance", "fetchMyTrades", "Spot private trade")
    assert fill_from_trade(trade, "binance", client_order_id="my-1") == Fill(
        ts=datetime(2023, 10, 24, 9, 16, 32, 358000, tzinfo=UTC),
        exchange="binance",
        fill_id="309520010",
        order_id="3784695242",
        client_order_id="my-1",
        symbol="LTC/USDT",
        side="sell",
        price=69.63,
        amount=0.2,
        cost=13.926,
        fee=0.013926,
        fee_currency="USDT",
        taker_or_maker="taker",
    )


@pytest.mark.parametrize(
    ("exchange", "description", "expected"),
    [
        (
            "binance",
            "Swap private trade",
            (
                "272536245",
                "3524852987",
                "BTC/USDT:USDT",
                "buy",
                36567.1,
                0.01,
                365.671,
                0.1462684,
                "USDT",
            ),
        ),
        (
            "okx",
            "Fetch spot trade",
            ("56181695", "639895991331667968", "LTC/USDT", "buy", 67.84, 0.1, 6.784, 0.0001, "LTC"),
        ),
        (
            "bybit",
            "spot private trade",
            (
                "2100000000047087120",
                "1550857400238740992",
                "BTC/USDT",
                "buy",
                29708.7,
                0.000336,
                9.9821232,
                3.36e-7,
                "BTC",
            ),
        ),
    ],
)
def test_recorded_fills(exchange: str, description: str, expected: tuple) -> None:
    (trade,) = parsed(exchange, "fetchMyTrades", description)
    fill = fill_from_trade(trade, exchange)
    assert (
        fill.fill_id,
        fill.order_id,
        fill.symbol,
        fill.side,
        fill.price,
        fill.amount,
        fill.cost,
        fill.fee,
        fill.fee_currency,
    ) == expected
    assert fill.ts == utc_from_ms(trade["timestamp"])
    assert fill.taker_or_maker == "taker"
    assert fill.client_order_id is None


def test_fill_without_fee_or_cost() -> None:
    (trade,) = parsed("binance", "fetchMyTrades", "Spot private trade")
    trade["fee"] = {"cost": None, "currency": None}
    trade["cost"] = None
    fill = fill_from_trade(trade, "binance")
    assert (fill.fee, fill.fee_currency) == (None, None)
    assert fill.cost == pytest.approx(13.926)
    assert fill_from_trade({**trade, "fee": None}, "binance").fee is None


def test_fill_missing_order_id_is_named() -> None:
    (trade,) = parsed("binance", "fetchMyTrades", "Spot private trade")
    with pytest.raises(ValueError, match=r"trade from binance: required field 'order'"):
        fill_from_trade({**trade, "order": None}, "binance")


# --- recorded raw responses through the installed ccxt ---------------------------------


def _market(base: str, linear: bool) -> dict[str, Any]:
    return {
        "id": f"{base}USDT",
        "symbol": f"{base}/USDT:USDT" if linear else f"{base}/USDT",
        "base": base,
        "quote": "USDT",
        "settle": "USDT" if linear else None,
        "baseId": base,
        "quoteId": "USDT",
        "settleId": "USDT" if linear else None,
        "type": "swap" if linear else "spot",
        "spot": not linear,
        "swap": linear,
        "contract": linear,
        "linear": True if linear else None,
        "contractSize": 1 if linear else None,
        "precision": {"amount": 1e-8, "price": 1e-8},
    }


@pytest.fixture(scope="module")
def binance() -> ccxt.binance:
    """An offline ``ccxt.binance`` knowing the markets the recorded cases use."""
    exchange = ccxt.binance()
    markets = [_market(base, linear) for base in ("BTC", "LTC", "SOL") for linear in (False, True)]
    exchange.set_markets([exchange.safe_market_structure(market) for market in markets])
    return exchange


def _reparse(binance: ccxt.binance, case: dict[str, Any]) -> Any:
    method, args, raw = case["method"], case["input"], case["httpResponse"]
    if method == "fetchBalance":
        params = args[0] if args else {}
        if params.get("type") == "papi":
            return binance.parse_balance_custom(raw, params.get("subType"), None, True)
        return binance.parse_balance_custom(raw, "linear" if params.get("type") else "spot")
    if method in ("createOrder", "fetchOrder", "fetchOpenOrder"):
        symbol = args[0] if method == "createOrder" else args[1]
        return binance.parse_order(raw, binance.market(symbol))
    if method in ("fetchOpenOrders", "fetchOrders"):
        return binance.parse_orders(raw, binance.market(args[0]))
    if method == "fetchMyTrades":
        return binance.parse_trades(raw, binance.market(args[0]))
    if method in ("fetchWithdrawals", "fetchDeposits"):
        return binance.parse_transactions(raw)
    if method == "withdraw":
        return binance.parse_transaction(raw, binance.currency(args[0]))
    if method == "fetchDepositAddress":
        return binance.parse_deposit_address(raw, binance.currency(args[0]))
    if method == "fetchOHLCV":
        return binance.parse_ohlcvs(raw, binance.market(args[0]), args[1])
    if method == "editOrders":
        return [binance.parse_order(row, binance.market(row["symbol"])) for row in raw]
    assert method == "fetchOrderBook"
    book = binance.parse_order_book(raw, args[0], binance.safe_integer(raw, "T"))
    book["nonce"] = binance.safe_integer(raw, "lastUpdateId")
    return book


@pytest.mark.parametrize(
    "case",
    [case for cases in _fixture("binance")["methods"].values() for case in cases],
    ids=lambda case: f"{case['method']}: {case['description']}",
)
def test_binance_raw_responses_parse_to_recorded_results(binance: ccxt.binance, case: dict) -> None:
    result = json.loads(json.dumps(_reparse(binance, case)))
    expected = copy.deepcopy(case["parsedResponse"])
    if case["method"] in ("fetchWithdrawals", "fetchDeposits"):
        # Without loaded currencies ccxt 4.5 reports Binance's network id TRX as TRC20.
        assert [tx.pop("network") for tx in result] == ["TRC20"]
        assert [tx.pop("network") for tx in expected] == ["TRX"]
    if case["method"] == "fetchDepositAddress":
        # ... and cannot tell the network from the address's explorer URL.
        assert (result.pop("network"), expected.pop("network")) == (None, "TRC20")
    assert result == expected


def _binance_withdrawal(binance: ccxt.binance, **changes: Any) -> dict[str, Any]:
    (raw,) = recorded("binance", "fetchWithdrawals", "fetchWithdrawals")["httpResponse"]
    return binance.parse_transaction({**raw, **changes})


def test_withdrawal_status_ccxt_does_not_map_is_unknown_with_raw_value(binance) -> None:
    tx = _binance_withdrawal(binance, status="7")
    assert tx["status"] == "7"  # ccxt passes it through
    withdrawal = withdrawal_from_transaction(tx, "binance", "crypto")
    assert (withdrawal.status, withdrawal.status_raw) == ("unknown", "7")


@pytest.mark.parametrize(("raw", "status"), [("0", "pending"), ("3", "failed"), ("1", "canceled")])
def test_withdrawal_statuses_ccxt_maps(binance, raw: str, status: str) -> None:
    withdrawal = withdrawal_from_transaction(
        _binance_withdrawal(binance, status=raw), "binance", "crypto"
    )
    assert (withdrawal.status, withdrawal.status_raw) == (status, raw)


def test_withdrawal_without_fee_tag_or_txid(binance) -> None:
    (raw,) = recorded("binance", "fetchWithdrawals", "fetchWithdrawals")["httpResponse"]
    del raw["transactionFee"], raw["txId"]
    tx = binance.parse_transaction({**raw, "addressTag": ""})
    withdrawal = withdrawal_from_transaction(tx, "binance", "crypto")
    assert (withdrawal.fee, withdrawal.tag, withdrawal.txid) == (None, None, None)
    assert withdrawal.amount == 9.0


def test_internal_transfer_withdrawal(binance) -> None:
    tx = _binance_withdrawal(binance, transferType="1")
    assert withdrawal_from_transaction(tx, "binance", "crypto").internal is True


def test_fiat_withdrawal_with_update_time_and_unmapped_status(binance) -> None:
    # A row of GET /sapi/v1/fiat/orders as documented in ccxt's binance.py.
    raw = {
        "orderNo": "CJW684897551397171200",
        "fiatCurrency": "GBP",
        "indicatedAmount": "29.99",
        "amount": "28.49",
        "totalFee": "1.50",
        "method": "bank transfer",
        "status": "Successful",
        "createTime": 1614898701000,
        "updateTime": 1614898820000,
        "type": "withdrawal",  # set by ccxt's fetch_withdrawals
    }
    withdrawal = withdrawal_from_transaction(binance.parse_transaction(raw), "binance", "fiat")
    assert withdrawal == Withdrawal(
        ts=datetime(2021, 3, 4, 22, 58, 21, tzinfo=UTC),
        exchange="binance",
        withdrawal_id="CJW684897551397171200",
        kind="fiat",
        asset="GBP",
        amount=28.49,
        fee=1.5,
        network=None,
        address=None,
        tag=None,
        txid=None,
        status="ok",
        status_raw="Successful",
        internal=False,
        updated=datetime(2021, 3, 4, 23, 0, 20, tzinfo=UTC),
    )
    finished = binance.parse_transaction({**raw, "status": "Finished"})
    assert withdrawal_from_transaction(finished, "binance", "fiat") == replace(
        withdrawal, status="unknown", status_raw="Finished"
    )


def test_margin_debt_keeps_an_otherwise_empty_asset(binance) -> None:
    raw = recorded("binance", "fetchBalance", "fetch papi balance")["httpResponse"]
    balance = binance.parse_balance_custom(raw, "margin", None, True)
    holdings = {h.asset: h for h in holdings_from_balance(balance, "binance", "margin", SNAPSHOT)}
    assert holdings["USDC"] == Holding(
        SNAPSHOT, "binance", "margin", "USDC", 0.0, 0.0, 0.0, debt=pytest.approx(0.00017186)
    )
    assert holdings["USDT"].total == 30.6003261
    assert holdings["USDT"].debt == pytest.approx(0.00011146 + 0.00007902)
    assert "ETH" not in holdings
