"""The simulator server itself: lifecycle, routing, headers, the CLI entry point."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from deltaworks_core.venues.simulator import (
    SimClock,
    SimulatorServer,
    dev_credentials,
    running_simulator,
    serve_forever,
)

from .sim_support import EPOCH_MS, client, sim_settings


async def test_async_lifecycle_routing_and_weights() -> None:
    settings = sim_settings(withdrawals=10)
    server = SimulatorServer(settings.simulator, settings.exchanges, clock=SimClock(EPOCH_MS))
    await server.start()
    try:
        assert server.port > 0 and server.base_url == f"http://127.0.0.1:{server.port}"
        assert server.names == ["sim_a", "sim_b"]
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{server.base_url}/sim_a/api/v3/depth?symbol=BTCUSDT") as r:
                assert r.status == 200 and r.headers["X-MBX-USED-WEIGHT-1M"] == "5"
                assert len((await r.json())["bids"]) == 100
            async with http.get(f"{server.base_url}/nowhere/api/v3/time") as r:
                assert r.status == 404 and (await r.json())["code"] == -1000
            async with http.get(f"{server.base_url}/sim_a/api/v3/nothing") as r:
                assert r.status == 404
            async with http.get(f"{server.base_url}/sim_a/api/v3/account") as r:
                assert r.status == 401 and (await r.json())["code"] == -2014
            async with http.ws_connect(
                f"{server.base_url.replace('http', 'ws')}/sim_a/ws-api/spot"
            ) as ws:
                api_key, _ = dev_credentials("sim_a")
                await ws.send_str(
                    json.dumps(
                        {
                            "id": "1",
                            "method": "userDataStream.subscribe.signature",
                            "params": {"apiKey": api_key, "timestamp": 1, "signature": "00"},
                        }
                    )
                )
                reply = json.loads((await ws.receive()).data)
                assert reply["status"] == 400 and reply["error"]["code"] == -1021
        with pytest.raises(KeyError, match="sim_a, sim_b"):
            server.engine("sim_c")
    finally:
        await server.stop()


async def test_serve_forever_runs_until_cancelled() -> None:
    settings = sim_settings(withdrawals=10)
    task = asyncio.create_task(serve_forever(settings.simulator, settings.exchanges))
    await asyncio.sleep(0.3)
    assert not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_credentials_named_by_the_configuration_are_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DW_SIM_KEY", "k" * 64)
    monkeypatch.setenv("DW_SIM_SECRET", "s" * 64)
    base = sim_settings(withdrawals=10)
    exchanges = tuple(
        e.model_copy(update={"api_key_env": "DW_SIM_KEY", "secret_env": "DW_SIM_SECRET"})
        if e.name == "sim_a"
        else e
        for e in base.exchanges
    )
    settings = base.model_copy(update={"exchanges": exchanges})
    with running_simulator(settings.simulator, settings.exchanges) as server:
        exchange = client(settings, server.base_url)
        assert exchange.apiKey == "k" * 64
        assert exchange.fetch_balance()["USDT"]["free"] > 0
