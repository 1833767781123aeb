"""Users, roles and tokens against the running service: every route x every role, token life."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.routing import APIRoute
from typer.testing import CliRunner
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from deltaworks_core.config import QuestDBSettings
from deltaworks_core.questdb import QuestDBReader
from deltaworks_core.venues.simulator import SimulatorServer
from deltaworks_exec.api.app import create_app
from deltaworks_exec.api.roles import READ_ONLY, api_routes, route_permissions
from deltaworks_exec.api.ws_actions import WS_ACTIONS
from deltaworks_exec.auth.roles import Principal, Role
from deltaworks_exec.auth.signin import Authenticator, FailureLimiter, SignInError
from deltaworks_exec.auth.store import UserStore, UserStoreError
from deltaworks_exec.cli import app as cli_app
from tests import dashboard_support, exec_fixtures
from tests.dashboard_support import RunningService
from tests.exec_harness import TOKEN

simulator = exec_fixtures.simulator
running = dashboard_support.running

# Routes anyone may call: liveness, the dashboard's static page, FastAPI's own documentation.
PUBLIC = {
    "/",
    "/health",
    "/dashboard",
    "/dashboard/",
    "/dashboard/assets/{name:path}",
    "/openapi.json",
    "/docs",
    "/docs/oauth2-redirect",
    "/redoc",
}


@pytest.fixture(scope="module")
def store(reader: QuestDBReader) -> UserStore:
    return UserStore(reader)


@pytest.fixture(scope="module")
def role_tokens(store: UserStore) -> dict[Role, str]:
    """One user and token per role."""
    suffix = datetime.now(UTC).strftime("%H%M%S%f")
    tokens = {}
    for role in Role:
        name = f"{role}-{suffix}"
        store.add_user(name, role, "test")
        tokens[role] = store.issue_token(name, "matrix", None, "test").token
    return tokens


def _routes(running: RunningService) -> list[tuple[str, APIRoute]]:
    return api_routes(create_app(running.service, TOKEN))


def test_every_route_declares_exactly_one_permission(running: RunningService) -> None:
    undeclared = [
        f"{sorted(route.methods)} {path}"
        for path, route in _routes(running)
        if path not in PUBLIC and len(route_permissions(route)) != 1
    ]
    assert not undeclared, f"routes without one declared permission: {undeclared}"


def test_every_route_and_role_is_allowed_or_forbidden_as_declared(
    running: RunningService, role_tokens: dict[Role, str], store: UserStore, reader: QuestDBReader
) -> None:
    checked = 0
    audited: dict[Role, list[tuple[str, str]]] = {role: [] for role in Role}
    clients = {role: running.client(token) for role, token in role_tokens.items()}
    for declared, route in _routes(running):
        (permission,) = route_permissions(route) or {None}
        if permission is None:
            continue
        path = re.sub(r"\{[^}]+\}", "nope", declared)
        for role, client in clients.items():
            for method in route.methods:
                # An invalid body: an allowed role gets 422 and nothing changes.
                body = [] if method in ("POST", "PUT") else None
                status = client.request(method, path, json=body).status_code
                allowed = Principal("u", role).may(permission)
                expected = "allowed" if allowed else "403"
                actual = "403" if status == 403 else "allowed" if status != 401 else "401"
                assert actual == expected, f"{role} {method} {declared}: HTTP {status}"
                checked += 1
                if permission not in READ_ONLY:
                    audited[role].append((route.name, "allowed" if allowed else "denied"))
    for client in clients.values():
        client.close()
    assert checked >= len(Role) * 20

    reader.wait_visible("audit_events")
    for role, token in role_tokens.items():  # one row per state-changing request, as decided
        rows = reader.query(
            "SELECT action, outcome FROM audit_events WHERE user_name = %s AND role = %s "
            "AND action NOT LIKE %s",
            (_user_of(store, token), role.value, "ws.%"),
        )
        assert sorted((r["action"], r["outcome"]) for r in rows) == sorted(audited[role])


def test_the_openapi_document_names_each_routes_roles(running: RunningService) -> None:
    with running.client() as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert paths["/orders"]["post"]["x-roles"] == ["trader", "admin"]
    assert paths["/risk/kill-switch"]["post"]["x-permission"] == "risk"
    assert "**Permission** `risk`" in paths["/risk/limits"]["put"]["description"]
    operations = [op for path, ops in paths.items() if path != "/health" for op in ops.values()]
    assert all("x-roles" in op for op in operations)


def test_websocket_needs_a_valid_token(
    running: RunningService, role_tokens: dict[Role, str], store: UserStore
) -> None:
    url = running.url.replace("http", "ws") + "/ws"
    for token in role_tokens.values():  # every role may read the event stream
        with connect(url, additional_headers={"Authorization": f"Bearer {token}"}):
            pass
    with pytest.raises(InvalidStatus) as refused:
        connect(url, additional_headers={"Authorization": "Bearer dwt_0123456789abcdef.x"})
    assert refused.value.response.status_code == 403


def test_token_lifecycle_create_use_expire_revoke(
    running: RunningService, store: UserStore, reader: QuestDBReader, unique: str
) -> None:
    name = f"life-{unique}"
    store.add_user(name, Role.VIEWER, "test")
    issued = store.issue_token(name, "laptop", None, "test")
    with running.client(issued.token) as client:
        assert client.get("/status").status_code == 200
        assert client.put("/risk/limits", json={}).status_code == 403  # a viewer
        store.set_role(name, Role.RISK, "test")
        assert client.put("/risk/limits", json=[]).status_code == 422  # risk may, next request
        store.revoke_token(issued.record.token_id, "test")
        assert client.get("/status").status_code == 403  # refused on the very next request
    soon = (datetime.now(UTC) + timedelta(seconds=5)).replace(tzinfo=None)
    expiring = store.issue_token(name, "short", soon, "test")
    with running.client(expiring.token) as client:
        assert client.get("/status").status_code == 200
        time.sleep(max(0.0, (soon - datetime.now(UTC).replace(tzinfo=None)).total_seconds()))
        assert client.get("/status").status_code == 403
    stored = reader.query("SELECT * FROM api_tokens WHERE user_name = %s", (name,))
    secrets_shown = {issued.token.split(".")[1], expiring.token.split(".")[1]}
    assert stored and not any(s in str(row) for row in stored for s in secrets_shown)


def test_a_disabled_user_is_refused_and_bootstrap_token_is_admin(
    running: RunningService, store: UserStore, unique: str
) -> None:
    name = f"gone-{unique}"
    store.add_user(name, Role.TRADER, "test")
    issued = store.issue_token(name, "t", None, "test")
    store.disable_user(name, "test")
    with running.client(issued.token) as client:
        assert client.get("/status").status_code == 403
    with running.client(TOKEN) as client:  # today's single token: the bootstrap admin
        assert client.put("/risk/limits", json=[]).status_code == 422
    with pytest.raises(UserStoreError, match="user: no active user named"):
        store.issue_token(name, "again", None, "test")


async def test_failed_sign_ins_are_limited_per_address(store: UserStore, unique: str) -> None:
    authenticator = Authenticator(store, None, limiter=FailureLimiter(max_failures=3))
    store.add_user(f"lim-{unique}", Role.VIEWER, "test")
    signed_in = store.issue_token(f"lim-{unique}", "t", None, "test").token
    assert (await authenticator.authenticate(signed_in, "10.0.0.1")).role == Role.VIEWER
    for _ in range(3):
        with pytest.raises(SignInError) as refused:
            await authenticator.authenticate("dwt_0123456789abcdef." + "x" * 43, "10.0.0.1")
        assert refused.value.status == 403
    with pytest.raises(SignInError) as limited:
        await authenticator.authenticate("dwt_0123456789abcdef." + "y" * 43, "10.0.0.1")
    assert limited.value.status == 429 and limited.value.retry_after_s
    # Someone already signed in from that address keeps working (no argon2 work for others).
    assert (await authenticator.authenticate(signed_in, "10.0.0.1")).user == f"lim-{unique}"
    with pytest.raises(SignInError) as other:  # another address is not affected
        await authenticator.authenticate("dwt_0123456789abcdef." + "y" * 43, "10.0.0.2")
    assert other.value.status == 403


def test_users_cli_adds_lists_and_revokes(
    running: RunningService, questdb_settings: QuestDBSettings, unique: str
) -> None:
    env = {
        "DELTAWORKS_QUESTDB_HTTP_PORT": str(questdb_settings.http_port),
        "DELTAWORKS_QUESTDB_PG_PORT": str(questdb_settings.pg_port),
        "COLUMNS": "200",
    }
    runner = CliRunner()
    name = f"cli-{unique}"
    added = runner.invoke(cli_app, ["users", "add", name, "--role", "trader"], env=env)
    assert added.exit_code == 0, added.output
    token = re.search(r"dwt_[0-9a-f]{16}\.\S{43}", added.output).group(0)
    with running.client(token) as client:
        assert client.get("/status").status_code == 200
    listed = runner.invoke(cli_app, ["users", "list"], env=env)
    assert name in listed.output and token.split(".")[1] not in listed.output
    token_id = token[4:20]
    revoked = runner.invoke(cli_app, ["users", "revoke", token_id], env=env)
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    with running.client(token) as client:
        assert client.get("/status").status_code == 403
    bad = runner.invoke(cli_app, ["users", "add", name, "--role", "boss"], env=env)
    assert bad.exit_code == 2 and "boss" in bad.output


def test_each_state_changing_request_leaves_one_audit_row(
    running: RunningService, store: UserStore, reader: QuestDBReader, unique: str
) -> None:
    tokens = {}
    for role in (Role.VIEWER, Role.TRADER, Role.RISK):
        store.add_user(f"aud-{role}-{unique}", role, "test")
        tokens[role] = store.issue_token(f"aud-{role}-{unique}", "t", None, "test").token
    order = f"/orders/nope-{unique}"
    calls = [
        (Role.VIEWER, "DELETE", order, None, 403),
        (Role.TRADER, "DELETE", order, None, 404),
        (Role.TRADER, "POST", "/risk/kill-switch", [], 403),
        (Role.RISK, "PUT", "/risk/limits", [], 422),
    ]
    for role, method, path, body, status in calls:
        with running.client(tokens[role]) as client:
            assert client.request(method, path, json=body).status_code == status
        with running.client(tokens[role]) as client:  # reads are not audited
            assert client.get("/status").status_code == 200
    with running.client("not-a-token") as client:
        assert client.delete(order).status_code == 403
    reader.wait_visible("audit_events")

    def rows(user: str) -> list[tuple[str, str, str, str]]:
        found = reader.query(
            "SELECT role, action, target, outcome FROM audit_events WHERE user_name = %s", (user,)
        )
        return sorted((r["role"], r["action"], r["target"], r["outcome"]) for r in found)

    target = f"order_id=nope-{unique}"
    assert rows(f"aud-viewer-{unique}") == [("viewer", "cancel_order", target, "denied")]
    assert rows(f"aud-trader-{unique}") == [
        ("trader", "cancel_order", target, "allowed"),
        ("trader", "set_kill_switch", "", "denied"),
    ]
    assert rows(f"aud-risk-{unique}") == [("risk", "put_limits", "", "allowed")]
    anonymous = reader.query(
        "SELECT outcome FROM audit_events WHERE target = %s AND user_name = '(not signed in)'",
        (target,),
    )
    assert [r["outcome"] for r in anonymous] == ["denied"]

    with running.client(tokens[Role.VIEWER]) as client:
        assert client.get("/audit").status_code == 403
    with running.client(tokens[Role.RISK]) as client:
        trail = client.get("/audit", params={"user": f"aud-trader-{unique}"}).json()
    assert [(e["action"], e["outcome"]) for e in trail] == [
        ("set_kill_switch", "denied"),
        ("cancel_order", "allowed"),
    ]


# -- the WebSocket: every message signed in, authorized and audited ----------------------------


def _ws(running: RunningService, token: str) -> ClientConnection:
    url = running.url.replace("http", "ws") + "/ws"
    return connect(url, additional_headers={"Authorization": f"Bearer {token}"})


def _answer(ws: ClientConnection) -> dict:
    """The reply to the last message (stream events, which carry ``seq``, are skipped)."""
    while True:
        message = json.loads(ws.recv(timeout=10))
        if "seq" not in message:
            return message


def _user_of(store: UserStore, token: str) -> str:
    record = store.token(token[4:20])
    assert record is not None
    return record.user_name


def test_every_websocket_action_and_role_is_allowed_or_forbidden_as_declared(
    running: RunningService, role_tokens: dict[Role, str], store: UserStore, reader: QuestDBReader
) -> None:
    assert {"subscribe", "unsubscribe", "cancel_order", "kill_switch"} <= set(WS_ACTIONS)
    checked = 0
    for role, token in role_tokens.items():
        with _ws(running, token) as ws:
            ws.send(json.dumps({"undeclared": {}}))  # an action nobody declared does not exist
            assert _answer(ws)["data"]["status"] == 400
            for action in WS_ACTIONS.values():
                # Invalid parameters: an allowed role gets 422 and nothing changes.
                ws.send(json.dumps({action.name: "not parameters"}))
                reply = _answer(ws)
                allowed = Principal("u", role).may(action.permission)
                assert reply["type"] == "error" and reply["data"]["action"] == action.name
                assert reply["data"]["status"] == (422 if allowed else 403), f"{role}: {reply}"
                checked += 1
    assert checked == len(Role) * len(WS_ACTIONS)

    reader.wait_visible("audit_events")
    for role, token in role_tokens.items():  # one row per state-changing message, as decided
        rows = reader.query(
            "SELECT action, outcome, role FROM audit_events WHERE user_name = %s "
            "AND action LIKE %s",
            (_user_of(store, token), "ws.%"),
        )
        expected = [
            (
                f"ws.{a.name}",
                "allowed" if Principal("u", role).may(a.permission) else "denied",
                role,
            )
            for a in WS_ACTIONS.values()
            if a.audited
        ]
        assert sorted((r["action"], r["outcome"], r["role"]) for r in rows) == sorted(expected)


def test_a_revoked_token_is_refused_at_its_next_websocket_message(
    running: RunningService, store: UserStore, unique: str
) -> None:
    name = f"wsrev-{unique}"
    store.add_user(name, Role.VIEWER, "test")
    issued = store.issue_token(name, "socket", None, "test")
    subscribe = json.dumps({"subscribe": {"exchange": "sim_a", "symbols": ["BTC/USDT"]}})
    with _ws(running, issued.token) as ws:
        ws.send(subscribe)
        assert _answer(ws)["type"] == "subscribed"
        store.revoke_token(issued.record.token_id, "test")
        ws.send(subscribe)
        refused = _answer(ws)
        assert refused["type"] == "error" and refused["data"]["status"] == 403
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008


def test_order_and_algorithm_events_carry_the_user_who_acted(
    running: RunningService,
    store: UserStore,
    reader: QuestDBReader,
    simulator: SimulatorServer,
    unique: str,
) -> None:
    tokens = {}
    for who in ("alice", "bob"):
        store.add_user(f"{who}-{unique}", Role.TRADER, "test")
        tokens[who] = store.issue_token(f"{who}-{unique}", "t", None, "test").token
    alice, bob = f"alice-{unique}", f"bob-{unique}"
    depth = simulator.engine("sim_a").order_book("BTC/USDT", 1)
    bid = depth.bids[0][0] * float(depth.market.tick)
    body = {"exchange": "sim_a", "symbol": "BTC/USDT", "side": "buy", "type": "limit",
            "amount": 0.001, "price": round(bid * 0.995, 2)}  # fmt: skip
    with running.client(tokens["alice"]) as client:
        order = client.post("/orders", json=body).json()
    assert order["status"] == "new" and order["user"] == alice
    with _ws(running, tokens["bob"]) as ws:  # bob cancels it over the WebSocket
        ws.send(json.dumps({"cancel_order": {"order_id": order["order_id"]}}))
        reply = _answer(ws)
    assert reply["type"] == "cancel_requested" and reply["data"]["user"] == bob
    reader.wait_visible("order_events")
    rows = reader.query(
        "SELECT status, user_name FROM order_events WHERE order_id = %s ORDER BY seq",
        (order["order_id"],),
    )
    by_status = {r["status"]: r["user_name"] for r in rows}
    assert by_status["pending_new"] == by_status["new"] == alice
    assert by_status["pending_cancel"] == bob
    with running.client(tokens["alice"]) as client:
        shown = client.get(f"/orders/{order['order_id']}").json()
    assert [e["user_name"] for e in shown["events"]][:2] == [alice, alice]

    algo = {"algo": "twap", "exchange": "sim_a", "symbol": "BTC/USDT", "side": "buy",
            "quantity": 0.002, "params": {"duration_s": 3600, "slices": 2},
            "algo_id": f"u{unique}"}  # fmt: skip
    with running.client(tokens["alice"]) as client:
        started = client.post("/algos", json=algo)
    assert started.status_code == 201, started.text
    assert started.json()["user"] == alice
    with running.client(tokens["bob"]) as client:
        canceled = client.post(f"/algos/u{unique}/cancel").json()
    assert canceled["status"] == "canceled" and canceled["user"] == bob
    reader.wait_visible("algo_events")
    events = reader.query(
        "SELECT status, user_name FROM algo_events WHERE algo_id = %s ORDER BY seq",
        (f"u{unique}",),
    )
    assert events[0]["user_name"] == alice and events[-1]["user_name"] == bob
    assert events[-1]["status"] == "canceled"
    children = reader.query(
        "SELECT DISTINCT user_name FROM order_events WHERE algo_id = %s", (f"u{unique}",)
    )
    assert {r["user_name"] for r in children} <= {alice, bob} and children
