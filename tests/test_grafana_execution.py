"""The execution-quality dashboard's queries (``grafana/dashboards/execution.json``), macros
expanded as Grafana sends them, run on QuestDB over reports the service's store wrote."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_exec.quality.reports import ExecutionReport
from deltaworks_exec.quality.store import store_reports
from tests.test_grafana_queries import GRAFANA, dashboard_queries, expand

BOARD = GRAFANA / "dashboards" / "execution.json"
QUERIES = dashboard_queries([BOARD])


def test_the_execution_dashboard_uses_the_shared_queries() -> None:
    files = {p.read_text().strip() for p in (GRAFANA / "queries").glob("execution_*.sql")}
    assert {sql for _, sql in QUERIES} == files


def report(parent_id: str, kind: str, exchange: str, ended: datetime, shortfall: float):
    return ExecutionReport(
        parent_id=parent_id, kind=kind, exchange=exchange, symbol="BTC/USDT", side="buy",
        status="completed", started=ended - timedelta(minutes=30), ended=ended, quantity=1.0,
        filled=1.0, fill_rate=1.0, average_price=100.0, fills=3, arrival_mid=99.9,
        interval_vwap=99.95, market_volume=20.0, market_trades=300,
        slippage_arrival_bps=10.0, slippage_vwap_bps=5.0, interval_twap=99.97,
        participation_rate=0.05, fees=0.04, shortfall_bps=shortfall, spread_bps=0.5,
        impact_bps=2.0, timing_bps=shortfall - 6.5, fees_bps=4.0,
    )  # fmt: skip


@pytest.fixture(scope="module")
def exchange(reader: QuestDBReader, writer: QuestDBWriter) -> str:
    """Reports of a TWAP, a VWAP and a plain order on an exchange of their own."""
    name = f"gx_{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    reports = [
        report(f"tw_{name}", "twap", name, now - timedelta(hours=2), 12.0),
        report(f"vw_{name}", "vwap", name, now - timedelta(hours=1), 8.0),
        report(f"or_{name}", "order", name, now - timedelta(minutes=30), 15.0),
    ]
    store_reports(writer, reports, now)
    reader.wait_visible("execution_reports")
    return name


@pytest.mark.parametrize(("where", "sql"), QUERIES, ids=[w for w, _ in QUERIES])
def test_execution_panel_query_returns_the_reports(
    where: str, sql: str, exchange: str, reader: QuestDBReader
) -> None:
    end = datetime.now(UTC) + timedelta(minutes=5)
    rows = reader.query(expand(sql, end - timedelta(days=1), end, timedelta(hours=1), [exchange]))
    assert rows, f"{where}: no rows"
    if where == "execution: Costs by algorithm":
        by_kind = {row["kind"]: row for row in rows}
        assert set(by_kind) == {"twap", "vwap", "order"}
        assert by_kind["vwap"]["shortfall_bps"] == pytest.approx(8.0)
        assert by_kind["vwap"]["impact_bps"] == pytest.approx(2.0)
    if where == "execution: Recent parents":
        assert [row["kind"] for row in rows] == ["order", "vwap", "twap"]
