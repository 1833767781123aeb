"""Fixtures of the execution-service tests (a pytest plugin: ``pytest_plugins``)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from deltaworks_core.config import Settings
from deltaworks_core.venues.simulator import SimClock, SimulatorServer, running_simulator
from tests.exec_harness import Launcher, ServiceProcess


@pytest.fixture(scope="module")
def simulator(settings: Settings) -> Iterator[SimulatorServer]:
    """Every configured exchange, simulated on a clock that moves only when a test says so."""
    clock = SimClock(int(time.time() * 1000))
    config = settings.simulator.model_copy(update={"port": 0})
    with running_simulator(config, settings.exchanges, clock=clock) as server:
        yield server


@pytest.fixture(scope="session")
def launcher(settings: Settings) -> Iterator[Launcher]:
    started = Launcher(settings)
    yield started
    started.close()


@pytest.fixture(scope="module")
def service(
    launcher: Launcher, simulator: SimulatorServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    process = ServiceProcess(
        launcher, simulator.base_url, tmp_path_factory.mktemp("exec") / "service.log"
    )
    process.start()
    yield process
    if process.running():
        with process.client() as api:  # leave no open order to the next module's simulator
            api.post("/risk/kill-switch", json={"engaged": True, "reason": "module teardown"})
            api.post("/risk/kill-switch", json={"engaged": False})
        process.stop()


@pytest.fixture(scope="module")
def api(service: ServiceProcess) -> Iterator[httpx.Client]:
    with service.client() as client:
        yield client
