"""``deltaworks exchanges check`` against the simulator's Binance and OKX dialects: every
read-only call works with the simulator's credentials, and wrong credentials are reported
per call (markets still work) with exit status 1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deltaworks_core.cli import app
from deltaworks_core.config import CONFIG_ENV_VAR
from deltaworks_core.venues.simulator import SimClock, SimulatorServer, running_simulator

from .okx_support import okx_settings
from .sim_support import EPOCH_MS

runner = CliRunner()


@pytest.fixture(scope="module")
def server() -> Iterator[SimulatorServer]:
    settings = okx_settings(withdrawals=30)
    with running_simulator(
        settings.simulator, settings.exchanges, clock=SimClock(EPOCH_MS)
    ) as running:
        yield running


def _config(folder: Path, server: SimulatorServer, extra: str = "") -> dict[str, str]:
    port = server.base_url.rsplit(":", 1)[1]
    path = folder / "deltaworks.toml"
    path.write_text(
        f"""
[simulator]
host = "127.0.0.1"
port = {port}

[[exchanges]]
name = "sim_a"
ccxt_id = "binance"
symbols = ["BTC/USDT"]
{extra}

[[exchanges]]
name = "sim_okx"
ccxt_id = "okx"
account_types = ["spot", "margin", "future", "funding"]
symbols = ["BTC/USDT"]
"""
    )
    return {CONFIG_ENV_VAR: str(path)}


def test_every_read_works_on_both_dialects(tmp_path: Path, server: SimulatorServer) -> None:
    result = runner.invoke(app, ["exchanges", "check", "--json"], env=_config(tmp_path, server))
    assert result.exit_code == 0, result.output
    report = {entry["exchange"]: entry for entry in json.loads(result.output)}
    assert set(report) == {"sim_a", "sim_okx"}
    checks = {name: [c["check"] for c in entry["checks"]] for name, entry in report.items()}
    assert checks["sim_a"] == [
        "markets",
        "balance spot",
        "balance margin",
        "balance future",
        "withdrawals",
        "deposits",
        "open orders",
    ]
    # OKX: the unified trading account is one wallet, read once
    assert checks["sim_okx"] == [
        "markets",
        "balance trading",
        "balance funding",
        "withdrawals",
        "deposits",
        "open orders",
    ]
    assert all(c["ok"] for entry in report.values() for c in entry["checks"])
    okx = report["sim_okx"]
    assert okx["capabilities"]["client_id_param"] == "clOrdId"
    assert okx["capabilities"]["passphrase"] is True
    assert "read withdrawal history" in okx["credentials_allow"]


def test_wrong_credentials_are_reported_per_call(
    tmp_path: Path, server: SimulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("P2_BAD_KEY", "not-a-key")
    monkeypatch.setenv("P2_BAD_SECRET", "not-a-secret")
    env = _config(tmp_path, server, 'api_key_env = "P2_BAD_KEY"\nsecret_env = "P2_BAD_SECRET"')
    result = runner.invoke(app, ["exchanges", "check", "sim_a"], env=env)
    assert result.exit_code == 1, result.output
    assert "sim_a (binance, simulated)" in result.output
    assert "AuthenticationError" in result.output
    assert "not-a-secret" not in result.output and "not-a-key" not in result.output
    assert "public data" in result.output  # markets work without valid credentials
    assert "sim_okx" not in result.output
