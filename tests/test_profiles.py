"""Exchange profiles: wallets read once, valid client ids, configuration checked against them."""

from __future__ import annotations

import re
from typing import Any, NoReturn

import ccxt
import pytest

from deltaworks_core.config import ConfigError, settings_from_dict
from deltaworks_core.venues.profiles import PROFILES, profile_for

SERVICE_IDS = ["r7f3c2a19-sim_a", "a1b2c3d4e5f6-3", "dw-algo-0000000000000000000000000042", "x"]


def _requests(exchange: ccxt.Exchange) -> list[str]:
    """Every URL ``exchange`` builds, recorded at ccxt's ``fetch`` and never sent."""
    sent: list[str] = []

    def record(url: str, method: str = "GET", headers: Any = None, body: Any = None) -> NoReturn:
        sent.append(f"{method} {url} {body or ''}")
        raise ccxt.NetworkError("recorded, not sent")

    exchange.fetch = record
    return sent


def test_every_profile_is_found_by_its_ccxt_id() -> None:
    assert set(PROFILES) == {"binance", "okx", "bybit", "kraken", "coinbase"}
    with pytest.raises(ValueError, match=r"'htx' has no exchange profile.*binance, bybit"):
        profile_for("htx")


def test_okx_trading_types_share_one_wallet_and_funding_is_its_own() -> None:
    okx = profile_for("okx")
    wallets = okx.wallets_for(["spot", "margin", "future", "funding"])
    assert [w.label for w in wallets] == ["trading", "funding"]
    assert [w.label for w in okx.wallets_for(["spot", "future"])] == ["trading"]
    binance = profile_for("binance").wallets_for(["spot", "margin", "future"])
    assert [w.label for w in binance] == ["spot", "margin", "future"]
    with pytest.raises(ValueError, match="kraken has no account type 'future'"):
        profile_for("kraken").wallets_for(["spot", "future"])


@pytest.mark.parametrize("ccxt_id", sorted(PROFILES))
def test_distinct_wallets_hit_distinct_endpoints(ccxt_id: str) -> None:
    """Each wallet's fetch_balance builds a request no other wallet of the profile builds."""
    profile = profile_for(ccxt_id)
    exchange = getattr(ccxt, ccxt_id)({"apiKey": "k", "secret": "c2VjcmV0", "password": "p"})
    exchange.markets, exchange.currencies = {}, {}
    exchange.options["fetchMarkets"] = {"types": []}
    # Bybit: the profile describes the unified trading account (UTA); skip ccxt's probe of it
    exchange.options.update(enableUnifiedMargin=False, enableUnifiedAccount=True)
    sent = _requests(exchange)
    urls = []
    for wallet in profile.wallets_for(profile.account_types):
        with pytest.raises(ccxt.BaseError):
            exchange.fetch_balance(dict(wallet.balance_params))
        urls.append(re.sub(r"[?&](nonce|timestamp|signature)=[^&]*", "", sent[-1].split("?")[0]))
    assert len(set(urls)) == len(urls), urls


@pytest.mark.parametrize("ccxt_id", sorted(PROFILES))
def test_client_ids_are_valid_deterministic_and_distinct(ccxt_id: str) -> None:
    rules = profile_for(ccxt_id).client_ids
    wire = [rules.wire_id(i) for i in SERVICE_IDS]
    assert all(rules.is_valid(w) for w in wire), wire
    assert wire == [rules.wire_id(i) for i in SERVICE_IDS]
    assert len(set(wire)) == len(wire)


def test_okx_client_ids_lose_their_dashes_binance_keeps_them() -> None:
    assert profile_for("okx").client_ids.wire_id("r7f3-sim_a").isalnum()
    assert profile_for("okx").client_ids.wire_id("abc123") == "abc123"
    assert profile_for("binance").client_ids.wire_id("r7f3-sim_a") == "r7f3-sim_a"


def test_configuration_names_an_exchange_without_profile() -> None:
    with pytest.raises(ConfigError, match=r"exchanges\.0\.ccxt_id.*'htx' has no exchange profile"):
        settings_from_dict({"exchanges": [{"name": "x", "ccxt_id": "htx"}]})


def test_configuration_checks_account_types_against_the_profile() -> None:
    raw = {"exchanges": [{"name": "k", "ccxt_id": "kraken", "account_types": ["spot", "future"]}]}
    with pytest.raises(
        ConfigError, match=r"account_types: 'future' is not an account type of kraken"
    ):
        settings_from_dict(raw)
    okx = settings_from_dict({"exchanges": [{"name": "o", "ccxt_id": "okx"}]}).exchanges[0]
    assert set(okx.account_types) == {"spot", "margin", "future"}
    kraken = settings_from_dict({"exchanges": [{"name": "k", "ccxt_id": "kraken"}]}).exchanges[0]
    assert set(kraken.account_types) == {"spot", "margin"}


def test_live_okx_needs_its_passphrase() -> None:
    live = {"name": "o", "ccxt_id": "okx", "mode": "live", "api_key_env": "K", "secret_env": "S"}
    with pytest.raises(ConfigError, match="passphrase_env"):
        settings_from_dict({"exchanges": [live]})
