"""The dashboard's data endpoints read what the pipelines, algorithms and backtests store."""

from __future__ import annotations

import httpx
import pytest

from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from tests import dashboard_support, exec_fixtures
from tests.dashboard_support import RunningService, seed_tables

simulator = exec_fixtures.simulator
running = dashboard_support.running
api = dashboard_support.api


def test_data_endpoints(
    api: httpx.Client, writer: QuestDBWriter, reader: QuestDBReader, unique: str
) -> None:
    seed_tables(writer, reader, unique)
    exchange = f"x_{unique}"

    holdings = api.get("/dashboard/api/holdings", params={"exchange": exchange}).json()
    assert [(h["account_type"], h["asset"]) for h in holdings] == [
        ("future", "USDT"),
        ("spot", "BTC"),
    ]  # the older spot snapshot (DOGE) is not the latest
    spot = api.get("/dashboard/api/holdings", params={"exchange": exchange, "account_type": "spot"})
    assert [h["asset"] for h in spot.json()] == ["BTC"]

    portfolio = api.get("/dashboard/api/portfolio").json()
    latest = [p for p in portfolio["latest"] if p["exchange"] == exchange]
    assert [p["value"] for p in latest] == [90000.0]
    assert [p["value"] for p in portfolio["history"] if p["exchange"] == exchange] == [0.5, 90000.0]

    withdrawals = api.get("/dashboard/api/withdrawals", params={"exchange": exchange}).json()
    assert [w["withdrawal_id"] for w in withdrawals] == [f"w{unique}"]
    assert withdrawals[0]["ts"].endswith("Z")

    algos = {a["algo_id"]: a for a in api.get("/dashboard/api/algos").json()}
    assert algos[f"a{unique}"]["seq"] == 3 and algos[f"a{unique}"]["filled"] == 0.75
    events = api.get(f"/dashboard/api/algos/a{unique}/events").json()
    assert [e["target"] for e in events] == pytest.approx([0.3, 0.6, 0.9])

    arbitrage = api.get("/dashboard/api/arbitrage", params={"symbol": f"{unique}/USDT"}).json()
    assert arbitrage[0]["net_edge_bps"] == 80.0

    runs = {r["run_id"]: r for r in api.get("/dashboard/api/backtests").json()}
    assert runs[f"r{unique}"]["pnl"] == 10.0
    equity = api.get(f"/dashboard/api/backtests/r{unique}/equity").json()
    assert [p["equity"] for p in equity] == [1000.0 + m for m in range(10)]


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/dashboard/api/backtests/nope/equity", 404, "nope"),
        ("/dashboard/api/algos/nope/events", 404, "nope"),
        ("/dashboard/api/withdrawals?limit=0", 422, "limit"),
        ("/dashboard/api/portfolio?points=x", 422, "points"),
        ("/dashboard/api/holdings?exchange=a%00b", 422, "exchange"),
    ],
)
def test_errors_name_the_problem(api: httpx.Client, path: str, status: int, words: str) -> None:
    response = api.get(path)
    assert response.status_code == status
    assert words in response.text


def test_token_and_static_files(running: RunningService) -> None:
    with running.client(token=None) as anonymous:
        assert anonymous.get("/dashboard/api/holdings").status_code == 401
        page = anonymous.get("/dashboard", follow_redirects=True)
        assert page.status_code == 200 and "<title>Delta Works" in page.text
        assert "default-src 'self'" in page.headers["content-security-policy"]
        script = anonymous.get("/dashboard/assets/js/main.js")
        assert script.headers["content-type"].startswith("text/javascript")
        assert anonymous.get("/dashboard/assets/../routes.py").status_code == 404
        assert anonymous.get("/dashboard/assets/%2e%2e/routes.py").status_code == 404
        assert anonymous.get("/dashboard/assets/a%00b.js").status_code == 404
    with running.client(token="wrong") as intruder:
        assert intruder.get("/dashboard/api/algos").status_code == 403


def test_home_favicon_and_what_the_dashboard_builds_from(
    running: RunningService, api: httpx.Client
) -> None:
    with running.client(token=None) as anonymous:
        home = anonymous.get("/", follow_redirects=False)
        assert home.status_code in (302, 307) and home.headers["location"] == "/dashboard/"
        icon = anonymous.get("/dashboard/assets/favicon.svg")
        assert icon.status_code == 200 and icon.headers["content-type"] == "image/svg+xml"
        assert anonymous.get("/dashboard/api/me").status_code == 401
    me = api.get("/dashboard/api/me").json()
    assert me["role"] == "admin" and "trade" in me["permissions"]
    markets = {m["symbol"]: m for m in api.get("/dashboard/api/markets/sim_a").json()}
    assert markets["BTC/USDT"]["price_increment"] > 0
    assert api.get("/dashboard/api/markets/nope").status_code == 404
    forms = api.get("/dashboard/api/algo-forms").json()
    twap = {f["name"]: f for f in forms["twap"]}
    assert twap["duration_s"]["required"] and twap["duration_s"]["kind"] == "number"
    assert twap["execution.style"]["choices"] == ["aggressive", "passive", "auto"]
    assert set(forms) == {"twap", "vwap", "pov", "iceberg", "stop", "bracket"}
