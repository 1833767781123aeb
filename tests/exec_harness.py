"""Shared pieces of the execution-service tests: a simulator on a simulated clock, and the
service as a real subprocess (``deltaworks-exec serve``) reached over HTTP and WebSocket."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from deltaworks_core.config import Settings
from deltaworks_core.questdb.server import free_port

TOKEN = "test-token-0123456789"
# The simulated clock stands still between a test's steps, so no book update is streamed:
# limits a test resets keep the test configuration's tolerance of an unchanged book.
QUIET_MARKET_LIMITS = {"max_book_age_s": 3600.0}


_LAUNCHER = r"""
import json, os, sys
from deltaworks_exec import cli
import deltaworks_exec.api.app  # the heavy imports, once for every service started

for line in sys.stdin:
    args, log_path, env = json.loads(line)
    pid = os.fork()
    if pid == 0:
        os.environ.update(env)
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        try:
            cli.app(args, prog_name="deltaworks-exec")
        finally:
            os._exit(0)
    print(pid, flush=True)
    while True:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                break
        except ChildProcessError:
            break
"""


class Launcher:
    """Starts ``deltaworks-exec serve`` processes by forking a pre-imported interpreter.

    Each service is still its own process (SIGKILL kills only it); forking skips the
    seconds of importing ccxt, pandas and FastAPI at every one of the crash test's restarts.
    """

    def __init__(self, settings: Settings) -> None:
        q = settings.questdb
        env = {
            **os.environ,
            "DELTAWORKS_API_TOKEN": TOKEN,
            "DELTAWORKS_QUESTDB_MANAGED": "false",
            "DELTAWORKS_QUESTDB_HOST": q.host,
            "DELTAWORKS_QUESTDB_HTTP_PORT": str(q.http_port),
            "DELTAWORKS_QUESTDB_PG_PORT": str(q.pg_port),
        }
        self._process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def launch(self, args: list[str], log_path: Path, env: dict[str, str] | None = None) -> int:
        """The pid of a new ``deltaworks-exec <args>`` process logging to ``log_path``, with
        ``env`` added to its environment."""
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(json.dumps([args, str(log_path), env or {}]) + "\n")
        self._process.stdin.flush()
        return int(self._process.stdout.readline())

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=10)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


class ServiceExitedError(RuntimeError):
    """The service process ended before it was ready."""


class ServiceProcess:
    """``deltaworks-exec serve`` as its own process, against the test QuestDB and simulator."""

    def __init__(
        self,
        launcher: Launcher,
        simulator_url: str,
        log_path: Path,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.env = env or {}
        self.url = f"http://127.0.0.1:{self.port}"
        self._launcher = launcher
        self._simulator_url = simulator_url
        self._log_path = log_path
        self.pid: int | None = None

    def start(self, timeout_s: float = 60.0, env: dict[str, str] | None = None) -> None:
        """Start (``env`` added to its environment) and wait until recovery is done and the
        API answers; ``ServiceExitedError`` when the process ends first."""
        args = ["serve", "--port", str(self.port), "--simulator-url", self._simulator_url,
                "--poll-interval", "0.2"]  # fmt: skip
        self.pid = self._launcher.launch(args, self._log_path, {**self.env, **(env or {})})
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not _alive(self.pid):
                raise ServiceExitedError(f"service exited: {self._log_path.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).json().get("ready"):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"service not ready: {self._log_path.read_text()[-3000:]}")

    def log_text(self) -> str:
        """Everything the service's processes have logged so far."""
        return self._log_path.read_text()

    def running(self) -> bool:
        return self.pid is not None and _alive(self.pid)

    def _signal(self, signum: int, timeout_s: float) -> None:
        assert self.pid is not None
        os.kill(self.pid, signum)
        deadline = time.monotonic() + timeout_s
        while _alive(self.pid):
            if time.monotonic() > deadline:
                raise TimeoutError(f"service {self.pid} still alive after signal {signum}")
            time.sleep(0.02)

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        self._signal(signal.SIGKILL, 10)

    def stop(self) -> bool:
        """SIGTERM; True when the service shut down gracefully (its lifespan completed)."""
        self._signal(signal.SIGTERM, 30)
        return "Application shutdown complete" in self._log_path.read_text()[-3000:]

    def client(self, token: str | None = TOKEN) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def wait_for(predicate: Any, timeout_s: float = 10.0, interval_s: float = 0.05) -> Any:
    """Poll ``predicate`` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout_s} s")
        time.sleep(interval_s)


def order_state(api: httpx.Client, order_id: str) -> dict[str, Any]:
    return api.get(f"/orders/{order_id}").json()["order"]


def wait_status(api: httpx.Client, order_id: str, *statuses: str, timeout_s: float = 10) -> dict:
    """The order once its status is one of ``statuses``."""
    return wait_for(
        lambda: (o := order_state(api, order_id))["status"] in statuses and o, timeout_s
    )
