"""The exchange factory: simulated URLs, credentials from the environment, no leaked secrets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ccxt
import ccxt.pro
import pytest

from deltaworks_core.config import (
    DEFAULT_CONFIG_PATH,
    ConfigError,
    Settings,
    load_settings,
    settings_from_dict,
)
from deltaworks_core.venues.factory import create_exchange, create_exchanges
from deltaworks_core.venues.simulator import dev_credentials

KEY_ENV, SECRET_ENV = "DW_TEST_FACTORY_KEY", "DW_TEST_FACTORY_SECRET"
KEY, SECRET = "key-0123456789abcdef", "secret-fedcba9876543210"


def make_settings(*exchanges: dict[str, Any]) -> Settings:
    return settings_from_dict(
        {"simulator": {"host": "127.0.0.1", "port": 8765}, "exchanges": list(exchanges)}
    )


def urls_of(value: Any) -> Iterator[str]:
    """Every URL string in a (nested) ccxt ``urls['api']`` structure."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from urls_of(item)


@pytest.fixture
def credentials_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, KEY)
    monkeypatch.setenv(SECRET_ENV, SECRET)


SIMULATED = {"name": "sim_a", "mode": "simulated"}
SIMULATED_WITH_ENV = {**SIMULATED, "api_key_env": KEY_ENV, "secret_env": SECRET_ENV}
LIVE = {"name": "main", "mode": "live", "api_key_env": KEY_ENV, "secret_env": SECRET_ENV}


# --- simulated --------------------------------------------------------------------------


def test_simulated_rest_urls_point_at_the_simulator_under_the_exchange_name() -> None:
    settings = make_settings(SIMULATED)
    exchange = create_exchange(settings, settings.exchange("sim_a"))
    assert type(exchange) is ccxt.binance
    api = exchange.urls["api"]
    assert api["public"] == "http://127.0.0.1:8765/sim_a/api/v3"
    assert api["private"] == "http://127.0.0.1:8765/sim_a/api/v3"
    assert api["sapi"] == "http://127.0.0.1:8765/sim_a/sapi/v1"
    assert api["fapiPublic"] == "http://127.0.0.1:8765/sim_a/fapi/v1"
    assert api["fapiPrivateV2"] == "http://127.0.0.1:8765/sim_a/fapi/v2"
    assert api["fapiData"] == "http://127.0.0.1:8765/sim_a/futures/data"
    assert all(url.startswith("http://127.0.0.1:8765/sim_a/") for url in urls_of(api))
    # Requests are built (and signed) exactly as for Binance, on the simulator.
    request = exchange.sign("exchangeInfo", ["public"], "GET", {})
    assert request["url"] == "http://127.0.0.1:8765/sim_a/api/v3/exchangeInfo"
    signed = exchange.sign("account", ["private"], "GET", {})
    assert signed["url"].startswith("http://127.0.0.1:8765/sim_a/api/v3/account?timestamp=")
    assert "&signature=" in signed["url"]


def test_simulated_options_keep_load_markets_to_what_the_simulator_serves() -> None:
    settings = make_settings(SIMULATED)
    options = create_exchange(settings, settings.exchange("sim_a")).options
    assert options["fetchMarkets"]["types"] == ["spot", "linear"]
    assert options["fetchCurrencies"] is False
    assert options["fetchMargins"] is False


def test_simulated_exchange_uses_dev_credentials_unless_env_names_are_given(
    credentials_env: None,
) -> None:
    settings = make_settings(SIMULATED, {**SIMULATED_WITH_ENV, "name": "sim_b"})
    default = create_exchange(settings, settings.exchange("sim_a"))
    assert (default.apiKey, default.secret) == dev_credentials("sim_a")
    from_env = create_exchange(settings, settings.exchange("sim_b"))
    assert (from_env.apiKey, from_env.secret) == (KEY, SECRET)


def test_simulator_url_override_for_a_simulator_on_another_port() -> None:
    settings = make_settings(SIMULATED)
    exchange = create_exchange(
        settings, settings.exchange("sim_a"), simulator_url="http://127.0.0.1:54321/"
    )
    assert exchange.urls["api"]["public"] == "http://127.0.0.1:54321/sim_a/api/v3"
    assert all(
        url.startswith("http://127.0.0.1:54321/sim_a/") for url in urls_of(exchange.urls["api"])
    )


