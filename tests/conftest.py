"""Shared fixtures: one real QuestDB per test session on free loopback ports, migrated once."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from deltaworks_core.config import CONFIG_ENV_VAR, QuestDBSettings, Settings, load_settings
from deltaworks_core.questdb import ManagedQuestDB, QuestDBReader, QuestDBWriter, migrate
from deltaworks_core.questdb.server import private_server_settings


@pytest.fixture(scope="session")
def questdb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ManagedQuestDB]:
    """A managed QuestDB started once for the whole test session, schema migrated."""
    server = ManagedQuestDB(
        private_server_settings(tmp_path_factory.mktemp("questdb")), die_with_parent=True
    )
    server.start()
    try:
        with QuestDBReader(server.settings) as reader:
            migrate(reader)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def questdb_settings(questdb_server: ManagedQuestDB) -> QuestDBSettings:
    return questdb_server.settings


# Tests (and the CLIs and services they start) read two Binance-dialect simulated exchanges,
# sim_a and sim_b, which many of them name; the repository default pairs Binance with OKX.
TWO_BINANCE_CONFIG = Path(__file__).parent / "fixtures" / "two_binance.toml"
os.environ[CONFIG_ENV_VAR] = str(TWO_BINANCE_CONFIG)


@pytest.fixture(scope="session")
def settings(questdb_settings: QuestDBSettings) -> Settings:
    """The tests' configuration (``TWO_BINANCE_CONFIG``) pointed at the test QuestDB."""
    return load_settings().model_copy(update={"questdb": questdb_settings})


@pytest.fixture(scope="session")
def reader(questdb_settings: QuestDBSettings) -> Iterator[QuestDBReader]:
    with QuestDBReader(questdb_settings) as session_reader:
        yield session_reader


@pytest.fixture(scope="session")
def writer(questdb_settings: QuestDBSettings) -> Iterator[QuestDBWriter]:
    with QuestDBWriter(questdb_settings) as session_writer:
        yield session_writer


@pytest.fixture
def unique() -> str:
    """A short unique token: tests share tables and keep apart by their own keys."""
    return uuid.uuid4().hex[:10]
