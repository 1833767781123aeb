"""Contract tests per exchange with unmodified ccxt: the requests ccxt builds for what the
profiles ask (recorded at ccxt's ``fetch``, never sent), and ccxt's recorded real responses
(``tests/fixtures/ccxt/``) read through the profile's paging."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import ccxt
import pytest

from deltaworks_core.venues.history import fetch_history
from deltaworks_core.venues.normalize import withdrawal_from_transaction
from deltaworks_core.venues.profiles import PROFILES, profile_for

FIXTURES = Path(__file__).parent / "fixtures" / "ccxt"
SERVICE_ID = "r7f3c2a19-sim_a"
SINCE = 1_714_000_000_000


class Recorded(Exception):
    """Raised by the recording ``fetch``: the request was built and not sent."""


def _market(ccxt_id: str) -> dict[str, Any]:
    """A minimal spot BTC/USDT market as ccxt's ``load_markets`` would build it."""
    ids = {"binance": "BTCUSDT", "okx": "BTC-USDT", "bybit": "BTCUSDT", "kraken": "XBTUSDT"}
    return {
        "id": ids.get(ccxt_id, "BTC-USDT"),
        "symbol": "BTC/USDT",
        "base": "BTC",
        "quote": "USDT",
        "baseId": "BTC",
        "quoteId": "USDT",
        "altname": "XBTUSDT",
        "type": "spot",
        "spot": True,
        "margin": False,
        "swap": False,
        "future": False,
        "option": False,
        "contract": False,
        "linear": None,
        "inverse": None,
        "active": True,
        "precision": {"amount": 1e-8, "price": 0.1},
        "limits": {"amount": {"min": 1e-8}, "price": {}, "cost": {}},
        "info": {"orderTypes": ["LIMIT", "MARKET"]} if ccxt_id == "binance" else {},
    }


def _exchange(ccxt_id: str) -> tuple[Any, list[tuple[str, str, dict[str, Any]]]]:
    """A ccxt exchange whose every request is recorded as (method, path, params) and refused."""
    credentials = {"apiKey": "k", "secret": "c2VjcmV0", "password": "p"}
    # no client-side rate limiter: nothing is sent (Binance's fiat weight would wait ~30 s)
    exchange = getattr(ccxt, ccxt_id)({**credentials, "enableRateLimit": False})
    exchange.options.update(enableUnifiedMargin=False, enableUnifiedAccount=True)
    exchange.set_markets([_market(ccxt_id)], {})
    exchange.accounts = [{"id": "acct-usdt", "code": "USDT", "type": "wallet", "info": {}}]
    sent: list[tuple[str, str, dict[str, Any]]] = []

    def record(url: str, method: str = "GET", headers: Any = None, body: Any = None) -> Any:
        parsed = urlparse(url)
        params = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        if body:
            try:
                decoded = json.loads(body)
            except ValueError:
                decoded = {k: v[-1] for k, v in parse_qs(body).items()}
            if isinstance(decoded, list):  # a batch of one order (OKX)
                decoded = decoded[0]
            params.update(decoded)
        sent.append((method, parsed.path, params))
        raise Recorded(url)

    exchange.fetch = record
    return exchange, sent


def _last(exchange: Any, sent: list, call: Any) -> tuple[str, str, dict[str, Any]]:
    with pytest.raises(Recorded):
        call(exchange)
    return sent[-1]


# ccxt id -> the endpoint (path suffix) each profile call must reach
ENDPOINTS = {
    "binance": {
        "withdrawals": "/sapi/v1/capital/withdraw/history",
        "deposits": "/sapi/v1/capital/deposit/hisrec",
        "create": "/api/v3/order",
        "lookup": "/api/v3/order",
        "fills": "/api/v3/myTrades",
    },
    "okx": {
        "withdrawals": "/api/v5/asset/withdrawal-history",
        "deposits": "/api/v5/asset/deposit-history",
        "create": "/api/v5/trade/batch-orders",
        "lookup": "/api/v5/trade/order",
        "fills": "/api/v5/trade/fills-history",
    },
    "bybit": {
        "withdrawals": "/v5/asset/withdraw/query-record",
        "deposits": "/v5/asset/deposit/query-record",
        "create": "/v5/order/create",
        "fills": "/v5/execution/list",
    },
    "kraken": {
        "withdrawals": "/0/private/WithdrawStatus",
        "deposits": "/0/private/DepositStatus",
        "create": "/0/private/AddOrder",
        "fills": "/0/private/TradesHistory",
    },
    "coinbase": {
        "withdrawals": "/v2/accounts/acct-usdt/withdrawals",
        "deposits": "/v2/accounts/acct-usdt/deposits",
        "create": "/api/v3/brokerage/orders",
        "fills": "/api/v3/brokerage/orders/historical/fills",
    },
}