def test_async_simulated_exchange_rewrites_rest_and_websocket_urls() -> None:
    settings = make_settings(SIMULATED)
    exchange = create_exchange(settings, settings.exchange("sim_a"), asynchronous=True)
    assert type(exchange) is ccxt.pro.binance
    api = exchange.urls["api"]
    assert api["public"] == "http://127.0.0.1:8765/sim_a/api/v3"
    ws = api["ws"]
    assert ws["spot"] == "ws://127.0.0.1:8765/sim_a/stream/spot"
    assert ws["margin"] == "ws://127.0.0.1:8765/sim_a/stream/margin"
    assert ws["linear"] == "ws://127.0.0.1:8765/sim_a/ws/linear"
    assert ws["ws-api"]["spot"] == "ws://127.0.0.1:8765/sim_a/ws-api/spot"
    assert ws["ws-api"]["linear"] == "ws://127.0.0.1:8765/sim_a/ws-api/linear"
    # Nothing is left pointing at Binance, not even market types the simulator lacks.
    assert all(
        url.startswith(("http://127.0.0.1:8765/sim_a/", "ws://127.0.0.1:8765/sim_a/"))
        for url in urls_of(api)
    )
    # ccxt.pro derives its stream URLs from these.
    assert exchange.get_ws_url("linear", "public") == "ws://127.0.0.1:8765/sim_a/ws/linear"
    assert (
        exchange.get_private_ws_url("linear", "LISTENKEY")
        == "ws://127.0.0.1:8765/sim_a/ws/linear?listenKey=LISTENKEY"
    )


def test_exchanges_are_independent_and_ccxt_defaults_untouched() -> None:
    settings = make_settings(SIMULATED, {**SIMULATED, "name": "sim_b"})
    exchanges = create_exchanges(settings)
    assert set(exchanges) == {"sim_a", "sim_b"}
    assert exchanges["sim_a"].urls["api"]["public"] == "http://127.0.0.1:8765/sim_a/api/v3"
    assert exchanges["sim_b"].urls["api"]["public"] == "http://127.0.0.1:8765/sim_b/api/v3"
    assert ccxt.binance().urls["api"]["public"] == "https://api.binance.com/api/v3"
    assert ccxt.pro.binance().urls["api"]["ws"]["spot"] == "wss://stream.binance.com:9443/ws"


def test_repository_configuration_builds_every_exchange() -> None:
    settings = load_settings(DEFAULT_CONFIG_PATH)
    exchanges = create_exchanges(settings, asynchronous=True)
    assert set(exchanges) == {exchange.name for exchange in settings.exchanges}
    assert all(type(exchanges[e.name]) is getattr(ccxt.pro, e.ccxt_id) for e in settings.exchanges)


# --- live -------------------------------------------------------------------------------


def test_live_exchange_reads_credentials_from_the_named_variables(credentials_env: None) -> None:
    settings = make_settings(LIVE)
    exchange = create_exchange(settings, settings.exchange("main"))
    assert (exchange.apiKey, exchange.secret) == (KEY, SECRET)
    assert exchange.urls["api"]["public"] == "https://api.binance.com/api/v3"
    assert exchange.urls["api"]["fapiPrivate"] == "https://fapi.binance.com/fapi/v1"
    assert exchange.options["fetchMarkets"]["types"] == ["spot", "linear"]
    ws = create_exchange(settings, settings.exchange("main"), asynchronous=True).urls["api"]["ws"]
    assert ws["spot"] == "wss://stream.binance.com:9443/ws"


@pytest.mark.parametrize(("unset", "key"), [(KEY_ENV, "api_key_env"), (SECRET_ENV, "secret_env")])
def test_live_exchange_fails_naming_the_unset_variable(
    credentials_env: None, monkeypatch: pytest.MonkeyPatch, unset: str, key: str
) -> None:
    monkeypatch.delenv(unset)
    settings = make_settings(LIVE)
    with pytest.raises(
        ConfigError, match=rf"exchanges\.main\.{key}: environment variable {unset} "
    ):
        create_exchange(settings, settings.exchange("main"))


def test_empty_variable_counts_as_unset(credentials_env: None, monkeypatch) -> None:
    monkeypatch.setenv(SECRET_ENV, "")
    settings = make_settings(LIVE)
    with pytest.raises(ConfigError, match=SECRET_ENV):
        create_exchange(settings, settings.exchange("main"))


def test_live_exchange_without_credential_names_is_refused_at_load() -> None:
    with pytest.raises(ConfigError, match=r"a live exchange needs api_key_env and secret_env"):
        make_settings({"name": "main", "mode": "live"})


def test_half_configured_credentials_are_refused(credentials_env: None) -> None:
    settings = make_settings({**SIMULATED, "api_key_env": KEY_ENV})
    with pytest.raises(ConfigError, match=r"exchanges\.sim_a\.secret_env: set both"):
        create_exchange(settings, settings.exchange("sim_a"))


# --- secrets ----------------------------------------------------------------------------


@pytest.mark.parametrize("asynchronous", [False, True])
def test_secrets_do_not_appear_in_repr_or_str(credentials_env: None, asynchronous: bool) -> None:
    settings = make_settings(LIVE, SIMULATED)
    for name in ("main", "sim_a"):
        exchange = create_exchange(settings, settings.exchange(name), asynchronous=asynchronous)
        api_key, secret = exchange.apiKey, exchange.secret
        for text in (repr(exchange), str(exchange), f"{exchange!r} {exchange}"):
            assert api_key not in text
            assert secret not in text


def test_missing_credential_error_does_not_reveal_the_other_value(
    credentials_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV)
    settings = make_settings(LIVE)
    with pytest.raises(ConfigError) as error:
        create_exchange(settings, settings.exchange("main"))
    assert KEY not in str(error.value)
