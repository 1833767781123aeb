"""Crash test of the service during a TWAP: SIGKILL at seeded random moments, restart; the
TWAP resumes from algo_events and ends with its quantity exactly, no child sent twice.

Runs once the service hosts the algorithms (``/algos`` in its API); skipped before."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from deltaworks_core.questdb import QuestDBReader
from deltaworks_core.venues.simulator import SimulatorServer
from deltaworks_exec.algos.base import TERMINAL
from deltaworks_exec.oms.algo_store import history
from tests.exec_harness import Launcher, ServiceProcess, wait_for

pytest_plugins = ("tests.exec_fixtures",)

SYMBOL = "ETH/USDT"
KILLS = 6
SEED = 20261127


def _service_hosts_algorithms() -> bool:
    from deltaworks_exec.api.app import create_app

    app = create_app(None, None)  # type: ignore[arg-type]  # routes only, never started
    return "/algos" in app.openapi()["paths"]


@pytest.mark.timeout(240)
def test_twap_through_service_kills(
    launcher: Launcher, simulator: SimulatorServer, reader: QuestDBReader, tmp_path: Path
) -> None:
    if not _service_hosts_algorithms():
        pytest.skip("the service does not host algorithms yet (no /algos route)")
    rng = random.Random(SEED)
    engine = simulator.engine("sim_a")
    service = ServiceProcess(launcher, simulator.base_url, tmp_path / "service.log")
    algo_id = f"crash{rng.randrange(10**9)}"
    body = {
        "algo": "twap",
        "exchange": "sim_a",
        "symbol": SYMBOL,
        "side": "buy",
        "quantity": 0.12,
        "params": {"duration_s": 12, "slices": 24},
        "algo_id": algo_id,
    }
    service.start()
    with service.client() as api:
        released = api.post("/risk/kill-switch", json={"engaged": False})  # other tests' state
        assert released.status_code == 200, released.text
        started = api.post("/algos", json=body)
        assert started.status_code == 201, started.text
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.1, 0.8))
        engine.advance(1)
        service.kill()
        service.start()
    with service.client() as api:
        final = wait_for(
            lambda: (a := api.get(f"/algos/{algo_id}").json())["status"] in TERMINAL and a,
            timeout_s=60,
            interval_s=0.2,
        )
    assert final["status"] == "completed", final
    assert service.stop(), "no graceful shutdown on SIGTERM"
    assert sum(e["client_order_id"].startswith(algo_id) for e in final["orders"]) >= 2
    step = engine.market(SYMBOL).step
    orders_per_child: dict[str, set[int]] = defaultdict(set)
    filled = Decimal(0)
    for trade in engine.my_trades("main", SYMBOL, limit=100_000):
        child = engine.order("main", SYMBOL, order_id=trade.order_id).client_id
        if child.startswith(f"{algo_id}-"):
            orders_per_child[child].add(trade.order_id)
            filled += trade.qty * step
    assert all(len(ids) == 1 for ids in orders_per_child.values())
    assert filled == Decimal("0.12")
    assert final["filled"] == pytest.approx(0.12)
    reader.wait_visible("algo_events")
    events = history(reader, algo_id)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert sum(e.message == "recovered" for e in events) >= 3  # killed while it worked
