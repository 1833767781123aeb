"""The crash switch: off by default, refused with live exchanges, SIGKILL at the n-th passage;
every declared point is on a code path (and every point on a code path is declared)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from deltaworks_core.config import ExchangeSettings, RiskLimits, Settings
from deltaworks_core.crash_points import ENV, POINTS, CrashSwitchError, arm, parse
from deltaworks_exec.service import ExecService

ROOT = Path(__file__).resolve().parent.parent
_CALL = re.compile(r"crash_point\(\"([^\"]+)\"\)")


def test_every_declared_point_is_passed_in_exactly_one_place() -> None:
    calls = [
        name
        for package in ("deltaworks_core", "deltaworks_exec")
        for path in (ROOT / package).rglob("*.py")
        for name in _CALL.findall(path.read_text())
    ]
    assert sorted(calls) == sorted(POINTS)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("oms.nowhere:1", "unknown crash point 'oms.nowhere'"),
        ("oms.venue_accepted", "unknown crash point ''"),
        ("oms.venue_accepted:0", "the passage '0' is not a positive integer"),
        ("oms.venue_accepted:x", "the passage 'x' is not a positive integer"),
    ],
)
def test_a_bad_switch_names_what_is_wrong(value: str, problem: str) -> None:
    with pytest.raises(CrashSwitchError, match=re.escape(problem)):
        parse(value)


LIVE = ExchangeSettings(
    name="real", mode="live", api_key_env="REAL_API_KEY", secret_env="REAL_API_SECRET"
)


def test_off_unless_set() -> None:
    assert arm({}, [LIVE]) is None


def test_the_service_refuses_the_switch_with_a_live_exchange(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = settings.model_copy(update={"exchanges": (*settings.exchanges, LIVE)})
    monkeypatch.setenv(ENV, "oms.venue_accepted:1")
    service = ExecService(live, RiskLimits())
    with pytest.raises(CrashSwitchError, match="refused with live exchanges: real"):
        asyncio.run(service.start())
    assert service.journal is None  # refused before anything was opened


def test_the_process_kills_itself_at_the_chosen_passage() -> None:
    script = (
        "import os\n"
        "from deltaworks_core.crash_points import arm, crash_point\n"
        "arm(os.environ, [])\n"
        "for n in range(1, 6):\n"
        "    crash_point('oms.venue_accepted')\n"
        "    crash_point('oms.fill_applied')\n"
        "    print(n, flush=True)\n"
    )
    env = {**os.environ, ENV: "oms.fill_applied:3"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env)
    assert done.returncode == -signal.SIGKILL
    assert done.stdout.split() == ["1", "2"]
    assert "crash point oms.fill_applied passage 3: SIGKILL" in done.stderr
