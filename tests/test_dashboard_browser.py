"""The dashboard in Debian's Chromium (headless, driven by Playwright) against the real service.

Screenshots of every view go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_core.venues.simulator import SimulatorServer
from tests import dashboard_support, exec_fixtures
from tests.dashboard_support import RunningService, seed_tables
from tests.exec_harness import TOKEN

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"
SYMBOL = "BTC/USDT"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install 'playwright>=1.45,<1.66'")
if not CHROMIUM.exists():
    pytest.skip(
        "Debian Chromium is missing at /usr/bin/chromium: install it with "
        "`sudo apt-get install -y chromium` (Playwright cannot download its own browser here)",
        allow_module_level=True,
    )

simulator = exec_fixtures.simulator
running = dashboard_support.running
api = dashboard_support.api
expect = sync_api.expect
FRAMES: list[str] = []  # every WebSocket message the page received


@pytest.fixture(scope="module")
def browser() -> Iterator[sync_api.Browser]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def page(
    browser: sync_api.Browser,
    running: RunningService,
    writer: QuestDBWriter,
    reader: QuestDBReader,
) -> Iterator[sync_api.Page]:
    """One signed-out page on the dashboard; fails the test on any script error."""
    seed_tables(writer, reader, "browser")
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.text.startswith("Failed to load resource")
            and errors.append(m.text)
        ),
    )
    tab.on("websocket", lambda ws: ws.on("framereceived", lambda frame: FRAMES.append(str(frame))))
    tab.goto(f"{running.url}/dashboard")
    yield tab
    context.close()
    assert not errors, errors


def _shot(page: sync_api.Page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _book(simulator: SimulatorServer) -> tuple[float, float]:
    depth = simulator.engine("sim_a").order_book(SYMBOL, 1)
    tick = float(depth.market.tick)
    return depth.bids[0][0] * tick, depth.asks[0][0] * tick


def _ticket(page: sync_api.Page, **fields: str) -> None:
    form = page.locator("#order-ticket")
    for name, value in fields.items():
        target = form.locator(f"[name={name}]")
        if target.evaluate("node => node.tagName") == "SELECT":
            target.select_option(value)
        else:
            target.fill(value)
    form.get_by_role("button", name="Submit order").click()


def _order_row(page: sync_api.Page, client_order_id: str) -> sync_api.Locator:
    return page.locator(f'#orders-table tr[data-client-order-id="{client_order_id}"]')


def test_sign_in(page: sync_api.Page) -> None:
    page.get_by_label("User token").fill("wrong-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-error")).to_contain_text("Wrong token")
    expect(page.locator("#app")).to_be_hidden()
    _shot(page, "sign-in")
    page.get_by_label("User token").fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#view-portfolio")).to_have_attribute("data-ready", "true")
    expect(page.locator("#whoami")).to_have_text("bootstrap · admin")
    expect(page.locator("#stream-status")).to_have_text("live")
    expect(page.locator('.card[data-exchange="x_browser"]')).to_contain_text("90,000")
    expect(page.locator("#holdings-table")).to_contain_text("x_browser")
    expect(page.locator("#view-portfolio figure.chart canvas").first).to_be_visible()
    _shot(page, "portfolio")


def test_order_appears_and_fills_live(page: sync_api.Page, simulator: SimulatorServer) -> None:
    page.get_by_role("button", name="Orders").click()
    expect(page.locator("#view-orders")).to_have_attribute("data-ready", "true")
    _, ask = _book(simulator)
    _ticket(page, amount="0.05", price=f"{ask - 0.01:.2f}", client_order_id="ui-live-1")
    row = _order_row(page, "ui-live-1")
    expect(row).to_have_attribute("data-status", "new")
    expect(page.locator("#ticket-result")).to_contain_text("ui-live-1: new")
    engine = simulator.engine("sim_a")
    for _ in range(3000):  # simulated seconds until trades go through the price
        if engine.order("main", SYMBOL, client_order_id="ui-live-1").status == "FILLED":
            break
        engine.advance(1)
    assert engine.order("main", SYMBOL, client_order_id="ui-live-1").status == "FILLED"
    expect(row).to_have_attribute("data-status", "filled")
    expect(page.locator("#fills-table tbody")).to_contain_text("ui-live-1")
    live = [f for f in FRAMES if '"ui-live-1"' in f]
    assert any('"type":"fill"' in f for f in live), "the fill did not come over the WebSocket"
    assert any('"status":"filled"' in f for f in live), "no filled order event on the WebSocket"
    _shot(page, "orders")


def test_invalid_ticket_names_the_field(page: sync_api.Page) -> None:
    _ticket(page, amount="0.01", price="", client_order_id="has space")
    expect(page.locator("#ticket-result")).to_contain_text("client_order_id")


def test_cancel_from_the_table(page: sync_api.Page, simulator: SimulatorServer) -> None:
    bid, _ = _book(simulator)
    _ticket(page, amount="0.001", price=f"{bid * 0.99:.2f}", client_order_id="ui-cancel-1")
    row = _order_row(page, "ui-cancel-1")
    expect(row).to_have_attribute("data-status", "new")
    row.get_by_role("button", name="Cancel").click()
    expect(row).to_have_attribute("data-status", "canceled")


def test_algorithm_progress(page: sync_api.Page, api: httpx.Client) -> None:
    page.get_by_role("button", name="Algorithms").click()
    expect(page.locator("#view-algos")).to_have_attribute("data-ready", "true")
    row = page.locator('#algos-table tr[data-algo-id="abrowser"]')
    expect(row).to_contain_text("0.75")
    expect(row.locator("svg.progress")).to_have_attribute("aria-label", "75% filled, schedule 90%")
    expect(page.locator("#algo-chart figure.chart canvas")).to_be_visible()
    chart = page.locator("#algo-chart figure.chart")
    assert chart.evaluate("f => f.plot.series.map(s => s.label)") == ["time", "filled", "schedule"]
    if "/algos" not in api.get("/openapi.json").json()["paths"]:
        expect(page.locator("#algo-launcher-missing")).to_be_visible()
    _shot(page, "algorithms")


def test_twap_from_the_launcher(page: sync_api.Page, api: httpx.Client) -> None:
    page.get_by_role("button", name="Algorithms").click()
    form = page.locator("#algo-launcher")
    form.locator("[name=algo]").select_option("twap")
    form.locator("[name=quantity]").fill("0.01")
    form.locator("[name=algo_id]").fill("ui_twap_1")
    form.locator('[name="params.duration_s"]').fill("3")
    form.locator('[name="params.slices"]').fill("3")
    form.get_by_role("button", name="Start algorithm").click()
    expect(page.locator("#algo-result")).to_contain_text("started ui_twap_1")
    row = page.locator('#algos-table tr[data-algo-id="ui_twap_1"]')
    expect(row).to_be_visible()
    _shot(page, "twap-running")
    expect(row).to_have_attribute("data-status", "completed", timeout=20_000)
    expect(row.locator("svg.progress")).to_have_attribute("aria-label", re.compile("^100% filled"))
    assert api.get("/algos/ui_twap_1").json()["filled"] == pytest.approx(0.01)
    assert any('"algo_id":"ui_twap_1"' in f for f in FRAMES), "no algo event on the WebSocket"
    row.get_by_role("button", name="ui_twap_1").click()
    expect(page.locator("#algo-chart figure.chart figcaption")).to_contain_text("ui_twap_1")
    _shot(page, "twap")


def test_algo_pause_resume_cancel(page: sync_api.Page) -> None:
    form = page.locator("#algo-launcher")
    form.locator("[name=algo]").select_option("twap")
    form.locator("[name=quantity]").fill("0.01")
    form.locator("[name=algo_id]").fill("ui_twap_2")
    form.locator('[name="params.duration_s"]').fill("600")
    form.locator('[name="params.slices"]').fill("10")
    form.get_by_role("button", name="Start algorithm").click()
    row = page.locator('#algos-table tr[data-algo-id="ui_twap_2"]')
    for action, status in (("pause", "paused"), ("resume", "running"), ("cancel", "canceled")):
        expect(row.get_by_role("button", name=action)).to_be_visible()
        row.get_by_role("button", name=action).click()
        expect(row).to_have_attribute("data-status", status)
    expect(row.get_by_role("button")).to_have_count(1)  # only the algo id link is left


@pytest.mark.parametrize("view", ["arbitrage", "backtests", "withdrawals"])
def test_read_only_views(page: sync_api.Page, view: str) -> None:
    page.locator(f'nav button[data-view="{view}"]').click()
    expect(page.locator(f"#view-{view}")).to_have_attribute("data-ready", "true")
    expect(page.locator(f"#{view}-table tbody tr").first).not_to_have_class("empty")
    if view == "backtests":
        expect(page.locator("#backtest-charts figure.chart canvas")).to_have_count(2)
    _shot(page, view)


def test_kill_switch_with_confirmation(
    page: sync_api.Page, api: httpx.Client, simulator: SimulatorServer
) -> None:
    page.get_by_role("button", name="Orders").click()
    bid, _ = _book(simulator)
    _ticket(page, amount="0.001", price=f"{bid * 0.99:.2f}", client_order_id="ui-kill-1")
    expect(_order_row(page, "ui-kill-1")).to_have_attribute("data-status", "new")
    page.locator("#kill-switch").click()
    expect(page.locator("#kill-dialog")).to_be_visible()
    page.get_by_role("button", name="Cancel", exact=True).last.click()
    expect(page.locator("#kill-dialog")).to_be_hidden()
    assert api.get("/risk/kill-switch").json()["engaged"] is False
    page.locator("#kill-switch").click()
    page.locator("#kill-reason").fill("browser test")
    _shot(page, "kill-switch-confirm")
    page.get_by_role("button", name="Engage kill switch").click()
    try:
        expect(page.locator("#kill-banner")).to_be_visible()
        expect(page.locator("#action-result")).to_contain_text("canceled")
        expect(_order_row(page, "ui-kill-1")).to_have_attribute("data-status", "canceled")
        assert api.get("/risk/kill-switch").json()["engaged"] is True
        _shot(page, "kill-switch-on")
        page.locator("#kill-switch").click()
        page.get_by_role("button", name="Release", exact=True).click()
        expect(page.locator("#kill-banner")).to_be_hidden()
    finally:
        api.post("/risk/kill-switch", json={"engaged": False}).raise_for_status()


def test_sign_out_forgets_the_token(page: sync_api.Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#signin")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0
    page.reload()
    expect(page.locator("#signin")).to_be_visible()
    expect(page.locator("#app")).to_be_hidden()
