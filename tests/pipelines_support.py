"""Shared set-up of the pipelines tests: own exchanges, a simulator, Dagster definitions."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg

from deltaworks_core.config import ExchangeSettings, Settings
from deltaworks_core.venues.simulator import SimClock, SimulatorServer, running_simulator
from deltaworks_pipelines.definitions import build_definitions
from deltaworks_pipelines.instance import RUN_CREATION_ENV
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

    def evaluate_sensor(self, cursor: str | None, name: str = "withdrawal_sync") -> Any:
        """One tick of sensor ``name``: its run requests and new cursor."""
        sensor = self.defs.resolve_sensor_def(name)
        with dg.build_sensor_context(
            instance=self.instance,
            cursor=cursor,
            resources=self.defs.resources,
            definitions=self.defs,
        ) as context:
            return sensor.evaluate_tick(context)


def pipeline_settings(
    settings: Settings,
    names: list[str],
    withdrawals: int = 5000,
    ccxt_id: str | Sequence[str] = "binance",
) -> Settings:
    """``settings`` with only the exchanges ``names`` (tests keep apart by exchange name),
    of the dialect ``ccxt_id`` (one for all, or one per name)."""
    ccxt_ids = [ccxt_id] * len(names) if isinstance(ccxt_id, str) else list(ccxt_id)
    exchanges = tuple(
        ExchangeSettings.model_validate({"name": name, "ccxt_id": cid, "symbols": SYMBOLS})
        for name, cid in zip(names, ccxt_ids, strict=True)
    )
    simulator = settings.simulator.model_copy(update={"withdrawals_per_exchange": withdrawals})
    return settings.model_copy(update={"exchanges": exchanges, "simulator": simulator})


@contextmanager
def pipeline_env(
    settings: Settings,
    names: list[str],
    withdrawals: int = 5000,
    instance_dir: Path | None = None,
    ccxt_id: str | Sequence[str] = "binance",
    clock_behind_s: float = 0.0,
) -> Iterator[PipelineEnv]:
    """A simulator on a free port, on a simulated clock starting now (or ``clock_behind_s``
    before, so that advancing it stays in the past of the wall clock), for exchanges
    ``names``.

    The Dagster instance is ephemeral, or persistent (SQLite, with concurrency pools)
    in ``instance_dir``; runs are created as the deployment creates them
    (``RUN_CREATION_ENV``).
    """
    os.environ.update(RUN_CREATION_ENV)
    own = pipeline_settings(settings, names, withdrawals, ccxt_id)
    clock = SimClock(int((time.time() - clock_behind_s) * 1000))
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
