"""Crash test at the order path's named crash points: for every point (OMS, journal,
reconciler) and several passage counts, the service kills itself there (SIGKILL) while
orders rest, fill and are canceled. After every restart QuestDB must match the simulator's
own record: every order's state and filled amount, every fill once (its writes counted
before QuestDB's deduplication), no client order id sent twice, open or closed.

The venue is the HTTP simulator (it must outlive the killed process, and the send and
acknowledgement points are about the network round trip)."""

from __future__ import annotations

import random
import time
from pathlib import Path

import httpx
import pytest

from deltaworks_core.crash_points import POINTS
from deltaworks_core.questdb import QuestDBReader
from deltaworks_core.venues.simulator import ExchangeEngine, SimulatorServer
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
SYMBOL = "BTC/USDT"
PREFIX = "cp-"
SEED = 20261203
ORDER_POINTS = tuple(name for name in POINTS if not name.startswith("algo."))
MAX_STEPS = 80


class Workload:
    """Orders through the API, in a fixed cycle: one that rests, one that takes, a cancel,
    a market order; simulated time moves a second before each."""

    def __init__(self, engine: ExchangeEngine, seed: int) -> None:
        self.engine = engine
        self.rng = random.Random(seed)
        self.sent = 0

    def run(self, service: ServiceProcess) -> int:
        """Steps until ``service`` dies (the steps done); at most ``MAX_STEPS``."""
        with service.client() as api:
            for n in range(MAX_STEPS):
                self.engine.advance(1)
                try:
                    self._step(api, n % 4)
                except httpx.HTTPError:  # the service died in the middle of the call
                    wait_for(lambda: not service.running(), 5, 0.02)
                    return n
        return MAX_STEPS

    def _step(self, api: httpx.Client, kind: int) -> None:
        rng = self.rng
        if kind == 2:
            mine = api.get("/orders", params={"open_only": True, "symbol": SYMBOL}).json()
            mine = [o for o in mine if o["client_order_id"].startswith(PREFIX)]
            if mine:
                api.delete(f"/orders/{rng.choice(mine)['order_id']}")
            return
        side = rng.choice(("buy", "sell"))
        self.sent += 1
        body = {
            "exchange": EXCHANGE,
            "symbol": SYMBOL,
            "side": side,
            "amount": round(rng.uniform(0.001, 0.02), 5),
            "client_order_id": f"{PREFIX}{self.sent}",
            "type": "market",
        }
        if kind != 3:
            depth = self.engine.order_book(SYMBOL, 1)
            tick = float(depth.market.tick)
            mid = (depth.bids[0][0] + depth.asks[0][0]) / 2 * tick
            away = rng.uniform(0.0005, 0.002) * (1 if kind == 0 else -1)  # rest, or take
            price = mid * (1 - away) if side == "buy" else mid * (1 + away)
            body.update(type="limit", price=round(price, 2))
        answer = api.post("/orders", json=body)
        assert answer.status_code in (200, 201), answer.text


@pytest.mark.timeout(600)
def test_crash_at_every_order_point(
    launcher: Launcher, simulator: SimulatorServer, reader: QuestDBReader, tmp_path: Path
) -> None:
    assert len(ORDER_POINTS) >= 5, ORDER_POINTS
    engine = simulator.engine(EXCHANGE)
    log = tmp_path / "service.log"
    service = ServiceProcess(launcher, simulator.base_url, log, sim_a_only(tmp_path))
    service.start()
    with service.client() as api:
        released(api)
    service.kill()
    workload = Workload(engine, SEED)
    started = time.monotonic()
    during_start = []
    for point in ORDER_POINTS:
        for passage in PASSAGES:
            if not start_armed(service, point, passage):
                during_start.append(f"{point}:{passage}")
                continue
            # Recovered: QuestDB agrees with the venue on everything before this crash.
            assert_matches_venue(reader, engine, EXCHANGE, PREFIX, (service,))
            steps = workload.run(service)
            assert steps < MAX_STEPS, f"{point} never passed {passage} times"
            wait_crash(service, point, passage)
    service.start()
    orders, fills = assert_matches_venue(reader, engine, EXCHANGE, PREFIX, (service,))
    assert service.stop(), "no graceful shutdown on SIGTERM"
    print(
        f"{len(ORDER_POINTS) * len(PASSAGES)} crashes in {time.monotonic() - started:.1f} s, "
        f"{len(orders)} orders, {len(fills)} fills; at start-up: {during_start}"
    )
    statuses = {o["status"] for o in orders.values()}
    assert {"filled", "canceled", "new"} <= statuses, statuses
    assert len(fills) > len(ORDER_POINTS) * len(PASSAGES)
