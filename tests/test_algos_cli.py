"""``deltaworks-exec algo ...`` against a running API with the algorithms' router."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import typer
import uvicorn
from typer.testing import CliRunner

from deltaworks_core.questdb import QuestDBReader
from deltaworks_core.questdb.server import free_port
from deltaworks_exec.algos.supervisor import AlgoSupervisor
from deltaworks_exec.cli.algos import algo_app
from deltaworks_exec.cli.client import ServiceClient
from deltaworks_exec.clock import WallClock
from deltaworks_exec.oms.algo_store import MemoryProgress
from deltaworks_exec.order_sinks import VenueOrders
from deltaworks_exec.venues.engine_venue import EngineVenue
from tests.algo_support import algo_api, make_venue


@pytest.fixture
def api(
    monkeypatch: pytest.MonkeyPatch, reader: QuestDBReader
) -> Iterator[tuple[str, EngineVenue]]:
    """The algorithms' API on a loopback port (development sign-in, audited), its supervisor
    over a simulated exchange."""
    clock = WallClock()
    venue = make_venue(clock)  # type: ignore[arg-type]  # the engine follows wall time here
    orders = VenueOrders(venue)
    algos = AlgoSupervisor({venue.name: venue}, clock, lambda _: orders, MemoryProgress())
    app = algo_api(algos, reader)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    monkeypatch.setenv("DELTAWORKS_EXEC_URL", url)
    yield url, venue
    server.should_exit = True
    thread.join(timeout=10)


async def test_algo_commands(api: tuple[str, EngineVenue], monkeypatch: pytest.MonkeyPatch) -> None:
    api_url, venue = api
    far_below = round(await venue.last_price("BTC/USDT") * 0.5, 2)
    cli = typer.Typer()
    cli.add_typer(algo_app(ServiceClient(as_json=True)), name="algo")  # as with --json
    runner = CliRunner()

    def run(*args: str) -> Any:
        result = runner.invoke(cli, ["algo", *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    params = json.dumps({"kind": "stop_loss", "trigger_price": far_below, "poll_s": 1})
    (started,) = run("start", "stop", "sim_a", "BTC/USDT", "sell", "0.01", "--params", params,
                     "--algo-id", "cli1")  # fmt: skip
    assert (started["algo_id"], started["status"]) == ("cli1", "running")
    assert [a["algo_id"] for a in run("list")] == ["cli1"]
    shown = run("show", "cli1")
    assert [o["type"] for o in shown["orders"]] == ["stop_loss"]  # native, resting
    assert run("pause", "cli1")[0]["status"] == "paused"
    assert httpx.get(f"{api_url}/algos/cli1").json()["orders"][0]["status"] == "canceled"
    assert run("resume", "cli1")[0]["status"] == "running"
    assert run("cancel", "cli1")[0]["status"] == "canceled"
    refused = runner.invoke(cli, ["algo", "resume", "cli1"])
    assert refused.exit_code == 1 and "409" in refused.output
    bad = runner.invoke(cli, ["algo", "start", "twap", "sim_a", "BTC/USDT", "buy", "1",
                              "--params", "{oops"])  # fmt: skip
    assert bad.exit_code == 2 and "not JSON" in bad.output
