"""Arbitrage pairs are the ``risk`` role's to enable: a trader is refused, and every
attempt leaves its audit row."""

from __future__ import annotations

import pytest

from deltaworks_core.questdb import QuestDBReader
from deltaworks_exec.auth.roles import Role
from deltaworks_exec.auth.store import UserStore
from tests import dashboard_support, exec_fixtures
from tests.dashboard_support import RunningService

simulator = exec_fixtures.simulator
running = dashboard_support.running

# The largest edge allowed: the pair is enabled but never trades in this test.
PAIR = {"symbol": "ETH/USDT", "exchanges": ["sim_b", "sim_a"], "amount": 0.1,
        "min_edge_bps": 10_000}  # fmt: skip


@pytest.mark.timeout(120)
def test_enabling_a_pair_needs_the_risk_role_and_is_audited(
    running: RunningService, reader: QuestDBReader, unique: str
) -> None:
    store = UserStore(reader)
    tokens = {}
    for role in (Role.TRADER, Role.RISK):
        store.add_user(f"arb-{role}-{unique}", role, "test")
        tokens[role] = store.issue_token(f"arb-{role}-{unique}", "t", None, "test").token
    with running.client(tokens[Role.TRADER]) as trader:
        refused = trader.put("/arbitrage/pairs", json=PAIR)
        assert refused.status_code == 403 and "needs risk" in refused.text
        assert trader.get("/arbitrage/pairs").status_code == 200
    with running.client(tokens[Role.RISK]) as risk:
        enabled = risk.put("/arbitrage/pairs", json=PAIR).json()
        assert (enabled["pair_id"], enabled["enabled"]) == ("ETH-USDT.sim_a.sim_b", True)
        assert enabled["exchanges"] == ["sim_a", "sim_b"]
        disabled = risk.post("/arbitrage/pairs/ETH-USDT.sim_a.sim_b/disable").json()
        assert disabled["enabled"] is False
        assert risk.post("/arbitrage/pairs/nope/disable").status_code == 404
        assert risk.get("/arbitrage/trades/nope").status_code == 404
    reader.wait_visible("audit_events")
    found = reader.query(
        "SELECT user_name, action, outcome FROM audit_events WHERE user_name LIKE %s",
        (f"arb-%-{unique}",),
    )
    assert sorted((r["user_name"].split("-")[1], r["action"], r["outcome"]) for r in found) == [
        ("risk", "disable_pair", "allowed"),
        ("risk", "disable_pair", "allowed"),
        ("risk", "enable_pair", "allowed"),
        ("trader", "enable_pair", "denied"),
    ]
