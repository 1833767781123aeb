"""Configuration: the default file loads, and every mistake names its key and value."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from deltaworks_core.config import (
    DEFAULT_CONFIG_PATH,
    ArbitrageSettings,
    ConfigError,
    load_settings,
    settings_from_dict,
)


def test_default_configuration_uses_simulated_exchanges_and_managed_questdb() -> None:
    settings = load_settings(DEFAULT_CONFIG_PATH)
    assert settings.questdb.managed
    assert settings.exchanges
    assert all(exchange.mode == "simulated" for exchange in settings.exchanges)


def test_unknown_key_is_named() -> None:
    with pytest.raises(ConfigError, match=r"questdb\.htp_port: unknown key"):
        settings_from_dict({"questdb": {"htp_port": 1}})


def test_wrong_value_names_key_value_and_allowed() -> None:
    raw = {"exchanges": [{"name": "x", "mode": "paper"}]}
    with pytest.raises(ConfigError, match=r"exchanges\.0\.mode: 'paper' is not allowed.*simulated"):
        settings_from_dict(raw)


def test_out_of_range_port_is_named() -> None:
    with pytest.raises(ConfigError, match=r"questdb\.pg_port: 70000 is invalid"):
        settings_from_dict({"questdb": {"pg_port": 70000}})


def test_duplicate_exchange_names_are_rejected() -> None:
    raw = {"exchanges": [{"name": "a"}, {"name": "a"}]}
    with pytest.raises(ConfigError, match="repeated: a"):
        settings_from_dict(raw)


def test_environment_overrides_questdb_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DELTAWORKS_QUESTDB_PG_PORT", "15432")
    monkeypatch.setenv("DELTAWORKS_QUESTDB_HOST", "db.internal")
    settings = settings_from_dict({"questdb": {"pg_port": 8812}})
    assert settings.questdb.pg_port == 15432
    assert settings.questdb.host == "db.internal"


def test_bad_environment_override_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DELTAWORKS_QUESTDB_HTTP_PORT", "nine-thousand")
    with pytest.raises(ConfigError, match=r"questdb\.http_port: 'nine-thousand'"):
        settings_from_dict({})


def test_missing_file_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DELTAWORKS_CONFIG"):
        load_settings(tmp_path / "absent.toml")


def test_config_file_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "custom.toml"
    path.write_text(
        '[[exchanges]]\nname = "desk1"\nmode = "live"\napi_key_env = "K"\nsecret_env = "S"\n'
    )
    monkeypatch.setenv("DELTAWORKS_CONFIG", str(path))
    monkeypatch.setenv("K", "key")
    monkeypatch.setenv("S", "secret")
    settings = load_settings()
    assert [e.name for e in settings.exchanges] == ["desk1"]
    assert settings.exchange("desk1").api_key_env == "K"
    with pytest.raises(ConfigError, match="no exchange named 'other'"):
        settings.exchange("other")


def test_holdings_interval_must_fit_a_schedule() -> None:
    assert settings_from_dict({"pipelines": {"holdings_interval_minutes": 240}})
    with pytest.raises(ConfigError, match=r"pipelines\.holdings_interval_minutes: 7 is invalid"):
        settings_from_dict({"pipelines": {"holdings_interval_minutes": 7}})


def test_the_arbitrage_leg_timeout_is_configured_and_bounded() -> None:
    assert load_settings(DEFAULT_CONFIG_PATH).exec.arbitrage.leg_timeout_s == 5.0
    with pytest.raises(ValidationError, match="leg_timeout_s"):
        ArbitrageSettings(leg_timeout_s=0)
