"""The audit dashboard's queries (``grafana/dashboards/audit.json``), macros expanded as
Grafana sends them, run on QuestDB over audit rows the service's ``AuditLog`` wrote."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from deltaworks_core.questdb import QuestDBReader
from deltaworks_exec.audit.log import AuditEvent, AuditLog
from tests.test_grafana_queries import GRAFANA, dashboard_queries, expand

BOARD = GRAFANA / "dashboards" / "audit.json"
QUERIES = dashboard_queries([BOARD])


def test_the_audit_dashboard_uses_the_shared_queries() -> None:
    files = {p.read_text().strip() for p in (GRAFANA / "queries").glob("audit_*.sql")}
    assert {sql for _, sql in QUERIES} == files


@pytest.fixture(scope="module")
def users(reader: QuestDBReader) -> list[str]:
    """Two users with allowed and denied requests in the audit trail."""
    names = [f"ga-{uuid.uuid4().hex[:8]}", f"gb-{uuid.uuid4().hex[:8]}"]
    log = AuditLog(reader)
    for name, outcome in ((names[0], "allowed"), (names[0], "denied"), (names[1], "denied")):
        log.record(AuditEvent(name, "trader", "set_kill_switch", "", "{}", outcome))
    reader.wait_visible("audit_events")
    return names


@pytest.mark.parametrize(("where", "sql"), QUERIES, ids=[w for w, _ in QUERIES])
def test_audit_panel_query_returns_the_users_rows(
    where: str, sql: str, users: list[str], reader: QuestDBReader
) -> None:
    end = datetime.now(UTC) + timedelta(minutes=5)
    chosen = ",".join(f"'{name}'" for name in users)
    rows = reader.query(
        expand(
            sql.replace("${user:singlequote}", chosen),
            end - timedelta(days=1),
            end,
            timedelta(minutes=1),
            exchanges=["unused"],
        )
    )
    assert rows, f"{where}: no rows"
    if "user_name" in rows[0]:
        assert set(users) <= {row["user_name"] for row in rows}
    if where == "audit: By user and action":
        denied = {row["user_name"]: row["denied"] for row in rows}
        assert denied[users[0]] == 1 and denied[users[1]] == 1
