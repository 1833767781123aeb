"""Run logs on the console use Delta Works' one format, like the service and the CLI."""

import re

import dagster as dg
import pytest

from deltaworks_core.config import Settings
from deltaworks_pipelines.console_logger import RUN_CONFIG, console_logger
from deltaworks_pipelines.definitions import build_definitions

KEY_VALUE_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO    dagster ")


def test_every_job_logs_through_the_deltaworks_console_logger(settings: Settings) -> None:
    defs = build_definitions(settings)
    for name in ("holdings_job", "withdrawals_job", "transfers_job", "backup_job"):
        assert defs.resolve_job_def(name).loggers["console"] is console_logger


@dg.asset
def greeting(context: dg.AssetExecutionContext) -> None:
    context.log.info("hello from a run")


def test_a_runs_log_lines_are_key_value(capfd: pytest.CaptureFixture[str]) -> None:
    job = dg.define_asset_job("greet", selection=[greeting], config=RUN_CONFIG)
    defs = dg.Definitions(assets=[greeting], jobs=[job], loggers={"console": console_logger})
    with dg.instance_for_test() as instance:
        job_def = defs.resolve_job_def("greet")
        assert job_def.execute_in_process(instance=instance, run_config=RUN_CONFIG).success
    lines = [line for line in capfd.readouterr().err.splitlines() if "hello from a run" in line]
    assert lines and all(KEY_VALUE_LINE.match(line) for line in lines), lines
    assert "dagster_meta" not in lines[0]
