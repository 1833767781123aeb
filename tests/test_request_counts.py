"""Exact exchange request counts of the treasury paths, counted at ccxt's HTTP transport.

Every request any ccxt exchange of this process sends goes through ``Exchange.fetch``;
the counter wraps it (the request is still sent to the simulator and answered). The
counts are the promises the benchmarks print: an idle withdrawal sensor tick costs one
crypto and one fiat request, an incremental sync does not grow with the history, and a
holdings snapshot costs one request per wallet plus one ticker list. A change that adds a
request fails here, with the requests listed.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import ccxt
import dagster as dg
import pytest

from deltaworks_core.config import Settings
from deltaworks_pipelines.assets.holdings import snapshot
from deltaworks_pipelines.assets.withdrawals import fetch_withdrawals, write_withdrawals
from deltaworks_pipelines.definitions import WITHDRAWALS_JOB
from tests.pipelines_support import PipelineEnv, pipeline_env

NEW = 7  # new withdrawals in the incremental sync
DAY_MS = 86_400_000


class RequestLog:
    """The (method, path) of every HTTP request ccxt sends while installed."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self.requests = []

    def expect(self, expected: list[tuple[str, str]]) -> None:
        """Assert the requests since the last check were exactly ``expected`` (in any order)."""
        with self._lock:
            sent, self.requests = sorted(self.requests), []
        assert sent == sorted(expected), (
            f"{len(sent)} requests, expected {len(expected)}:\n"
            f"sent     {sent}\nexpected {sorted(expected)}"
        )

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        send = ccxt.Exchange.fetch

        def fetch(exchange: Any, url: str, method: str = "GET", *args: Any, **kwargs: Any) -> Any:
            with self._lock:
                self.requests.append((method, urlsplit(url).path))
            return send(exchange, url, method, *args, **kwargs)

        monkeypatch.setattr(ccxt.Exchange, "fetch", fetch)


def prefixed(exchange: str, requests: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``requests`` at the simulator's root for ``exchange``."""
    return [(method, f"/{exchange}{path}") for method, path in requests]


@pytest.fixture
def requests(monkeypatch: pytest.MonkeyPatch) -> RequestLog:
    log = RequestLog()
    log.install(monkeypatch)
    return log


@pytest.fixture(scope="module")
def env(settings: Settings) -> Iterator[PipelineEnv]:
    with pipeline_env(settings, [f"rc{uuid.uuid4().hex[:8]}"]) as pipeline:
        yield pipeline


# ccxt's binance loads its markets with two requests (spot and USD-M futures exchangeInfo);
# the pipelines' markets are cached per run or sensor tick, so each pays them once.
MARKETS = [("GET", "/api/v3/exchangeInfo"), ("GET", "/fapi/v1/exchangeInfo")]
# One pass over a window of withdrawal history: crypto, then fiat.
WITHDRAWALS = [("GET", "/sapi/v1/capital/withdraw/history"), ("GET", "/sapi/v1/fiat/orders")]


def _run(env: PipelineEnv, partition_key: str) -> None:
    job = env.defs.resolve_job_def(WITHDRAWALS_JOB)
    assert job.execute_in_process(partition_key=partition_key, instance=env.instance).success


def test_withdrawal_sync_requests(env: PipelineEnv, requests: RequestLog) -> None:
    name = env.settings.exchanges[0].name
    engine = env.sim.engine(name)
    with dg.build_resources(env.defs.resources) as resources:  # the recent history, stored
        with resources.exchanges.client(name) as client:
            found = fetch_withdrawals(client, engine.now_ms() - 5 * DAY_MS, engine.now_ms() + 1)
        write_withdrawals(resources.questdb, found)
    first = env.evaluate_sensor(None)  # the cursor, rebuilt from QuestDB
    assert first.run_requests == []
    requests.clear()

    idle = env.evaluate_sensor(first.cursor)
    assert idle.run_requests == []
    # Idle, over a history of 5,000 withdrawals: the markets and one window, nothing more.
    requests.expect(prefixed(name, MARKETS + WITHDRAWALS))

    for n in range(NEW):
        engine.add_withdrawal("USDT", 100.0 + n, pending_ms=600_000)
    engine.advance(1)
    found = env.evaluate_sensor(idle.cursor)
    assert len(found.run_requests) == 1  # all applied today: one day to sync
    requests.expect(prefixed(name, MARKETS + WITHDRAWALS))
    _run(env, found.run_requests[0].partition_key)
    # The day's run: its own markets and the day's window, whatever the number of new records.
    requests.expect(prefixed(name, MARKETS + WITHDRAWALS))


def test_holdings_snapshot_requests(env: PipelineEnv, requests: RequestLog) -> None:
    name = env.settings.exchanges[0].name
    balances = [  # one per wallet: spot, cross margin, USD-M futures
        ("GET", "/api/v3/account"),
        ("GET", "/fapi/v3/account"),
        ("GET", "/sapi/v1/margin/account"),
    ]
    tickers = [("GET", "/api/v3/ticker/24hr")]  # every symbol's last price in one list
    with dg.build_resources({"exchanges": env.defs.resources["exchanges"]}) as resources:
        exchanges = resources.exchanges
        snapshot(exchanges, [name], exchanges.max_workers)
        requests.expect(prefixed(name, MARKETS + balances + tickers))
        snapshot(exchanges, [name], exchanges.max_workers)  # markets cached in the resource
        requests.expect(prefixed(name, balances + tickers))
