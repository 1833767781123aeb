"""One bad venue does not stop the others: a live exchange that cannot be reached at start is
marked down with the reason in ``/status`` and retried, while a simulated one trades."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from deltaworks_core.config import ExchangeSettings, Settings
from deltaworks_core.venues.simulator import SimulatorServer
from tests import exec_fixtures
from tests.dashboard_support import RunningService, serving

simulator = exec_fixtures.simulator
LIVE = ExchangeSettings(
    name="live_down",
    ccxt_id="binance",
    mode="live",
    api_key_env="DW_TEST_LIVE_KEY",
    secret_env="DW_TEST_LIVE_SECRET",
    symbols=("BTC/USDT",),
)


@pytest.fixture(scope="module")
def running(settings: Settings, simulator: SimulatorServer) -> Iterator[RunningService]:
    """The service with the simulated exchanges and a live one that cannot be reached (no
    network here, or its made-up credentials are refused where there is one)."""
    with_live = settings.model_copy(update={"exchanges": (*settings.exchanges, LIVE)})
    with pytest.MonkeyPatch.context() as env:
        env.setenv(LIVE.api_key_env, "not-a-key")
        env.setenv(LIVE.secret_env, "not-a-secret")
        with serving(with_live, simulator) as started:
            yield started


def test_a_down_venue_is_reported_and_the_others_trade(running: RunningService) -> None:
    with running.client() as api:
        status = api.get("/status").json()
        down = status["venues_down"]["live_down"]
        assert down["reason"] and down["retrying"] is True
        assert "Traceback" not in down["reason"] and "\n" not in down["reason"]
        assert not re.search(r"[0-9a-f]{64}", down["reason"])  # no request signature shown
        assert "live_down" not in status["venues"]
        assert set(status["venues"]) >= {"sim_a"}
        assert "live_down" not in api.get("/venues").json()

        order = api.post(
            "/orders",
            json={
                "exchange": "sim_a",
                "symbol": "BTC/USDT",
                "side": "buy",
                "type": "market",
                "amount": 0.001,
            },
        )
        assert order.status_code == 201, order.text
        assert order.json()["status"] in ("filled", "new", "partially_filled")

        refused = api.post(
            "/orders",
            json={
                "exchange": "live_down",
                "symbol": "BTC/USDT",
                "side": "buy",
                "type": "market",
                "amount": 0.001,
            },
        )
        assert refused.status_code == 422
        assert "live_down" in refused.text
