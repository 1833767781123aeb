"""Crash test of parent orders at named crash points: for the algorithm points (a child at
the OMS but not recorded by its parent; a recovering parent adopting its children) and the
OMS points its children pass, at several passage counts, a TWAP, an iceberg or a bracket
is working when the service kills itself (SIGKILL). After every restart QuestDB matches the
simulator's own record (children's states and fills, each fill written once, no child id
sent twice); at the end every parent order has completed with its quantity exactly."""

from __future__ import annotations

import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from deltaworks_core.questdb import QuestDBReader
from deltaworks_core.venues.simulator import ExchangeEngine, SimulatorServer
from deltaworks_exec.algos.base import TERMINAL
from deltaworks_exec.oms.algo_store import history
from tests.crash_support import (
    PASSAGES,
    assert_matches_venue,
    released,
    sim_a_only,
    start_armed,
    wait_crash,
)
from tests.exec_harness import Launcher, ServiceProcess, wait_for

pytest_plugins = ("tests.exec_fixtures",)

EXCHANGE = "sim_a"
SYMBOL = "ETH/USDT"
# child_adopted right after child_sent: the parent that died with children is recovered
ALGO_POINTS = (
    "algo.child_sent",
    "algo.child_adopted",
    "oms.write_ahead_durable",
    "oms.venue_accepted",
    "oms.fill_applied",
)
# A bracket has two children (entry, take-profit); the others as many as needed.
ALGORITHM = {1: "bracket", 2: "bracket", 3: "iceberg", 5: "twap"}


def _body(algo: str, algo_id: str, engine: ExchangeEngine) -> dict[str, Any]:
    depth = engine.order_book(SYMBOL, 1)
    tick = float(depth.market.tick)
    bid, ask = depth.bids[0][0] * tick, depth.asks[0][0] * tick
    params: dict[str, Any] = {
        "twap": {"duration_s": 1.5, "slices": 6},
        "iceberg": {"price": round(ask * 1.01, 2), "display": 0.02, "poll_s": 0.05},
        # the take-profit is below the bid: it fills at once and the bracket completes
        "bracket": {
            "take_profit": round(bid * 0.995, 2),
            "stop_loss": round(bid * 0.9, 2),
            "poll_s": 0.05,
        },
    }[algo]
    quantity = {"twap": 0.06, "iceberg": 0.1, "bracket": 0.05}[algo]
    return {"algo": algo, "exchange": EXCHANGE, "symbol": SYMBOL, "side": "buy",
            "quantity": quantity, "params": params, "algo_id": algo_id}  # fmt: skip


def _run_until_dead(service: ServiceProcess, body: dict[str, Any], engine: ExchangeEngine) -> None:
    """Start the parent order, then move simulated time until the service dies."""
    try:
        with service.client() as api:
            started = api.post("/algos", json=body)
            assert started.status_code == 201, started.text
    except httpx.HTTPError:
        pass  # died while starting it
    deadline = time.monotonic() + 20
    while service.running() and time.monotonic() < deadline:
        engine.advance(1)
        time.sleep(0.05)


def _finished(api: httpx.Client, algo_ids: list[str], engine: ExchangeEngine) -> list[dict]:
    """Every parent order once all have ended (simulated time moves while they work)."""

    algos: list[dict] = []

    def ended() -> bool:
        engine.advance(1)
        algos[:] = [api.get(f"/algos/{algo_id}").json() for algo_id in algo_ids]
        return all(a["status"] in TERMINAL for a in algos)

    try:
        wait_for(ended, timeout_s=60, interval_s=0.1)
    except AssertionError:
        raise AssertionError(f"parents still working: {algos}") from None
    return algos


def _settled(service: ServiceProcess, algo_ids: list[str], engine: ExchangeEngine) -> bool:
    """Wait until the parents recovered by an armed service have ended; False when the
    service died meanwhile (the armed point was passed by a recovered parent)."""
    try:
        with service.client() as api:
            _finished(api, algo_ids, engine)
    except httpx.HTTPError:
        wait_for(lambda: not service.running(), 5, 0.02)
        return False
    return True


def _check_parents(
    algos: list[dict], engine: ExchangeEngine, reader: QuestDBReader, orders: dict
) -> None:
    """Every parent completed, its quantity filled exactly at the venue; events in order."""
    step = engine.market(SYMBOL).step
    reader.wait_visible("algo_events")
    for algo in algos:
        assert algo["status"] == "completed", algo
        algo_id = algo["algo_id"]
        entries = [
            o for o in engine.orders("main") if o.client_id.startswith(f"{algo_id}-") and o.buy
        ]
        assert sum(o.filled for o in entries) * step == Decimal(str(algo["quantity"])), algo
        assert algo["filled"] == pytest.approx(algo["quantity"])
        assert any(cid.startswith(f"{algo_id}-") for cid in orders)
        seqs = [e.seq for e in history(reader, algo_id)]
        assert seqs == list(range(1, len(seqs) + 1)), algo_id


@pytest.mark.timeout(600)
def test_crash_at_every_algorithm_point(
    launcher: Launcher, simulator: SimulatorServer, reader: QuestDBReader, tmp_path: Path
) -> None:
    engine = simulator.engine(EXCHANGE)
    prefix = f"k{uuid.uuid4().hex[:6]}"
    log = tmp_path / "service.log"
    service = ServiceProcess(launcher, simulator.base_url, log, sim_a_only(tmp_path))
    service.start()
    with service.client() as api:
        released(api)
    service.kill()
    started = time.monotonic()
    algo_ids: list[str] = []
    during_start = []
    for passage in PASSAGES:
        for point in ALGO_POINTS:
            if not start_armed(service, point, passage):
                during_start.append(f"{point}:{passage}")
                continue
            assert point != "algo.child_adopted", "the parent was not recovered"
            if not _settled(service, algo_ids, engine):
                during_start.append(f"{point}:{passage} (recovered parent)")
                wait_crash(service, point, passage)
                continue
            assert_matches_venue(reader, engine, EXCHANGE, prefix, (service,))
            algo_ids.append(f"{prefix}x{len(algo_ids)}")
            body = _body(ALGORITHM[passage], algo_ids[-1], engine)
            _run_until_dead(service, body, engine)
            wait_crash(service, point, passage)
    service.start()
    with service.client() as api:
        algos = _finished(api, algo_ids, engine)
    orders, fills = assert_matches_venue(reader, engine, EXCHANGE, prefix, (service,))
    assert service.stop(), "no graceful shutdown on SIGTERM"
    print(
        f"{len(ALGO_POINTS) * len(PASSAGES)} crashes in {time.monotonic() - started:.1f} s, "
        f"{len(algo_ids)} parents, {len(orders)} children, {len(fills)} fills; "
        f"at start-up: {during_start}"
    )
    _check_parents(algos, engine, reader, orders)
    assert {a["algo"] for a in algos} == {"twap", "iceberg", "bracket"}
