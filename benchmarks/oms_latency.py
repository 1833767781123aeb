"""OMS latency benchmark.

1. REST: 1,000 limit orders submitted one after another through the running service's
   API (``deltaworks-exec serve`` against the simulator over HTTP; client, service and
   simulator are three processes on loopback); submit-to-acknowledgement
   latency (the API answers once the order is acknowledged by the venue and both of its
   transitions are durable in QuestDB), p50 and p99.
2. OMS alone, in-process: 5,000 orders through ``OrderManager`` (risk, write-ahead and
   acknowledgement rows committed to QuestDB) against the simulator's in-process engine;
   orders per second.

Runs a private QuestDB and simulator; the last line is one JSON object
``{"rest_p50_ms", "rest_p99_ms", "oms_orders_per_s"}``.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deltaworks_core.config import QuestDBSettings, RiskLimits, Settings, load_settings
from deltaworks_core.questdb import ManagedQuestDB, QuestDBReader, migrate
from deltaworks_core.questdb.server import free_port, private_server_settings
from deltaworks_core.venues.simulator import ExchangeEngine, SimClock
from deltaworks_exec.clock import SimulatedClock
from deltaworks_exec.marketdata import BookCache
from deltaworks_exec.oms.bus import EventBus
from deltaworks_exec.oms.journal import Journal
from deltaworks_exec.oms.manager import NewOrder, OrderManager
from deltaworks_exec.venues.engine_venue import EngineVenue

REST_ORDERS = 1_000
REST_WARMUP = 50
OMS_ORDERS = 5_000
OMS_CONCURRENCY = 1000  # callers submitting at once (group commit batches them)
SYMBOL = "BTC/USDT"
AMOUNT = 0.0002
TOKEN = "benchmark-token"


def _serve(settings: Settings, simulator_url: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    q = settings.questdb
    env = {
        **os.environ,
        "DELTAWORKS_API_TOKEN": TOKEN,
        "DELTAWORKS_QUESTDB_MANAGED": "false",
        "DELTAWORKS_QUESTDB_HOST": q.host,
        "DELTAWORKS_QUESTDB_HTTP_PORT": str(q.http_port),
        "DELTAWORKS_QUESTDB_PG_PORT": str(q.pg_port),
    }
    command = [str(Path(sys.executable).parent / "deltaworks-exec"), "serve", "--port", str(port),
               "--simulator-url", simulator_url]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=1).json().get("ready"):
                return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"service did not start: {log.read_text()[-2000:]}")


_SIMULATOR = """
import asyncio, sys
from deltaworks_core.config import load_settings
from deltaworks_core.venues.simulator import serve_forever
settings = load_settings()
config = settings.simulator.model_copy(update={"port": int(sys.argv[1])})
asyncio.run(serve_forever(config, settings.exchanges))
"""


def _simulator(settings: Settings) -> tuple[subprocess.Popen, str]:
    """The simulator in a process of its own (wall clock), and its URL once it answers."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", _SIMULATOR, str(port)])
    url = f"http://{settings.simulator.host}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/sim_a/api/v3/ping", timeout=1).raise_for_status()
            return process, url
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("simulator did not start")


def _mid(simulator_url: str) -> float:
    book = httpx.get(f"{simulator_url}/sim_a/api/v3/depth", params={"symbol": "BTCUSDT"}).json()
    return (float(book["bids"][0][0]) + float(book["asks"][0][0])) / 2


def rest_latencies(settings: Settings, simulator_url: str, mid: float, log: Path) -> list[float]:
    """Milliseconds from sending each POST /orders to its answer."""
    process, url = _serve(settings, simulator_url, log)
    latencies = []
    try:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=url, headers=headers, timeout=30) as api:
            api.put("/risk/limits", json={"max_open_orders": 100_000}).raise_for_status()
            body = {"exchange": "sim_a", "symbol": SYMBOL, "side": "buy", "type": "limit",
                    "amount": AMOUNT, "price": round(mid * 0.98, 2)}  # fmt: skip
            for i in range(REST_WARMUP + REST_ORDERS):
                start = time.perf_counter()
                response = api.post("/orders", json=body)
                elapsed = (time.perf_counter() - start) * 1000
                if response.json()["status"] != "new":
                    raise RuntimeError(f"order not acknowledged: {response.text}")
                if i >= REST_WARMUP:
                    latencies.append(elapsed)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    return latencies


async def oms_rate(questdb: QuestDBSettings) -> tuple[float, float]:
    """Orders per second through the OMS with persistence, against the in-process engine:
    per second of wall time, and per second of this process's CPU time."""
    now = int(time.time() * 1000)
    engine = ExchangeEngine("bench", [SYMBOL], clock=SimClock(now))
    venue = EngineVenue(engine, SimulatedClock(now))
    journal = Journal(questdb)
    await journal.start()
    market = BookCache({"bench": venue}, max_age_s=3600)
    oms = OrderManager(
        {"bench": venue}, journal, SimulatedClock(now), EventBus(), market,
        RiskLimits(max_open_orders=1_000_000), {"bench": (SYMBOL,)},
    )  # fmt: skip
    oms.balances["bench"] = await venue.balances()
    mid = await market.mid("bench", SYMBOL)
    price = venue.price_to_precision(SYMBOL, mid * 0.98)
    numbers = iter(range(OMS_ORDERS))
    statuses: list[str] = []

    async def worker() -> None:
        for i in numbers:
            new = NewOrder("bench", SYMBOL, "buy", "limit", AMOUNT, price=price,
                           client_order_id=f"bench-{i}")  # fmt: skip
            order, _ = await oms.submit(new)
            statuses.append(order.status)

    start, cpu_start = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(OMS_CONCURRENCY)))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    await journal.close()
    if set(statuses) != {"new"}:
        raise RuntimeError(f"unexpected statuses: {sorted(set(statuses))}")
    return OMS_ORDERS / elapsed, OMS_ORDERS / cpu


def main() -> None:
    base = load_settings()
    with tempfile.TemporaryDirectory(prefix="oms-bench-") as tmp:
        server = ManagedQuestDB(
            private_server_settings(Path(tmp) / "questdb"), die_with_parent=True
        )
        server.start()
        try:
            with QuestDBReader(server.settings) as reader:
                migrate(reader)
            settings = base.model_copy(update={"questdb": server.settings})
            simulator, simulator_url = _simulator(settings)
            try:
                latencies = rest_latencies(
                    settings, simulator_url, _mid(simulator_url), Path(tmp) / "service.log"
                )
            finally:
                simulator.terminate()
                simulator.wait(timeout=30)
            rate, cpu_rate = asyncio.run(oms_rate(server.settings))
        finally:
            server.stop()
    p50 = statistics.median(latencies)
    p99 = statistics.quantiles(latencies, n=100)[98]
    print(f"REST submit->ack over {len(latencies)} orders: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
    print(
        f"OMS in-process with persistence: {rate:,.0f} orders/s over {OMS_ORDERS} orders "
        f"({cpu_rate:,.0f} orders per CPU-second of the OMS process)"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (1, 5, 15 min)")
    print(json.dumps({"rest_p50_ms": round(p50, 3), "rest_p99_ms": round(p99, 3),
                      "oms_orders_per_s": round(rate, 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