@pytest.mark.parametrize("direction", ["withdrawals", "deposits"])
@pytest.mark.parametrize("ccxt_id", sorted(PROFILES))
def test_history_requests_follow_the_profile(ccxt_id: str, direction: str) -> None:
    paging = getattr(profile_for(ccxt_id), direction)
    exchange, sent = _exchange(ccxt_id)
    code = "USDT" if paging.currency_required else None
    fetch = getattr(exchange, f"fetch_{direction}")
    _, path, params = _last(
        exchange, sent, lambda _: fetch(code, SINCE, paging.page_size, dict(paging.passes[0]))
    )
    assert path.endswith(ENDPOINTS[ccxt_id][direction]), path
    if ccxt_id != "kraken":  # Kraken's history takes no limit: it answers up to its page
        limit = params.get("limit") or params.get("rows")
        assert int(limit) == paging.page_size, params


@pytest.mark.parametrize("ccxt_id", sorted(PROFILES))
def test_order_entry_sends_a_valid_client_id(ccxt_id: str) -> None:
    rules = profile_for(ccxt_id).client_ids
    wire = rules.wire_id(SERVICE_ID)
    exchange, sent = _exchange(ccxt_id)
    _, path, params = _last(
        exchange,
        sent,
        lambda x: x.create_order("BTC/USDT", "limit", "buy", 0.001, 50000, {rules.param: wire}),
    )
    assert path.endswith(ENDPOINTS[ccxt_id]["create"]), path
    sent_ids = [v for v in params.values() if v == wire]
    assert sent_ids, f"{ccxt_id} dropped the client id: {params}"
    assert rules.is_valid(wire)


@pytest.mark.parametrize("ccxt_id", sorted(PROFILES))
def test_lookup_by_client_id_sends_it(ccxt_id: str) -> None:
    rules = profile_for(ccxt_id).client_ids
    if rules.lookup_param is None:
        assert not profile_for(ccxt_id).capabilities.fetch_order_by_client_id
        return
    wire = rules.wire_id(SERVICE_ID)
    exchange, sent = _exchange(ccxt_id)
    lookup = {rules.lookup_param: wire}
    _, path, params = _last(exchange, sent, lambda x: x.fetch_order(None, "BTC/USDT", lookup))
    assert ENDPOINTS[ccxt_id]["lookup"] in path, path
    assert wire in params.values(), params
    assert "None" not in map(str, params.values()), params


@pytest.mark.parametrize("ccxt_id", sorted(PROFILES))
def test_fills_are_paged_by_the_profile(ccxt_id: str) -> None:
    caps = profile_for(ccxt_id).capabilities
    exchange, sent = _exchange(ccxt_id)
    _, path, params = _last(
        exchange, sent, lambda x: x.fetch_my_trades("BTC/USDT", SINCE, caps.fills_page)
    )
    assert path.endswith(ENDPOINTS[ccxt_id]["fills"]), path
    if ccxt_id != "kraken":  # TradesHistory pages by ofs, 50 a call
        # OKX's fills-history sends no limit with a begin: its default page is 100
        assert int(params.get("limit", 100)) == caps.fills_page, params


def _recorded(ccxt_id: str, method: str) -> list[dict[str, Any]]:
    return json.loads((FIXTURES / f"{ccxt_id}.json").read_text())["methods"][method]


