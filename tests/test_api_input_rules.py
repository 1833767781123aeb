"""Every number entering the API: any JSON number or string in an order, algorithm or limits
field gives a 2xx or a 4xx naming the field, never a 5xx, and a refused request stores nothing.

Bodies are sent as raw text, so ``NaN``, ``Infinity`` and ``1e309`` (infinity once parsed)
reach the service exactly as a client could send them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_core.venues.simulator import SimError, SimulatorServer
from deltaworks_exec.oms.algo_store import AlgoEvent, QuestDBProgress
from tests import dashboard_support, exec_fixtures
from tests.dashboard_support import RunningService
from tests.exec_harness import QUIET_MARKET_LIMITS

simulator = exec_fixtures.simulator
running = dashboard_support.running
api = dashboard_support.api

EXAMPLES = 15  # per field: every kind of token, a second or two each
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
SPECIAL = ["NaN", "Infinity", "-Infinity", "1e309", "-1e309", "1e30", "0", "-0.0", "5e-324"]
JSON_NUMBER_OR_STRING = st.one_of(
    st.sampled_from(SPECIAL),
    st.floats(allow_nan=True, allow_infinity=True).map(json.dumps),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.text(max_size=12).map(json.dumps),
)
ORDER = {"exchange": "sim_a", "symbol": "BTC/USDT", "side": "buy", "type": "limit"}


def _with(body: dict[str, Any], path: str, token: str) -> str:
    """``body`` as JSON text with the value at dotted ``path`` replaced by raw ``token``."""
    marker = "__FUZZED__"
    filled = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    node = filled
    for key in parents:
        node = node[key]
    node[last] = marker
    return json.dumps(filled).replace(f'"{marker}"', token)


def _send(api: httpx.Client, method: str, url: str, text: str) -> httpx.Response:
    return api.request(method, url, content=text, headers={"Content-Type": "application/json"})


def _names_field(response: httpx.Response, field: str) -> bool:
    detail = response.json()["detail"]
    if isinstance(detail, str):
        return field in detail
    return any(field in [str(p) for p in e["loc"]] or field in e["msg"] for e in detail)


def _judge(response: httpx.Response, field: str, token: str) -> bool:
    """True when accepted; fails the test on a 5xx or a 4xx that does not name ``field``."""
    assert response.status_code < 500, f"{field}={token} -> {response.status_code}"
    if response.status_code >= 400:
        assert _names_field(response, field.split(".")[0]), (field, token, response.text)
        json.loads(response.text)  # always encodable
        return False
    return True


@pytest.fixture(scope="module")
def mid(simulator: SimulatorServer) -> float:
    depth = simulator.engine("sim_a").order_book("BTC/USDT", 1)
    return (depth.bids[0][0] + depth.asks[0][0]) / 2 * float(depth.market.tick)


@pytest.fixture(autouse=True)
def _default_limits(api: httpx.Client) -> Iterator[None]:
    yield
    api.put("/risk/limits", json=QUIET_MARKET_LIMITS).raise_for_status()


@pytest.mark.parametrize("field", ["amount", "price", "stop_price"])
def test_order_numbers(api: httpx.Client, running: RunningService, mid: float, field: str) -> None:
    # Half the mid: a valid order is refused by the price band, so nothing reaches the venue.
    body = {**ORDER, "amount": 0.001, "price": round(mid / 2, 2)}
    if field == "stop_price":
        body["type"] = "stop_loss_limit"
    oms = running.service.oms
    assert oms is not None

    @FUZZ
    @given(JSON_NUMBER_OR_STRING)
    def check(token: str) -> None:
        before = len(oms.orders)
        response = _send(api, "POST", "/orders", _with(body, field, token))
        if not _judge(response, field, token):
            assert len(oms.orders) == before, "a refused order was kept"

    check()


@pytest.mark.parametrize("field", ["quantity", "params.duration_s", "params.slices"])
def test_algo_numbers(api: httpx.Client, running: RunningService, field: str) -> None:
    body = {
        "algo": "twap",
        "exchange": "sim_a",
        "symbol": "BTC/USDT",
        "side": "buy",
        "quantity": 0.01,
        "params": {"duration_s": 600, "slices": 2, "execution": {"limit_price": 1.0}},
    }
    algos = running.service.algos
    assert algos is not None

    @FUZZ
    @given(JSON_NUMBER_OR_STRING)
    def check(token: str) -> None:
        before = set(algos.algos)
        response = _send(api, "POST", "/algos", _with(body, field, token))
        if _judge(response, field, token):
            canceled = api.post(f"/algos/{response.json()['algo_id']}/cancel")
            assert canceled.status_code in (200, 409)  # 409: it ended already
        else:
            assert set(algos.algos) == before, "a refused algorithm was kept"

    check()
    assert api.get("/algos").status_code == 200


@pytest.mark.parametrize(
    "field", ["max_order_notional", "price_band_bps", "max_open_orders", "max_position.BTC"]
)
def test_limit_numbers(api: httpx.Client, field: str) -> None:
    body = {
        "max_order_notional": 1000,
        "price_band_bps": 100,
        "max_open_orders": 10,
        "max_position": {"BTC": 1.0},
    }

    @FUZZ
    @given(JSON_NUMBER_OR_STRING)
    def check(token: str) -> None:
        before = api.get("/risk/limits").json()
        response = _send(api, "PUT", "/risk/limits", _with(body, field, token))
        if _judge(response, field, token):
            limits = response.json()
            assert all(math.isfinite(v) for v in limits["max_position"].values())
            assert math.isfinite(limits["max_order_notional"])
        else:
            assert api.get("/risk/limits").json() == before, "refused limits were applied"

    check()


@pytest.mark.parametrize(
    ("method", "url", "text", "field"),
    [
        ("PUT", "/risk/limits", '{"max_order_notional": 1e309}', "max_order_notional"),
        ("PUT", "/risk/limits", '{"max_order_notional": NaN}', "max_order_notional"),
        (
            "POST",
            "/orders",
            '{"exchange": "sim_a", "symbol": "BTC/USDT", "side": "buy", '
            '"type": "market", "amount": 1e30}',
            "amount",
        ),
        (
            "POST",
            "/algos",
            '{"algo": "twap", "exchange": "sim_a", "symbol": "BTC/USDT", '
            '"side": "buy", "quantity": 1e309, "params": {}}',
            "quantity",
        ),
    ],
)
def test_reported_cases_are_refused(
    api: httpx.Client, method: str, url: str, text: str, field: str
) -> None:
    response = _send(api, method, url, text)
    assert response.status_code == 422, response.text
    assert _names_field(response, field)
    assert api.get("/risk/limits").json()["max_order_notional"] == 250_000.0


def test_a_damaged_stored_algorithm_is_left_out_of_the_listing(
    api: httpx.Client, writer: QuestDBWriter, reader: QuestDBReader
) -> None:
    progress = QuestDBProgress(writer)
    common = {
        "ts": datetime.now(UTC),
        "seq": 1,
        "algo": "twap",
        "status": "failed",
        "exchange": "sim_a",
        "symbol": "BTC/USDT",
        "side": "buy",
        "filled": 0.0,
        "average": None,
        "message": "",
        "children": 0,
        "target": 0.0,
    }
    progress.publish(
        AlgoEvent(algo_id="damaged_nan", quantity=math.nan, params={"start_ms": 1}, **common)
    )
    progress.publish(
        AlgoEvent(algo_id="damaged_inf", quantity=0.1, params={"x": math.inf}, **common)
    )
    reader.wait_visible("algo_events")
    response = api.get("/algos")
    assert response.status_code == 200, response.text
    shown = {row["algo_id"] for row in response.json()}
    assert not shown & {"damaged_nan", "damaged_inf"}
    assert set(response.headers["X-Skipped-Rows"].split(",")) >= {"damaged_nan", "damaged_inf"}


# --- market rules before the venue -------------------------------------------------------


def test_below_the_minimum_notional_is_rejected_by_our_rule(
    api: httpx.Client, running: RunningService, simulator: SimulatorServer, mid: float
) -> None:
    price = round(mid * 0.999, 2)  # inside the price band
    response = api.post("/orders", json={**ORDER, "amount": 0.00005, "price": price})
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["status"] == "rejected" and order["reason_code"] == "MIN_NOTIONAL", order
    assert "below the minimum notional of 5 USDT for BTC/USDT on sim_a" in order["reason"]
    assert order["venue_order_id"] is None
    engine = simulator.engine("sim_a")
    with pytest.raises(SimError):  # never sent
        engine.order("main", "BTC/USDT", client_order_id=order["client_order_id"])


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"symbol": "BTCUSDT"}, "symbol", "not a configured market of sim_a"),
        ({"amount": 0.000001}, "amount", "below the amount step of 0.00001 BTC"),
        ({"price": 0.001}, "price", "below the price tick of 0.01"),
    ],
)
def test_input_outside_the_market_is_refused_and_not_stored(
    api: httpx.Client, running: RunningService, fields: dict, field: str, says: str
) -> None:
    oms = running.service.oms
    assert oms is not None
    before = len(oms.orders)
    response = api.post("/orders", json={**ORDER, "amount": 0.001, "price": 50_000.0, **fields})
    assert response.status_code == 422, response.text
    assert _names_field(response, field) and says in response.text
    assert len(oms.orders) == before


def test_an_algorithm_below_the_minimum_is_refused_with_the_reason(
    api: httpx.Client, running: RunningService
) -> None:
    body = {
        "algo": "twap",
        "exchange": "sim_a",
        "symbol": "BTC/USDT",
        "side": "buy",
        "quantity": 0.00002,
        "params": {"duration_s": 60, "slices": 2},
    }
    response = api.post("/algos", json=body)
    assert response.status_code == 422, response.text
    assert "cannot be executed" in response.text and "minimum notional 5.0 USDT" in response.text
    assert all(row["quantity"] != 0.00002 for row in api.get("/algos").json())


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/orders?status=bogus", "status"),
        ("/orders?limit=0", "limit"),
        ("/orders?open_only=maybe", "open_only"),
        ("/algos?status=bogus", "status"),
    ],
)
def test_a_bad_list_filter_is_refused_naming_it(api: httpx.Client, path: str, field: str) -> None:
    response = api.get(path)
    assert response.status_code == 422, response.text
    assert _names_field(response, field)
