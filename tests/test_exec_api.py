"""The execution service through its real API (a subprocess), on the simulator."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from deltaworks_core.venues.simulator import SimulatorServer, binance
from tests.exec_harness import (
    QUIET_MARKET_LIMITS,
    TOKEN,
    ServiceProcess,
    order_state,
    wait_for,
    wait_status,
)

pytest_plugins = ("tests.exec_fixtures",)

SYMBOL = "BTC/USDT"


def _book(simulator: SimulatorServer) -> tuple[float, float]:
    depth = simulator.engine("sim_a").order_book(SYMBOL, 1)
    tick = float(depth.market.tick)
    return depth.bids[0][0] * tick, depth.asks[0][0] * tick


def _submit(api: httpx.Client, **fields: Any) -> httpx.Response:
    body = {"exchange": "sim_a", "symbol": SYMBOL, "side": "buy", "type": "limit", **fields}
    return api.post("/orders", json=body)


def _resting_buy(api: httpx.Client, simulator: SimulatorServer, **fields: Any) -> dict:
    bid, _ = _book(simulator)
    response = _submit(api, amount=0.001, price=round(bid * 0.995, 2), **fields)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "new"
    return response.json()


@pytest.fixture(autouse=True)
def _default_limits(api: httpx.Client) -> None:
    """Each test starts from default limits and a released kill switch (it is persisted)."""
    api.put("/risk/limits", json=QUIET_MARKET_LIMITS).raise_for_status()
    api.post("/risk/kill-switch", json={"engaged": False}).raise_for_status()


def test_token_required(service: ServiceProcess) -> None:
    assert httpx.get(f"{service.url}/health").json()["ready"] is True
    assert "/orders" in httpx.get(f"{service.url}/openapi.json").json()["paths"]
    with service.client(token=None) as anonymous:
        response = anonymous.get("/orders")
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
    with service.client(token="wrong") as intruder:
        assert intruder.get("/orders").status_code == 403
        assert intruder.post("/risk/kill-switch", json={"engaged": True}).status_code == 403


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": -1, "price": 100.0}, "amount"),
        ({"amount": 0.01, "side": "hold", "price": 100.0}, "side"),
        ({"amount": 0.01}, "price"),
        ({"amount": 0.01, "price": 1.0, "exchange": "nowhere"}, "exchange"),
        ({"amount": 0.01, "price": 1.0, "symbol": "NOPE/USDT"}, "symbol"),
        ({"amount": 0.000001, "price": 60_000.0}, "amount"),
        ({"amount": 0.01, "price": 1.0, "client_order_id": "has space"}, "client_order_id"),
        ({"amount": 0.01, "type": "market", "price": 1.0}, "price"),
    ],
)
def test_invalid_input_names_the_field(api: httpx.Client, fields: dict, field: str) -> None:
    response = _submit(api, **fields)
    assert response.status_code == 422, response.text
    assert field in [e["loc"][-1] for e in response.json()["detail"]]


def test_lifecycle_rest_partial_fill_fill(api: httpx.Client, simulator: SimulatorServer) -> None:
    engine = simulator.engine("sim_a")
    _, ask = _book(simulator)
    price = round(ask - 0.01, 2)  # inside the spread: rests, then trades go through it
    response = _submit(api, amount=0.3, price=price, client_order_id="life-partial-1")
    order = response.json()
    assert response.status_code == 201 and order["status"] == "new", order
    seen = set()
    for _ in range(7200):  # up to two simulated hours: the price comes back through the order
        venue = engine.order("main", SYMBOL, client_order_id="life-partial-1")
        if venue.status == "PARTIALLY_FILLED" and "partially_filled" not in seen:
            state = wait_status(api, order["order_id"], "partially_filled", "filled")
            seen.add(state["status"])
        if venue.status == "FILLED":
            break
        engine.advance(1)
    assert venue.status == "FILLED", f"the market never traded through the order: {venue.status}"
    final = wait_status(api, order["order_id"], "filled")
    assert "partially_filled" in seen
    assert final["filled"] == pytest.approx(0.3)
    detail = wait_for(
        lambda: (
            (d := api.get(f"/orders/{order['order_id']}").json())["fills"]
            and sum(f["amount"] for f in d["fills"]) > 0.3 - 1e-9
            and d
        )
    )
    statuses = [e["status"] for e in detail["events"]]
    assert statuses[:2] == ["pending_new", "new"] and statuses[-1] == "filled"
    assert "partially_filled" in statuses
    assert [e["seq"] for e in detail["events"]] == list(range(1, len(statuses) + 1))
    assert sum(f["amount"] for f in detail["fills"]) == pytest.approx(0.3)
    assert len({f["fill_id"] for f in detail["fills"]}) == len(detail["fills"])


def test_market_order_fills(api: httpx.Client) -> None:
    response = _submit(api, type="market", amount=0.002)
    assert response.status_code == 201
    order = response.json()
    assert order["status"] == "filled" and order["average"] > 0
    detail = wait_for(lambda: (d := api.get(f"/orders/{order['order_id']}").json())["fills"] and d)
    assert sum(f["amount"] for f in detail["fills"]) == pytest.approx(0.002)


def test_cancel(api: httpx.Client, simulator: SimulatorServer) -> None:
    order = _resting_buy(api, simulator)
    response = api.delete(f"/orders/{order['order_id']}")
    assert response.status_code == 200
    assert response.json()["status"] == "canceled"
    venue = simulator.engine("sim_a").order(
        "main", SYMBOL, client_order_id=order["client_order_id"]
    )
    assert venue.status == "CANCELED"
    again = api.delete(f"/orders/{order['order_id']}")
    assert again.status_code == 409 and "canceled" in again.json()["detail"]
    assert api.delete("/orders/does-not-exist").status_code == 404


@pytest.mark.parametrize(
    ("limits", "fields", "code"),
    [
        (
            {"allowed_symbols": ["ETH/USDT"]},
            {"symbol": "BTC/USDT", "amount": 0.01, "price": 1.0},
            "SYMBOL_NOT_ALLOWED",
        ),
        ({"max_order_notional": 1000}, {"amount": 0.1, "type": "market"}, "MAX_ORDER_NOTIONAL"),
        ({"price_band_bps": 100}, {"amount": 0.001, "price": 1000.0}, "PRICE_BAND"),
        ({"max_open_orders": 0}, {"amount": 0.001, "type": "market"}, "MAX_OPEN_ORDERS"),
        ({"max_position": {"BTC": 0.01}}, {"amount": 0.01, "type": "market"}, "MAX_POSITION"),
        ({}, {"side": "sell", "amount": 2.0, "type": "market"}, "INSUFFICIENT_BALANCE"),
    ],
)
def test_risk_rejects(api: httpx.Client, limits: dict, fields: dict, code: str) -> None:
    api.put("/risk/limits", json={**QUIET_MARKET_LIMITS, **limits}).raise_for_status()
    response = _submit(api, **fields)
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["status"] == "rejected" and order["reason_code"] == code, order
    assert order["venue_order_id"] is None
    events = api.get(f"/orders/{order['order_id']}").json()["events"]
    assert [e["status"] for e in events] == ["rejected"]


@pytest.mark.parametrize(
    ("fields", "status", "reason"),
    [
        ({"time_in_force": "PO", "offset": 1.01}, "rejected", "VENUE_REJECTED"),
        ({"time_in_force": "IOC", "offset": 0.99}, "expired", None),
        ({"time_in_force": "FOK", "offset": 0.99}, "expired", None),
    ],
)
def test_venue_rejects_and_expiries(
    api: httpx.Client, simulator: SimulatorServer, fields: dict, status: str, reason: str | None
) -> None:
    _, ask = _book(simulator)
    offset = fields.pop("offset")
    response = _submit(api, amount=0.001, price=round(ask * offset, 2), **fields)
    order = response.json()
    assert order["status"] == status, order
    assert order["reason_code"] == reason


def test_venue_rejects_insufficient_funds(api: httpx.Client) -> None:
    api.put("/risk/limits", json={**QUIET_MARKET_LIMITS, "check_balance": False}).raise_for_status()
    order = _submit(api, side="sell", amount=2.0, type="market").json()
    assert order["status"] == "rejected" and order["reason_code"] == "VENUE_REJECTED"
    assert "InsufficientFunds" in order["reason"]


def test_client_order_id_is_idempotent(api: httpx.Client, simulator: SimulatorServer) -> None:
    first = _resting_buy(api, simulator, client_order_id="idem-1")
    second = _submit(api, amount=0.001, price=first["price"], client_order_id="idem-1")
    assert second.status_code == 200
    assert second.json()["order_id"] == first["order_id"]
    other = _submit(api, amount=0.5, price=first["price"], client_order_id="idem-1")
    assert other.status_code == 409, other.text
    assert "amount 0.001 != 0.5" in other.json()["detail"]
    opened = simulator.engine("sim_a").open_orders("main", SYMBOL)
    assert sum(o.client_id == "idem-1" for o in opened) == 1
    api.delete(f"/orders/{first['order_id']}")


def test_dropped_order_response_gives_exactly_one_order(
    api: httpx.Client, simulator: SimulatorServer
) -> None:
    engine = simulator.engine("sim_a")
    engine.set_faults(drop_order_response=1.0, timeout_delay_ms=200)
    try:
        bid, _ = _book(simulator)
        response = _submit(api, amount=0.001, price=round(bid * 0.995, 2), client_order_id="drop-1")
    finally:
        engine.set_faults(drop_order_response=0.0)
    order = response.json()
    assert response.status_code == 201 and order["status"] == "new", order
    opened = engine.open_orders("main", SYMBOL)
    assert [o.client_id for o in opened].count("drop-1") == 1
    assert order["venue_order_id"] == str(engine.order("main", SYMBOL, client_order_id="drop-1").id)
    api.delete(f"/orders/{order['order_id']}")


def test_kill_switch(api: httpx.Client, simulator: SimulatorServer) -> None:
    resting = [_resting_buy(api, simulator) for _ in range(2)]
    response = api.post("/risk/kill-switch", json={"engaged": True, "reason": "test"})
    assert response.json()["engaged"] is True and response.json()["canceled"] >= 2
    for order in resting:
        assert order_state(api, order["order_id"])["status"] == "canceled"
    blocked = _submit(api, amount=0.001, type="market").json()
    assert blocked["status"] == "rejected" and blocked["reason_code"] == "KILL_SWITCH"
    assert api.get("/status").json()["kill_switch"] is True
    api.post("/risk/kill-switch", json={"engaged": False}).raise_for_status()
    assert _submit(api, amount=0.001, type="market").json()["status"] == "filled"


def test_websocket_streams_events_in_order(
    service: ServiceProcess, api: httpx.Client, simulator: SimulatorServer
) -> None:
    url = service.url.replace("http", "ws") + "/ws"
    for headers, status in (({}, 401), ({"Authorization": "Bearer wrong"}, 403)):
        with pytest.raises(InvalidStatus) as refused:
            connect(url, additional_headers=headers)
        assert refused.value.response.status_code == status
    with connect(url, additional_headers={"Authorization": f"Bearer {TOKEN}"}) as ws:
        ws.send(json.dumps({"subscribe": {"exchange": "sim_a", "symbols": [SYMBOL]}}))
        order = _resting_buy(api, simulator)
        api.delete(f"/orders/{order['order_id']}")
        events: list[dict] = []
        while not any(
            e["type"] == "order" and e["data"]["status"] == "canceled" for e in events
        ) or not any(e["type"] == "book" for e in events):
            events.append(json.loads(ws.recv(timeout=10)))
    sequenced = [e for e in events if "seq" in e]
    assert [e["seq"] for e in sequenced] == sorted(e["seq"] for e in sequenced)
    mine = [e["data"] for e in sequenced if e["type"] == "order"]
    mine = [d for d in mine if d["order_id"] == order["order_id"]]
    assert [d["status"] for d in mine] == ["pending_new", "new", "pending_cancel", "canceled"]
    assert [d["seq"] for d in mine] == [1, 2, 3, 4]


def test_balances_positions_status_and_list(api: httpx.Client) -> None:
    assert _submit(api, amount=0.001, type="market").json()["status"] == "filled"
    balances = api.get("/venues/sim_a/balances").json()
    assert {"USDT", "BTC"} <= {b["asset"] for b in balances}
    positions = api.get("/venues/sim_a/positions").json()
    assert "BTC" in {p["asset"] for p in positions}
    assert api.get("/venues/nowhere/balances").status_code == 404
    filled = api.get("/orders", params={"status": "filled", "exchange": "sim_a"}).json()
    assert filled and all(o["status"] == "filled" for o in filled)
    assert api.get("/orders", params={"status": "bogus"}).status_code == 422
    assert api.get("/status").json()["ready"] is True


def test_kill_switch_survives_restart(service: ServiceProcess, api: httpx.Client) -> None:
    api.post("/risk/kill-switch", json={"engaged": True, "reason": "restart"}).raise_for_status()
    assert service.stop(), "no graceful shutdown on SIGTERM"
    service.start()
    assert api.get("/risk/kill-switch").json()["engaged"] is True
    blocked = _submit(api, amount=0.001, type="market").json()
    assert blocked["reason_code"] == "KILL_SWITCH"
    api.post("/risk/kill-switch", json={"engaged": False}).raise_for_status()


@pytest.mark.parametrize(
    ("type_", "side", "stop", "limit", "venue_type"),
    [
        ("stop_loss", "sell", 0.97, None, "STOP_LOSS"),
        ("stop_loss_limit", "sell", 0.97, 0.965, "STOP_LOSS_LIMIT"),
        ("take_profit", "sell", 1.03, None, "TAKE_PROFIT"),
        ("take_profit_limit", "sell", 1.03, 1.03, "TAKE_PROFIT_LIMIT"),
    ],
)
def test_venue_native_stop_orders(
    api: httpx.Client,
    simulator: SimulatorServer,
    type_: str,
    side: str,
    stop: float,
    limit: float | None,
    venue_type: str,
) -> None:
    bid, _ = _book(simulator)
    fields = {"type": type_, "side": side, "amount": 0.001, "stop_price": round(bid * stop, 2)}
    if limit is not None:
        fields["price"] = round(bid * limit, 2)
    order = _submit(api, **fields).json()
    assert order["status"] == "new", order
    engine = simulator.engine("sim_a")
    venue_order = engine.order("main", SYMBOL, client_order_id=order["client_order_id"])
    assert binance.type_name(venue_order) == venue_type  # as Binance's API names it
    assert api.delete(f"/orders/{order['order_id']}").json()["status"] == "canceled"


def test_lost_submit_is_resolved_not_resent(api: httpx.Client, simulator: SimulatorServer) -> None:
    """The venue never got the order and every look-up timed out: the order stays
    pending_new, then the reconciler finds the venue has none and rejects it."""
    engine = simulator.engine("sim_a")
    bid, _ = _book(simulator)
    _resting_buy(api, simulator)  # a fresh mid for the risk check
    engine.set_faults(timeout_rate=1.0, timeout_delay_ms=50)
    try:
        response = _submit(api, amount=0.001, price=round(bid * 0.995, 2), client_order_id="lost-1")
    finally:
        engine.set_faults(timeout_rate=0.0)
    order = response.json()
    assert response.status_code == 201 and order["status"] == "pending_new", order
    resolved = wait_status(api, order["order_id"], "rejected", timeout_s=20)
    assert resolved["reason_code"] == "NOT_AT_VENUE"
    assert all(o.client_id != "lost-1" for o in engine.open_orders("main", SYMBOL))