def test_kraken_recorded_usdt_withdrawal_and_deposit_are_crypto() -> None:
    """Kraken lists crypto and fiat on one endpoint: the recorded USDT (TRC20) records are
    crypto, told from the record, each read once."""
    for direction, method in (("withdrawals", "fetchWithdrawals"), ("deposits", "fetchDeposits")):
        [case] = _recorded("kraken", method)
        exchange, sent = _exchange("kraken")
        exchange.fetch = lambda *a, case=case, sent=sent, **k: (
            sent.append(a) or case["httpResponse"]
        )
        found = fetch_history(exchange, direction, SINCE, SINCE + 30 * 86_400_000)
        assert [(kind, tx["currency"]) for kind, tx in found] == [("crypto", "USDT")]
        assert len(sent) == 1  # a short page ends the history
    [case] = _recorded("kraken", "fetchWithdrawals")
    tx = case["parsedResponse"][0]
    assert withdrawal_from_transaction(tx, "kraken", "crypto").fee == 3


def test_kraken_fiat_is_told_from_the_currency() -> None:
    [case] = _recorded("kraken", "fetchWithdrawals")
    paging = profile_for("kraken").withdrawals
    usdt = case["parsedResponse"][0]
    assert paging.kind(usdt, fiat_pass=False) == "crypto"
    assert paging.kind({**usdt, "currency": "EUR"}, fiat_pass=False) == "fiat"
    # Binance keeps fiat on its own endpoint: the pass decides
    assert profile_for("binance").withdrawals.kind(usdt, fiat_pass=True) == "fiat"


def _replay(exchange: Any, answers: dict[str, Any]) -> list[str]:
    """Answer each request with the recorded response of the first endpoint its path ends
    with; returns the paths requested."""
    paths: list[str] = []

    def answer(url: str, method: str = "GET", headers: Any = None, body: Any = None) -> Any:
        path = urlparse(url).path
        paths.append(path)
        return next(response for suffix, response in answers.items() if path.endswith(suffix))

    exchange.fetch = answer
    return paths


@pytest.mark.parametrize(
    ("direction", "method", "endpoint"),
    [
        ("withdrawals", "fetchWithdrawals", "/capital/withdraw/history"),
        ("deposits", "fetchDeposits", "/capital/deposit/hisrec"),
    ],
)
def test_binance_recorded_history_read_by_crypto_and_fiat_passes(
    direction: str, method: str, endpoint: str
) -> None:
    [case] = _recorded("binance", method)
    exchange, _ = _exchange("binance")
    no_fiat = {"code": "000000", "message": "success", "data": [], "total": 0, "success": True}
    paths = _replay(exchange, {endpoint: case["httpResponse"], "/fiat/orders": no_fiat})
    found = fetch_history(exchange, direction, SINCE, SINCE + 30 * 86_400_000)
    assert [(kind, tx["id"]) for kind, tx in found] == [("crypto", case["parsedResponse"][0]["id"])]
    # one window: a short crypto page and a short fiat page end it
    assert [p.rsplit("/", 2)[-2:] for p in paths] == [
        endpoint.rsplit("/", 2)[-2:],
        ["fiat", "orders"],
    ]


def test_coinbase_history_is_read_per_currency_account_in_both_passes() -> None:
    """Coinbase refuses history without an account: every currency account is read, by
    its fiat withdrawals endpoint and its crypto transactions."""
    exchange, _ = _exchange("coinbase")
    account = {
        "uuid": "acct-usdt",
        "name": "USDT Wallet",
        "currency": "USDT",
        "available_balance": {"value": "1", "currency": "USDT"},
        "hold": {"value": "0", "currency": "USDT"},
        "type": "ACCOUNT_TYPE_CRYPTO",
        "active": True,
        "ready": True,
    }
    empty = {"data": [], "pagination": {}}
    paths = _replay(
        exchange,
        {
            "/brokerage/accounts": {"accounts": [account], "has_next": False, "size": 1},
            "/withdrawals": empty,
            "/transactions": empty,
        },
    )
    assert fetch_history(exchange, "withdrawals", SINCE, SINCE + 86_400_000) == []
    assert paths == [
        "/api/v3/brokerage/accounts",
        "/v2/accounts/acct-usdt/withdrawals",
        "/v2/accounts/acct-usdt/transactions",
    ]
