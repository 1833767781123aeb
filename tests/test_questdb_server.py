"""The managed server: one server per data folder, data survives a restart, clear errors."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deltaworks_core.daemon import pid_alive
from deltaworks_core.questdb import ManagedQuestDB, QuestDBReader, QuestDBServerError
from deltaworks_core.questdb.server import private_server_settings


def test_start_twice_reuses_the_server_and_stop_then_start_keeps_data(tmp_path: Path) -> None:
    server = ManagedQuestDB(private_server_settings(tmp_path / "db"), die_with_parent=True)
    first = server.start()
    try:
        again = ManagedQuestDB(server.settings).start()
        assert again is not None and first is not None
        assert again.pid == first.pid
        with QuestDBReader(server.settings) as reader:
            reader.execute("CREATE TABLE kept AS (SELECT x FROM long_sequence(7))")
        assert server.stop()
        assert server.state() is None
        assert not server.is_ready()
        restarted = server.start()
        assert restarted is not None and restarted.pid != first.pid
        with QuestDBReader(server.settings) as reader:
            assert reader.scalar("SELECT count() FROM kept") == 7
    finally:
        server.stop()
    assert not server.stop()


def test_a_port_taken_by_another_program_is_named(tmp_path: Path) -> None:
    settings = private_server_settings(tmp_path / "db")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", settings.pg_port))
        squatter.listen()
        with pytest.raises(
            QuestDBServerError, match=rf"port {settings.pg_port} \(questdb.pg_port\)"
        ):
            ManagedQuestDB(settings).start()


def test_an_unmanaged_server_that_is_not_there_is_reported(tmp_path: Path) -> None:
    settings = private_server_settings(tmp_path / "db").model_copy(update={"managed": False})
    with pytest.raises(QuestDBServerError, match="managed is false"):
        ManagedQuestDB(settings).start()


def test_a_missing_jar_is_named(tmp_path: Path) -> None:
    settings = private_server_settings(tmp_path / "db").model_copy(
        update={"jar": tmp_path / "questdb-missing.jar"}
    )
    with pytest.raises(
        QuestDBServerError, match=r"questdb\.jar: .*questdb-missing\.jar does not exist"
    ):
        ManagedQuestDB(settings).start()


def test_a_private_server_ends_with_the_process_that_started_it(tmp_path: Path) -> None:
    script = (
        "import sys; from pathlib import Path\n"
        "from deltaworks_core.questdb import ManagedQuestDB\n"
        "from deltaworks_core.questdb.server import private_server_settings\n"
        "settings = private_server_settings(Path(sys.argv[1]))\n"
        "server = ManagedQuestDB(settings, die_with_parent=True)\n"
        "print(server.start().pid, flush=True)\n"
    )
    started = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "db")],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    pid = int(started.stdout.strip())
    deadline = time.monotonic() + 30
    while pid_alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    assert not pid_alive(pid)
