"""The arbitrage executor in the real service process: enabled through the API (a positive
edge only), killed with SIGKILL while a leg's response is still on the wire, restarted:
the trade is recovered from ``arbitrage_trades`` and settled by the policy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from deltaworks_core.config import Settings
from deltaworks_core.venues.simulator import SimError, SimulatorServer
from deltaworks_exec import cli
from deltaworks_exec.arbitrage.trades import OUTCOMES
from tests.arbitrage_support import FAULTS_OFF, SYMBOL, VENUES, next_opportunity
from tests.exec_harness import TOKEN, Launcher, ServiceProcess, wait_for

pytest_plugins = ("tests.exec_fixtures",)


def _venue_order(simulator: SimulatorServer, exchange: str, client_order_id: str) -> Any:
    try:
        return simulator.engine(exchange).order("main", SYMBOL, client_order_id=client_order_id)
    except SimError:
        return None


def _refused(api: httpx.Client, **change: Any) -> str:
    body = {"symbol": SYMBOL, "exchanges": list(VENUES), "amount": 0.01, "min_edge_bps": 5.0}
    response = api.put("/arbitrage/pairs", json=body | change)
    assert response.status_code == 422, response.text
    return response.text


def _unsettled(api: httpx.Client) -> list[dict[str, Any]]:
    return [t for t in api.get("/arbitrage/trades").json() if t["status"] not in OUTCOMES]


def _cli(service: ServiceProcess, *args: str) -> Any:
    return CliRunner().invoke(cli.app, ["--url", service.url, *args])


def test_kill_during_an_arbitrage_is_recovered_after_restart(
    settings: Settings,
    launcher: Launcher,
    simulator: SimulatorServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DELTAWORKS_API_TOKEN", TOKEN)
    service = ServiceProcess(launcher, simulator.base_url, tmp_path / "service.log")
    service.start()
    api = service.client()
    pair_id = "BTC-USDT.sim_a.sim_b"
    try:
        assert "min_edge_bps" in _refused(api, min_edge_bps=0)
        assert "min_edge_bps" in _refused(api, min_edge_bps=-3.5)
        assert "unknown exchange 'nowhere'" in _refused(api, exchanges=["sim_a", "nowhere"])
        refused = _cli(service, "arb", "enable", SYMBOL, *VENUES, "--amount", "0.01",
                       "--min-edge-bps", "0")  # fmt: skip
        assert refused.exit_code == 2 and "must be a positive finite number" in refused.output
        assert api.get("/arbitrage/pairs").json() == []

        o = next_opportunity(simulator)
        # The sell leg reaches its venue and fills, but its response hangs: kill meanwhile.
        simulator.engine(o.sell_exchange).set_faults(
            drop_order_response=1.0, timeout_delay_ms=30_000
        )
        enabled = _cli(service, "--json", "arb", "enable", SYMBOL, *VENUES, "--amount", "1",
                       "--min-edge-bps", "1")  # fmt: skip
        assert enabled.exit_code == 0, enabled.output
        (trade,) = wait_for(lambda: _unsettled(api), timeout_s=60)
        assert trade["status"] == "sending"
        sell_id = f"{trade['trade_id']}s"
        wait_for(lambda: _venue_order(simulator, o.sell_exchange, sell_id), timeout_s=30)
        service.kill()
        simulator.engine(o.sell_exchange).set_faults(**FAULTS_OFF)

        service.start()
        path = f"/arbitrage/trades/{trade['trade_id']}"
        done = wait_for(lambda: (t := api.get(path).json())["status"] in OUTCOMES and t, 60)
        assert done["status"] == "completed", done["message"]
        buy, sell = done["legs"]
        assert buy["filled"] == pytest.approx(sell["filled"]) and buy["filled"] > 0
        assert done["residual"] == 0 and done["realised_edge"] > 0
        venue_sell = _venue_order(simulator, o.sell_exchange, sell_id)
        assert float(venue_sell.filled * venue_sell.market.step) == pytest.approx(sell["filled"])

        shown = _cli(service, "--json", "arb", "show", trade["trade_id"])
        assert shown.exit_code == 0 and '"status": "completed"' in shown.output
        listed = _cli(service, "--json", "arb", "trades", "--status", "completed")
        assert listed.exit_code == 0 and trade["trade_id"] in listed.output
    finally:
        if not service.running():
            service.start()
        api.post(f"/arbitrage/pairs/{pair_id}/disable")  # no other module's service trades it
        api.close()
        service.stop()
