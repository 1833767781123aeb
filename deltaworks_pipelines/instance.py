"""The one Dagster instance of a Delta Works deployment, under its state folder.

``DAGSTER_HOME`` is ``<state folder>/dagster`` (``~/.deltaworks/dagster``, or under
``DELTAWORKS_HOME``). Its ``dagster.yaml`` is written by Delta Works on every use
(edits there are overwritten; change this module instead): runs go through the
queue, a run that fails is retried (a history run resumes from its last committed
window), and every pool, among them the per-exchange pools ``exchange_<name>``
that history runs claim (``pools.py``), allows one step at a time unless set
otherwise with ``dagster instance concurrency set``. The demo, the schedules (the
daemon of ``deltaworks ui``) and ``deltaworks dagster ...`` all use this instance.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
import yaml

from deltaworks_core.config import STATE_DIR

HOME_ENV_VAR = "DAGSTER_HOME"
MAX_CONCURRENT_RUNS = 4  # each run is a process; more would only queue for the CPU
MAX_RUN_RETRIES = 2
EXCHANGE_POOL_LIMIT = 1  # one history run per exchange at a time: rate limits hold
CODE_SERVER_STARTUP_S = 600  # Dagster's 180 s is too short on a loaded 2-core machine

# Read by Dagster from the environment of every process that creates runs (the daemon, the
# webserver, the demo), not from dagster.yaml. A ranged run then records its planned
# materializations as one event over its partitions instead of one per partition: on this
# SQLite instance an event costs ~15 ms of CPU, so a year's backfill on two exchanges spent
# ~25 s creating its two runs (732 events) before either could start. Dagster's caveat: the
# days of a ranged run that fails may show as missing rather than failed (the run and the
# backfill still show the failure).
RUN_CREATION_ENV = {"DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS": "1"}


def dagster_home(state_dir: Path = STATE_DIR) -> Path:
    """The ``DAGSTER_HOME`` of the deployment whose state lives in ``state_dir``."""
    return state_dir / "dagster"


def instance_config() -> dict[str, object]:
    """The content of ``dagster.yaml``."""
    return {
        "concurrency": {
            "runs": {"max_concurrent_runs": MAX_CONCURRENT_RUNS},
            "pools": {"default_limit": EXCHANGE_POOL_LIMIT},
        },
        # Queued runs are launched side by side: one after another, each waits for its
        # process to start (seconds), and a backfill of several exchanges starts late.
        "run_queue": {"dequeue_use_threads": True, "dequeue_num_workers": MAX_CONCURRENT_RUNS},
        "run_retries": {"enabled": True, "max_retries": MAX_RUN_RETRIES},
        "code_servers": {"local_startup_timeout": CODE_SERVER_STARTUP_S},
        "telemetry": {"enabled": False},
    }


def prepare_home(state_dir: Path = STATE_DIR) -> Path:
    """Create the instance folder and (re)write its ``dagster.yaml``; the folder."""
    home = dagster_home(state_dir)
    home.mkdir(parents=True, exist_ok=True)
    header = "# Written by Delta Works (deltaworks_pipelines/instance.py); edits are overwritten.\n"
    (home / "dagster.yaml").write_text(header + yaml.safe_dump(instance_config()))
    return home


def open_instance(state_dir: Path = STATE_DIR) -> dg.DagsterInstance:
    """The deployment's persistent Dagster instance (prepared first); this process creates
    its runs as the deployment's other processes do (``RUN_CREATION_ENV``)."""
    os.environ.update(RUN_CREATION_ENV)
    return dg.DagsterInstance.from_config(str(prepare_home(state_dir)))


def dagster_env(state_dir: Path = STATE_DIR) -> dict[str, str]:
    """This process's environment with ``DAGSTER_HOME`` set to the deployment's instance
    and Dagster's run-creation settings (``RUN_CREATION_ENV``)."""
    return {**os.environ, **RUN_CREATION_ENV, HOME_ENV_VAR: str(prepare_home(state_dir))}
