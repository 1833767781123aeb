"""The ``deltaworks-exec`` CLI against a running service, and the demo script."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deltaworks_core.config import DEFAULT_CONFIG_PATH, Settings, load_settings
from deltaworks_core.venues.simulator import SimulatorServer, running_simulator
from deltaworks_exec.cli import app, main
from tests.exec_harness import TOKEN, ServiceProcess

pytest_plugins = ("tests.exec_fixtures",)

Cli = Callable[..., tuple[int, str]]


@pytest.fixture
def cli(service: ServiceProcess) -> Cli:
    runner = CliRunner()

    def run(*args: str, token: str | None = TOKEN) -> tuple[int, str]:
        env = {"DELTAWORKS_API_TOKEN": token or ""}
        result = runner.invoke(app, ["--url", service.url, "--json", *args], env=env)
        return result.exit_code, result.output

    return run


def test_order_commands(cli: Cli, simulator: SimulatorServer) -> None:
    code, out = cli("order", "submit", "sim_a", "BTC/USDT", "buy", "0.001", "--type", "market")
    assert code == 0, out
    filled = json.loads(out)[0]
    assert filled["status"] == "filled"
    depth = simulator.engine("sim_a").order_book("BTC/USDT", 1)
    price = round(depth.bids[0][0] * float(depth.market.tick) * 0.99, 2)
    code, out = cli("order", "submit", "sim_a", "BTC/USDT", "buy", "0.001", "--price", str(price))
    resting = json.loads(out)[0]
    assert resting["status"] == "new"
    code, out = cli("order", "list", "--open")
    assert resting["order_id"] in {o["order_id"] for o in json.loads(out)}
    code, out = cli("order", "show", filled["order_id"])
    detail = json.loads(out)
    assert [e["status"] for e in detail["events"]][-1] == "filled"
    code, out = cli("order", "cancel", resting["order_id"])
    assert json.loads(out)[0]["status"] == "canceled"
    code, out = cli("order", "cancel", resting["order_id"])
    assert code == 1 and "409" in out


def test_kill_switch_and_status(cli: Cli) -> None:
    code, out = cli("kill-switch", "on", "--reason", "cli test")
    assert code == 0 and json.loads(out)["engaged"] is True
    assert json.loads(cli("status")[1])["kill_switch"] is True
    code, out = cli("kill-switch", "off")
    assert json.loads(out)["engaged"] is False
    assert cli("kill-switch", "maybe")[0] == 2


def test_token_errors_are_reported(cli: Cli) -> None:
    code, out = cli("status", token="wrong")
    assert code == 1 and "403" in out
    assert "wrong" not in out


def test_serve_refuses_without_token() -> None:
    env = {k: v for k, v in os.environ.items() if k != "DELTAWORKS_API_TOKEN"}
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--dev"], env=env)
    assert result.exit_code == 2 and "refusing to start" in result.output


def test_demo(settings: Settings, tmp_path: Path) -> None:
    """``python -m deltaworks_exec.demo`` as ``deltaworks demo`` runs it, on the repository's
    exchanges (a Binance and an OKX dialect) served by a simulator of their own."""
    exchanges = load_settings(DEFAULT_CONFIG_PATH).exchanges
    with running_simulator(settings.simulator.model_copy(update={"port": 0}), exchanges) as sim:
        _run_demo(settings, sim, tmp_path)


def _run_demo(settings: Settings, simulator: SimulatorServer, tmp_path: Path) -> None:
    config = DEFAULT_CONFIG_PATH.read_text()
    config = re.sub(r"(\[simulator\][^\[]*?port = )\d+", rf"\g<1>{simulator.port}", config)
    path = tmp_path / "deltaworks.toml"
    path.write_text(config)
    q = settings.questdb
    env = {
        **os.environ,
        "DELTAWORKS_CONFIG": str(path),
        "COLUMNS": "200",
        "DELTAWORKS_QUESTDB_MANAGED": "false",
        "DELTAWORKS_QUESTDB_HTTP_PORT": str(q.http_port),
        "DELTAWORKS_QUESTDB_PG_PORT": str(q.pg_port),
    }
    result = subprocess.run(
        [sys.executable, "-m", "deltaworks_exec.demo"],
        env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "filled" in result.stdout and "canceled" in result.stdout
    assert "MAX_ORDER_NOTIONAL" in result.stdout
    assert "the first order, nothing sent" in result.stdout
    assert "TWAP completed: 0.003 BTC/USDT" in result.stdout


@pytest.fixture
def entry(
    service: ServiceProcess, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """``deltaworks-exec ARGS`` as its entry point runs it: (exit code, stdout, stderr)."""
    monkeypatch.setenv("DELTAWORKS_API_TOKEN", TOKEN)

    def run(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["deltaworks-exec", "--url", service.url, *args])
        with pytest.raises(SystemExit) as stopped:
            main()
        captured = capsys.readouterr()
        return int(stopped.value.code or 0), captured.out, captured.err

    return run


def test_exit_codes_and_local_validation(
    entry: Callable[..., tuple[int, str, str]], simulator: SimulatorServer
) -> None:
    code, _, err = entry("order", "submit", "sim_a", "BTC/USDT", "purchase", "1")
    assert code == 2 and "'purchase' is not one of 'buy', 'sell'" in err
    code, _, err = entry("order", "submit", "sim_a", "BTC/USDT", "buy", "1", "--type", "banana")
    assert code == 2 and "'banana' is not one of 'market', 'limit'" in err
    code, _, err = entry("order", "list", "--status", "bogus")
    assert code == 2 and "'bogus' is not one of pending_new" in err
    code, out, _ = entry("order", "submit", "sim_a", "BTC/USDT", "buy", "0.001", "--type", "market")
    assert code == 0, out
    depth = simulator.engine("sim_a").order_book("BTC/USDT", 1)
    price = round(depth.bids[0][0] * float(depth.market.tick) * 0.99, 2)
    code, out, _ = entry("order", "submit", "sim_a", "BTC/USDT", "buy", "10", "--price", str(price))
    assert code == 3, out  # rejected: exit 3
    assert "rejected" in out
    code, out, err = entry("order", "submit", "sim_a", "BTC/USDT", "buy", "-1", "--type", "market")
    assert code == 1 and "No such option" not in err  # -1 is a value: the service refuses it
    assert "amount" in out


def test_json_anywhere_and_ids_copied_from_the_list(
    entry: Callable[..., tuple[int, str, str]],
) -> None:
    code, out, _ = entry(
        "order", "submit", "sim_a", "BTC/USDT", "buy", "0.001", "--type", "market", "--json"
    )
    assert code == 0
    submitted = json.loads(out)[0]
    code, table, _ = entry("order", "list", "--limit", "5")  # the table, piped
    assert code == 0
    shown = re.findall(r"[0-9A-Za-z-]{8,}", table)
    assert submitted["order_id"] in shown, table
    code, out, _ = entry("order", "show", submitted["order_id"], "--json")
    assert code == 0 and json.loads(out)["order"]["order_id"] == submitted["order_id"]
    code, out, _ = entry("--json", "order", "show", submitted["order_id"])
    assert json.loads(out)["order"]["status"] == "filled"
