"""One Dagster instance: the demo's runs are where `deltaworks ui` and `deltaworks dagster` look."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import dagster as dg
import pytest
import yaml
from rich.console import Console

from deltaworks_core.config import REPO_ROOT, Settings
from deltaworks_pipelines.definitions import defs
from deltaworks_pipelines.demo import materialize
from deltaworks_pipelines.instance import dagster_home, open_instance
from deltaworks_pipelines.pools import exchange_pool
from tests.pipelines_support import pipeline_env

ASSETS = ("holdings", "portfolio_value", "withdrawals", "candles")


def dagster_cli(state_dir: Path, *args: str) -> str:
    """``deltaworks dagster ARGS`` with the state folder ``state_dir``; its output."""
    env = {**os.environ, "DELTAWORKS_HOME": str(state_dir)}
    env.pop("DAGSTER_HOME", None)
    command = [sys.executable, "-m", "deltaworks_core.cli", "dagster", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_demos_materializations_are_in_the_instance_the_ui_uses(
    settings: Settings, tmp_path: Path
) -> None:
    name = f"in{uuid.uuid4().hex[:8]}"
    with (
        pipeline_env(settings, [name], withdrawals=500) as env,
        open_instance(tmp_path) as instance,
    ):
        assert materialize(env.defs, env.settings, instance, Console(quiet=True)) == []

    # What `deltaworks ui` and `deltaworks dagster` open: the same folder, read afresh.
    assert f"$DAGSTER_HOME: {dagster_home(tmp_path)}" in dagster_cli(tmp_path, "instance", "info")
    with dg.DagsterInstance.from_config(str(dagster_home(tmp_path))) as ui_instance:
        for asset in ASSETS:
            assert ui_instance.get_latest_materialization_event(dg.AssetKey(asset)), asset
        withdrawal_days = ui_instance.get_materialized_partitions(dg.AssetKey("withdrawals"))
        assert len(withdrawal_days) == 30  # one ranged run materialized every day
        assert ui_instance.get_materialized_partitions(dg.AssetKey("holdings")) == {name}
        runs = ui_instance.get_runs()  # a snapshot and two ranged backfills; the sensor had none
        assert len(runs) == 3 and all(r.status == dg.DagsterRunStatus.SUCCESS for r in runs)
        checks = ui_instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [dg.AssetCheckKey(dg.AssetKey("holdings"), "holdings_fresh")]
        )
        assert checks, "the holdings checks ran in the demo"


def test_the_instance_queues_retries_and_limits_every_exchange_pool(tmp_path: Path) -> None:
    with open_instance(tmp_path) as instance:
        assert instance.run_retries_enabled and instance.run_retries_max_retries == 2
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 4
        instance.event_log_storage.initialize_concurrency_limit_to_default(exchange_pool("x"))
        assert instance.event_log_storage.get_concurrency_info(exchange_pool("x")).slot_count == 1
    written = yaml.safe_load((dagster_home(tmp_path) / "dagster.yaml").read_text())
    assert written["run_retries"]["enabled"] is True


def test_the_code_location_is_named_deltaworks() -> None:
    workspace = yaml.safe_load((REPO_ROOT / "workspace.yaml").read_text())
    (location,) = workspace["load_from"]
    assert location["python_module"]["location_name"] == "deltaworks"


@pytest.mark.parametrize("asset", ASSETS)
def test_every_asset_has_an_owner(asset: str) -> None:
    spec = defs.resolve_asset_graph().get(dg.AssetKey(asset))
    assert spec.owners, asset
