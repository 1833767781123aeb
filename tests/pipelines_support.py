"""Shared set-up of the pipelines tests: own exchanges, a simulator, Dagster definitions."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg

from deltaworks_core.config import ExchangeSettings, Settings
from deltaworks_core.venues.simulator import SimClock, SimulatorServer, running_simulator
from deltaworks_pipelines.definitions import build_definitions
from deltaworks_pipelines.partitions import ExchangeDay

SYMBOLS = ("BTC/USDT", "ETH/USDT", "SOL/USDT")


@dataclass
class PipelineEnv:
    """Definitions for this test's exchanges, the simulator serving them, a Dagster instance."""

    settings: Settings
    defs: dg.Definitions
    sim: SimulatorServer
    instance: dg.DagsterInstance

    def run(self, job: str, exchange: str, day: Any = None) -> dg.ExecuteInProcessResult:
        """Execute ``job`` for one (exchange, day) partition, or the exchange's partition of a
        snapshot job when ``day`` is None; failures are returned, not raised."""
        return self.defs.resolve_job_def(job).execute_in_process(
            partition_key=exchange if day is None else ExchangeDay(exchange, day).key,
            instance=self.instance,
            raise_on_error=False,
        )

    def evaluate_sensor(self, cursor: str | None) -> Any:
        """One tick of ``withdrawal_sync``: its run requests and new cursor."""
        sensor = self.defs.resolve_sensor_def("withdrawal_sync")
        with dg.build_sensor_context(
            instance=self.instance,
            cursor=cursor,
            resources=self.defs.resources,
            definitions=self.defs,
        ) as context:
            return sensor.evaluate_tick(context)


def pipeline_settings(
    settings: Settings, names: list[str], withdrawals: int = 5000, ccxt_id: str = "binance"
) -> Settings:
    """``settings`` with only the exchanges ``names`` (tests keep apart by exchange name),
    all of the dialect ``ccxt_id``."""
    exchanges = tuple(
        ExchangeSettings.model_validate({"name": name, "ccxt_id": ccxt_id, "symbols": SYMBOLS})
        for name in names
    )
    simulator = settings.simulator.model_copy(update={"withdrawals_per_exchange": withdrawals})
    return settings.model_copy(update={"exchanges": exchanges, "simulator": simulator})


@contextmanager
def pipeline_env(
    settings: Settings,
    names: list[str],
    withdrawals: int = 5000,
    instance_dir: Path | None = None,
    ccxt_id: str = "binance",
) -> Iterator[PipelineEnv]:
    """A simulator on a free port, on a simulated clock starting now, for exchanges ``names``.

    The Dagster instance is ephemeral, or persistent (SQLite, with concurrency pools)
    in ``instance_dir``.
    """
    own = pipeline_settings(settings, names, withdrawals, ccxt_id)
    clock = SimClock(int(time.time() * 1000))
    free_port = own.simulator.model_copy(update={"port": 0})
    with running_simulator(free_port, own.exchanges, clock=clock) as sim:
        defs = build_definitions(own, simulator_url=sim.base_url)
        instance = (
            dg.DagsterInstance.local_temp(str(instance_dir))
            if instance_dir
            else dg.DagsterInstance.ephemeral()
        )
        with instance:
            yield PipelineEnv(own, defs, sim, instance)
