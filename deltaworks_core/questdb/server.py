"""A QuestDB server managed by Delta Works: the Maven Central jar run with the machine's Java.

The server runs as a detached child process on a data folder of its own; a small
state file next to the data records its pid and ports so that ``status`` and
``stop`` work from any later process. When the configuration points at an
existing QuestDB (``managed = false``), nothing is started.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg

from deltaworks_core.config import QuestDBSettings
from deltaworks_core.daemon import Daemon, DaemonError, url_ready

MAVEN_ARTIFACT = "org.questdb:questdb"
DAEMON_NAME = "deltaworks-server"


class QuestDBServerError(RuntimeError):
    """The managed server could not be obtained, started, reached or stopped."""


@dataclass(frozen=True)
class ServerState:
    """What ``status`` reports about a running managed server."""

    pid: int
    version: str
    host: str
    http_port: int
    pg_port: int
    min_http_port: int
    data_dir: str
    log_file: str


def java_executable(settings: QuestDBSettings) -> str:
    """The ``java`` binary: ``questdb.java_home``, then ``$JAVA_HOME``, then ``PATH``."""
    home = settings.java_home or (
        Path(os.environ["JAVA_HOME"]) if "JAVA_HOME" in os.environ else None
    )
    if home is not None:
        candidate = home / "bin" / "java"
        if candidate.exists():
            return str(candidate)
    found = shutil.which("java")
    if found is None:
        raise QuestDBServerError(
            "Java not found: install a Java 17 runtime (apt-get install openjdk-17-jre-headless) "
            "or set questdb.java_home / JAVA_HOME"
        )
    return found


def maven_jar_path(version: str) -> Path:
    """Where Maven keeps the QuestDB jar of ``version`` in the local repository."""
    repository = Path(os.environ.get("MAVEN_REPO", Path.home() / ".m2" / "repository"))
    return repository / "org" / "questdb" / "questdb" / version / f"questdb-{version}.jar"


def obtain_jar(settings: QuestDBSettings) -> Path:
    """The server jar: ``questdb.jar`` if given, else fetched from Maven Central with ``mvn``."""
    if settings.jar is not None:
        if not settings.jar.exists():
            raise QuestDBServerError(f"questdb.jar: {settings.jar} does not exist")
        return settings.jar
    jar = maven_jar_path(settings.version)
    if jar.exists():
        return jar
    mvn = shutil.which("mvn")
    if mvn is None:
        raise QuestDBServerError(
            f"Maven (mvn) not found and no jar given: install Maven, or download "
            f"questdb-{settings.version}.jar and set questdb.jar to its path"
        )
    artifact = f"-Dartifact={MAVEN_ARTIFACT}:{settings.version}"
    result = subprocess.run(
        [mvn, "-q", "-B", "dependency:get", artifact, "-Dtransitive=false"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if result.returncode != 0 or not jar.exists():
        tail = (result.stdout + result.stderr).strip().splitlines()[-15:]
        raise QuestDBServerError(
            f"mvn could not fetch {MAVEN_ARTIFACT}:{settings.version} from Maven Central "
            f"(check network access or questdb.version):\n" + "\n".join(tail)
        )
    return jar


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


class ManagedQuestDB:
    """Start, stop and inspect the QuestDB server described by ``QuestDBSettings``."""

    def __init__(self, settings: QuestDBSettings, die_with_parent: bool = False) -> None:
        """``die_with_parent``: a private server for tests that must not outlive the run."""
        self.settings = settings
        self._die_with_parent = die_with_parent
        self.data_dir = Path(settings.data_dir).expanduser()
        self._daemon = Daemon(DAEMON_NAME, self.data_dir)
        self.log_path = self._daemon.log_path

    def state(self) -> ServerState | None:
        """The running managed server, or ``None``."""
        state = self._daemon.state()
        if state is None:
            return None
        return ServerState(**state)

    def is_ready(self) -> bool:
        """True when the server answers PGWire queries and accepts ILP over HTTP."""
        return self._pg_ready() and self._ilp_ready()

    def _pg_ready(self) -> bool:
        s = self.settings
        try:
            with psycopg.connect(
                host=s.host,
                port=s.pg_port,
                user=s.user,
                password=s.password,
                dbname="qdb",
                autocommit=True,
                connect_timeout=2,
            ) as connection:
                connection.execute("SELECT 1").fetchone()
        except psycopg.Error:
            return False
        return True

    def _ilp_ready(self) -> bool:
        return url_ready(f"http://{self.settings.host}:{self.settings.http_port}/ping")

    def start(self) -> ServerState | None:
        """Start the server unless it runs already; return its state (``None`` when unmanaged)."""
        s = self.settings
        if not s.managed:
            if not self.is_ready():
                raise QuestDBServerError(
                    f"questdb.managed is false but no QuestDB answers at {s.host} "
                    f"(PGWire {s.pg_port}, HTTP {s.http_port}): start it or fix questdb.host/ports"
                )
            return None
        running = self.state()
        if running is not None:
            return running
        for key, port in (
            ("questdb.http_port", s.http_port),
            ("questdb.pg_port", s.pg_port),
            ("questdb.min_http_port", s.min_http_port),
            ("questdb.line_tcp_port", s.line_tcp_port),
        ):
            if _port_in_use(s.host, port):
                raise QuestDBServerError(
                    f"port {port} ({key}) is taken by another program: stop it, or choose "
                    f"another port in the configuration (or point questdb.managed = false at "
                    f"a QuestDB you already run)"
                )
        command = self._command(java_executable(s), obtain_jar(s))
        info = {
            "version": s.version,
            "host": s.host,
            "http_port": s.http_port,
            "pg_port": s.pg_port,
            "min_http_port": s.min_http_port,
            "data_dir": str(self.data_dir),
        }
        try:
            self._daemon.start(
                command,
                self.is_ready,
                info,
                env=self._server_env(),
                timeout_s=s.startup_timeout_s,
                die_with_parent=self._die_with_parent,
            )
        except DaemonError as exc:
            raise QuestDBServerError(
                f"QuestDB did not start (if the machine is slow, raise "
                f"questdb.startup_timeout_s): {exc}"
            ) from None
        return self.state()

    def _command(self, java: str, jar: Path) -> list[str]:
        return [
            java,
            "-Xms256m",
            "-Xmx2g",
            "-XX:+UseParallelGC",
            "--add-exports",
            "java.base/jdk.internal.math=io.questdb",
            "-p",
            str(jar),
            "-m",
            "io.questdb/io.questdb.ServerMain",
            "-d",
            str(self.data_dir),
        ]

    def _server_env(self) -> dict[str, str]:
        s = self.settings
        bind = "0.0.0.0" if s.host not in ("127.0.0.1", "localhost") else "127.0.0.1"
        return {
            "QDB_HTTP_NET_BIND_TO": f"{bind}:{s.http_port}",
            "QDB_HTTP_MIN_NET_BIND_TO": f"{bind}:{s.min_http_port}",
            "QDB_PG_NET_BIND_TO": f"{bind}:{s.pg_port}",
            "QDB_LINE_TCP_NET_BIND_TO": f"{bind}:{s.line_tcp_port}",
            "QDB_TELEMETRY_ENABLED": "false",
            "QDB_PG_PASSWORD": s.password,
            "QDB_PG_USER": s.user,
        }

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the server's log file."""
        return self._daemon.log_tail(lines)

    def stop(self, timeout_s: float = 30.0) -> bool:
        """Stop the managed server cleanly (data kept); False when none was running."""
        return self._daemon.stop(timeout_s)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port on ``host`` that is free right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def private_server_settings(data_dir: Path) -> QuestDBSettings:
    """Settings for a managed QuestDB of its own on free loopback ports (tests, benchmarks)."""
    return QuestDBSettings(
        data_dir=data_dir,
        http_port=free_port(),
        pg_port=free_port(),
        min_http_port=free_port(),
        line_tcp_port=free_port(),
    )
