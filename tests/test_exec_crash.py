"""Crash test: SIGKILL the service at seeded random moments while orders rest, fill and are
canceled; after every restart the service must agree with the simulator, with every fill
recorded once and no order sent twice."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path

import httpx
import pytest

from deltaworks_core.config import Settings
from deltaworks_core.questdb import QuestDBReader
from deltaworks_core.venues.simulator import SimError, SimulatorServer
from tests.exec_harness import Launcher, ServiceProcess, wait_for

pytest_plugins = ("tests.exec_fixtures",)

SYMBOL = "BTC/USDT"
KILLS = 20
SEED = 20261126
PREFIX = "crash-"
VENUE_STATUS = {
    "NEW": "new",
    "PARTIALLY_FILLED": "partially_filled",
    "FILLED": "filled",
    "CANCELED": "canceled",
    "EXPIRED": "expired",
    "EXPIRED_IN_MATCH": "expired",
    "REJECTED": "rejected",
}


class Workload:
    """Submits and cancels orders through the API, and moves simulated time, until stopped."""

    def __init__(self, simulator: SimulatorServer, url: str, token: str, seed: int) -> None:
        self.engine = simulator.engine("sim_a")
        self.rng = random.Random(seed)
        self.url = url
        self.token = token
        self.attempted: list[str] = []
        self.stop = threading.Event()

    def run(self) -> None:
        """Until stopped: move time one second, then one API call (failures while the
        service is down or being killed are part of the test)."""
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=5) as api:
            while not self.stop.is_set():
                self.engine.advance(1)
                try:
                    self._step(api)
                except httpx.HTTPError:
                    time.sleep(0.05)

    def _step(self, api: httpx.Client) -> None:
        rng = self.rng
        depth = self.engine.order_book(SYMBOL, 1)
        tick = float(depth.market.tick)
        mid = (depth.bids[0][0] + depth.asks[0][0]) / 2 * tick
        if rng.random() < 0.25 and self.attempted:
            open_orders = api.get("/orders", params={"open_only": True}).json()
            mine = [o for o in open_orders if o["client_order_id"].startswith(PREFIX)]
            if mine:
                api.delete(f"/orders/{rng.choice(mine)['order_id']}")
            return
        client_order_id = f"{PREFIX}{len(self.attempted)}-{rng.randrange(10**6)}"
        self.attempted.append(client_order_id)
        side = rng.choice(("buy", "sell"))
        body = {
            "exchange": "sim_a",
            "symbol": SYMBOL,
            "side": side,
            "amount": round(rng.uniform(0.001, 0.05), 5),
            "client_order_id": client_order_id,
        }
        if rng.random() < 0.15:
            body["type"] = "market"
        else:
            offset = rng.uniform(-0.0005, 0.0015) * (1 if side == "sell" else -1)
            body.update(type="limit", price=round(mid * (1 + offset), 2))
        api.post("/orders", json=body)


def _venue_order(engine, client_order_id: str):
    try:
        return engine.order("main", SYMBOL, client_order_id=client_order_id)
    except SimError:
        return None


def _mismatches(orders: dict[str, dict], engine, step: float) -> list[str]:
    problems = []
    for cid, order in orders.items():
        venue = _venue_order(engine, cid)
        if venue is None:
            if order["status"] != "rejected":
                problems.append(f"{cid}: service {order['status']}, venue has no order")
            continue
        expected = VENUE_STATUS[venue.status]
        filled = venue.filled * step
        if order["status"] != expected or abs(order["filled"] - filled) > step / 2:
            problems.append(
                f"{cid}: service {order['status']}/{order['filled']}, venue {expected}/{filled}"
            )
    return problems


@pytest.mark.timeout(240)
def test_sigkill_at_random_moments(
    settings: Settings, launcher: Launcher, simulator: SimulatorServer, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    service = ServiceProcess(launcher, simulator.base_url, tmp_path / "service.log")
    engine = simulator.engine("sim_a")
    step = float(engine.market(SYMBOL).step)
    workload = Workload(simulator, service.url, "test-token-0123456789", rng.randrange(10**9))
    thread = threading.Thread(target=workload.run, daemon=True)
    thread.start()
    try:
        for _ in range(KILLS):
            service.start()
            time.sleep(rng.uniform(0.1, 1.0))
            service.kill()
    finally:
        workload.stop.set()
        thread.join(timeout=10)
    mine = set(workload.attempted)
    assert len(mine) >= 3 * KILLS, "the workload did too little to test anything"
    service.start()
    with QuestDBReader(settings.questdb) as reader, service.client() as api:

        def converged() -> tuple[dict[str, dict], dict[str, dict], set[str]] | None:
            """Service orders, recorded fills, venue fills, once they all agree."""
            listed = api.get("/orders", params={"limit": 10_000}).json()
            orders = {o["client_order_id"]: o for o in listed if o["client_order_id"] in mine}
            if _mismatches(orders, engine, step):
                return None
            venue_ids = {int(o["venue_order_id"]) for o in orders.values() if o["venue_order_id"]}
            trades = engine.my_trades("main", SYMBOL, limit=100_000)
            venue_fills = {str(f.id) for f in trades if f.order_id in venue_ids}
            reader.wait_visible("fills")
            rows = reader.query(
                "SELECT fill_id, count() n, sum(amount) amount FROM fills "
                "WHERE exchange = 'sim_a' AND client_order_id LIKE %s GROUP BY fill_id",
                (f"{PREFIX}%",),
            )
            recorded = {row["fill_id"]: row for row in rows}
            return (orders, recorded, venue_fills) if set(recorded) == venue_fills else None

        try:
            orders, recorded, venue_fills = wait_for(converged, timeout_s=30, interval_s=0.3)
        finally:
            assert service.stop(), "no graceful shutdown on SIGTERM"
    # Write-ahead: an order the venue has was always persisted first.
    for cid in mine - set(orders):
        assert _venue_order(engine, cid) is None, f"{cid} reached the venue unrecorded"
    # No order sent twice: one venue order per client order id.
    venue_cids = [o.client_id for o in engine.orders("main") if o.client_id in mine]
    assert len(venue_cids) == len(set(venue_cids))
    # Every fill recorded exactly once; fills add up to what the orders say is filled.
    assert all(row["n"] == 1 for row in recorded.values())
    filled_by_fills = sum(row["amount"] for row in recorded.values())
    assert filled_by_fills == pytest.approx(sum(o["filled"] for o in orders.values()))
    assert len(venue_fills) > KILLS, "too few fills to test recovery of fills"
    statuses = {o["status"] for o in orders.values()}
    assert {"filled", "canceled", "new"} <= statuses, statuses
