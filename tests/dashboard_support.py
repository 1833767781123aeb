"""The execution service (API, algorithms, dashboard) served by uvicorn in a background thread."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import uvicorn

from deltaworks_core.config import Settings
from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_core.questdb.server import free_port
from deltaworks_core.venues.simulator import SimulatorServer
from deltaworks_exec.api.app import create_app
from deltaworks_exec.service import ExecService
from tests.exec_harness import TOKEN


@dataclass
class RunningService:
    url: str
    service: ExecService

    def client(self, token: str | None = TOKEN) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


@pytest.fixture(scope="module")
def running(settings: Settings, simulator: SimulatorServer) -> Iterator[RunningService]:
    """The service on a free port against the test QuestDB and simulator, ready to trade."""
    with serving(settings, simulator) as started:
        yield started


@contextlib.contextmanager
def serving(settings: Settings, simulator: SimulatorServer) -> Iterator[RunningService]:
    """The service of ``settings`` served on a free port until the block ends."""
    service = ExecService(
        settings, settings.exec.risk, simulator_url=simulator.base_url, poll_interval_s=0.2
    )
    port = free_port()
    config = uvicorn.Config(
        create_app(service, TOKEN),
        host="127.0.0.1",
        port=port,
        log_config=None,
        access_log=False,
        ws_ping_interval=None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="exec-api", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not (service.ready and server.started):  # started: the socket is bound
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the execution service did not become ready")
        time.sleep(0.05)
    yield RunningService(url, service)
    server.should_exit = True
    thread.join(timeout=30)


TABLES = (
    "holdings",
    "portfolio_value",
    "withdrawals",
    "algo_events",
    "arbitrage_opportunities",
    "backtest_runs",
    "backtest_equity",
)


@pytest.fixture(scope="module")
def api(running: RunningService) -> Iterator[httpx.Client]:
    """A client of the running service with the valid token."""
    with running.client() as client:
        yield client


def seed_tables(writer: QuestDBWriter, reader: QuestDBReader, key: str) -> None:
    """Rows of every table the dashboard reads, keyed by ``key`` (exchange ``x_{key}``)."""
    now = datetime.now(UTC).replace(microsecond=0)
    old, new = now - timedelta(minutes=15), now
    exchange = f"x_{key}"
    writer.write_rows(
        "holdings",
        [
            {"ts": old, "exchange": exchange, "account_type": "spot", "asset": "DOGE",
             "free": 5.0, "used": 0.0, "total": 5.0, "quote": "USDT", "price": 0.1, "value": 0.5},
            {"ts": new, "exchange": exchange, "account_type": "spot", "asset": "BTC",
             "free": 1.0, "used": 0.5, "total": 1.5, "quote": "USDT", "price": 60000.0,
             "value": 90000.0},
            {"ts": new, "exchange": exchange, "account_type": "future", "asset": "USDT",
             "free": 10.0, "used": 0.0, "total": 10.0, "quote": "USDT", "price": 1.0,
             "value": 10.0},
        ],
        symbols=("exchange", "account_type", "asset", "quote"),
    )  # fmt: skip
    writer.write_rows(
        "portfolio_value",
        [
            {"ts": t, "exchange": exchange, "account_type": "spot", "quote": "USDT",
             "value": v, "unpriced_assets": 0}
            for t, v in ((old, 0.5), (new, 90000.0))
        ],
        symbols=("exchange", "account_type", "quote"),
    )  # fmt: skip
    writer.write_rows(
        "withdrawals",
        [{"ts": new, "exchange": exchange, "withdrawal_id": f"w{key}", "kind": "crypto",
          "asset": "BTC", "amount": 0.2, "fee": 0.0001, "status": "ok"}],
        symbols=("exchange", "kind", "asset", "status"),
    )  # fmt: skip
    writer.write_rows(
        "algo_events",
        [
            {"ts": old + timedelta(seconds=s), "algo_id": f"a{key}", "seq": s, "algo": "twap",
             "status": "running", "exchange": "sim_a", "symbol": "BTC/USDT", "side": "buy",
             "quantity": 1.0, "filled": 0.25 * s, "target": 0.3 * s, "children": s,
             "params": "{}", "message": f"slice {s}"}
            for s in (1, 2, 3)
        ],
        symbols=("algo", "status", "exchange", "symbol", "side"),
    )  # fmt: skip
    writer.write_rows(
        "arbitrage_opportunities",
        [{"ts": new, "symbol": f"{key}/USDT", "buy_exchange": "sim_a", "sell_exchange": "sim_b",
          "buy_price": 100.0, "sell_price": 101.0, "amount": 1.0, "gross_edge_bps": 100.0,
          "net_edge_bps": 80.0}],
        symbols=("symbol", "buy_exchange", "sell_exchange"),
    )  # fmt: skip
    writer.write_rows(
        "backtest_runs",
        [{"ts": new, "run_id": f"r{key}", "strategy": "ma_cross", "mode": "candles",
          "symbols": "BTC/USDT", "quote": "USDT", "initial_equity": 1000.0,
          "final_equity": 1010.0, "pnl": 10.0, "return_pct": 1.0, "fills": 4}],
        symbols=("run_id", "strategy", "mode", "quote"),
    )  # fmt: skip
    writer.write_rows(
        "backtest_equity",
        [
            {"ts": old + timedelta(minutes=m), "run_id": f"r{key}", "equity": 1000.0 + m,
             "drawdown_pct": 0.0}
            for m in range(10)
        ],
        symbols=("run_id",),
    )  # fmt: skip
    reader.wait_visible(TABLES)
