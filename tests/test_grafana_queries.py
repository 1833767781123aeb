"""Every panel and variable query of the data platform's Grafana dashboards (portfolio,
holdings, withdrawals), macros expanded, runs on QuestDB after real materializations and
returns rows. Dashboards over other applications' tables are tested with their data
(e.g. ``backtests.json`` in ``test_backtest_results.py``)."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deltaworks_core.config import Settings
from deltaworks_core.questdb import QuestDBReader
from deltaworks_pipelines.partitions import utc_today
from tests.pipelines_support import pipeline_env

GRAFANA = Path(__file__).resolve().parent.parent / "grafana"
DASHBOARDS = [
    GRAFANA / "dashboards" / f"{name}.json" for name in ("portfolio", "holdings", "withdrawals")
]


def _micros(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def _sample_by(interval: timedelta) -> str:
    """``$__sampleByInterval`` as QuestDB's Grafana plugin writes it (d, h, s or T)."""
    seconds = int(interval.total_seconds())
    if seconds >= 3600:
        hours = seconds // 3600
        return f"{hours // 24}d" if hours >= 24 and seconds % 86400 == 0 else f"{hours}h"
    if seconds > 0:
        return f"{seconds}s"
    return f"{max(1, int(interval.total_seconds() * 1000))}T"


def expand(
    sql: str, start: datetime, end: datetime, interval: timedelta, exchanges: list[str]
) -> str:
    """Grafana's variables and the QuestDB plugin's macros, as they reach the database."""
    quoted = ",".join(f"'{name}'" for name in exchanges)
    sql = sql.replace("${exchange:singlequote}", quoted)
    sql = re.sub(r"\$\{exchange\}|\$exchange\b", exchanges[0], sql)
    sql = re.sub(
        r"\$__timeFilter\(\s*([\w.]+)\s*\)",
        lambda m: (
            f"{m[1]} >= cast({_micros(start)} as timestamp) "
            f"AND {m[1]} <= cast({_micros(end)} as timestamp)"
        ),
        sql,
    )
    sql = sql.replace("$__fromTime", f"cast({_micros(start)} as timestamp)")
    sql = sql.replace("$__toTime", f"cast({_micros(end)} as timestamp)")
    sql = sql.replace("$__sampleByInterval", _sample_by(interval))
    sql = sql.replace("$__interval_ms", str(int(interval.total_seconds() * 1000)))
    sql = sql.replace("$__interval", f"{int(interval.total_seconds())}s")
    assert "$" not in sql, f"unexpanded macro or variable in {sql}"
    return sql


def dashboard_queries(dashboards: list[Path] = DASHBOARDS) -> list[tuple[str, str]]:
    """(where, SQL) of every variable and panel of ``dashboards``."""
    found = []
    for path in dashboards:
        board = json.loads(path.read_text())
        for variable in board["templating"]["list"]:
            found.append((f"{path.stem}: variable {variable['name']}", variable["query"]["rawSql"]))
        for panel in board["panels"]:
            for target in panel["targets"]:
                found.append((f"{path.stem}: {panel['title']}", target["rawSql"]))
    return found


def test_dashboards_use_the_shared_queries() -> None:
    files = {p.read_text().strip() for p in (GRAFANA / "queries").glob("*.sql")}
    queries = dashboard_queries()
    assert len(queries) >= 10
    assert {sql for _, sql in queries} <= files


@pytest.fixture(scope="module")
def exchanges(settings: Settings) -> Iterator[list[str]]:
    """Two exchanges with holdings, portfolio values and withdrawals materialized."""
    token = uuid.uuid4().hex[:8]
    names = [f"ga{token}", f"gb{token}"]
    with pipeline_env(settings, names) as env:
        for name in names:
            for _ in range(2):
                assert env.run("holdings_job", name).success
            for back in (2, 1):
                day = utc_today() - timedelta(days=back)
                assert env.run("withdrawals_job", name, day).success
        yield names


@pytest.mark.parametrize(
    ("where", "sql"), dashboard_queries(), ids=[w for w, _ in dashboard_queries()]
)
@pytest.mark.parametrize("interval", [timedelta(seconds=30), timedelta(hours=1)], ids=str)
def test_panel_query_returns_rows(
    where: str, sql: str, interval: timedelta, exchanges: list[str], reader: QuestDBReader
) -> None:
    end = datetime.now(UTC) + timedelta(minutes=5)
    expanded = expand(sql, end - timedelta(days=3), end, interval, exchanges)
    rows = reader.query(expanded)
    assert rows, f"{where}: no rows from\n{expanded}"
