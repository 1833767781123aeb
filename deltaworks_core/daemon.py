"""Background processes that outlive the command that started them (the simulator, the service).

A process is started detached with its output in a log file; a JSON state file
records its pid so that later commands can report on it and stop it.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from deltaworks_core.config import STATE_DIR

_PR_SET_PDEATHSIG = 1
# Looked up once here: the child must do as little as possible between fork and exec.
_prctl = ctypes.CDLL(None, use_errno=True).prctl


class DaemonError(RuntimeError):
    """A background process did not start, or did not become ready in time."""


def pid_alive(pid: int) -> bool:
    """True while ``pid`` exists (a zombie child counts until it is reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def url_ready(url: str) -> bool:
    """True when ``url`` answers with any HTTP status below 500."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (urllib.error.URLError, OSError):
        return False


@dataclass(frozen=True)
class Daemon:
    """One named background process with its state and log files under ``folder``."""

    name: str
    folder: Path = STATE_DIR

    @property
    def state_path(self) -> Path:
        return self.folder / f"{self.name}.json"

    @property
    def log_path(self) -> Path:
        return self.folder / f"{self.name}.log"

    def state(self) -> dict | None:
        """The running process's recorded state, or ``None`` (stale files are removed)."""
        try:
            state = json.loads(self.state_path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        if not pid_alive(state["pid"]):
            self.state_path.unlink(missing_ok=True)
            return None
        return state

    def start(
        self,
        command: Sequence[str],
        ready: Callable[[], bool],
        info: Mapping[str, object],
        env: Mapping[str, str] | None = None,
        timeout_s: float = 60.0,
        die_with_parent: bool = False,
    ) -> tuple[dict, bool]:
        """Start ``command`` unless running and wait until ``ready()``; (state, started now)."""
        running = self.state()
        if running is not None:
            return running, False
        self.folder.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            process = subprocess.Popen(
                list(command),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
                start_new_session=True,
                preexec_fn=_terminate_with_parent if die_with_parent else None,
            )
        state = {"pid": process.pid, **info, "log_file": str(self.log_path)}
        self.state_path.write_text(json.dumps(state))
        deadline = time.monotonic() + timeout_s
        while not ready():
            if process.poll() is not None:
                self.stop()
                raise DaemonError(
                    f"{self.name} exited with code {process.returncode} during start-up; "
                    f"last lines of {self.log_path}:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise DaemonError(
                    f"{self.name} (pid {process.pid}) did not become ready within "
                    f"{timeout_s:.0f} s; last lines of {self.log_path}:\n{self.log_tail()}"
                )
            time.sleep(0.2)
        return state, True

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the log file."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log file)"

    def stop(self, timeout_s: float = 20.0) -> bool:
        """SIGTERM the process (SIGKILL after ``timeout_s``); False when none was running."""
        state = self.state()
        if state is None:
            return False
        pid = state["pid"]
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        while pid_alive(pid):
            _reap(pid)
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                _reap(pid)
                break
            time.sleep(0.1)
        self.state_path.unlink(missing_ok=True)
        return True


def python_module_command(module: str, *args: str) -> list[str]:
    """The command that runs ``python -m module args`` with this interpreter."""
    return [sys.executable, "-m", module, *args]


def _terminate_with_parent() -> None:
    """In the child: ask Linux for SIGTERM when the starting process dies (tests, benchmarks)."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _reap(pid: int) -> None:
    """Collect a child's exit status: a zombie still counts as alive for ``kill(pid, 0)``."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
