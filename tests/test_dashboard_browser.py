"""The dashboard in Debian's Chromium (headless, driven by Playwright) against the real service.

Screenshots of every view go to ``artifacts/screenshots/``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from deltaworks_core.config import Settings
from deltaworks_core.questdb import QuestDBReader, QuestDBWriter
from deltaworks_core.venues.simulator import SimulatorServer
from deltaworks_exec.arbitrage.trades import ArbitrageTrade, Leg, TradeStore
from deltaworks_exec.auth.roles import Role
from deltaworks_exec.auth.store import UserStore
from tests import dashboard_support, exec_fixtures
from tests.dashboard_support import RunningService, seed_tables, serving
from tests.exec_harness import TOKEN
from tests.test_venues_fail_alone import LIVE

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
# A shared 2-core machine under heavy load answers slowly: wait longer than Playwright's 5 s.
expect.set_options(timeout=15_000)
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
    costs = page.locator("#algo-tca")
    # Reports are written every 10 s and the view refreshes every 10 s.
    expect(costs.locator("h3")).to_have_text("ui_twap_1: execution costs", timeout=45_000)
    expect(costs).to_contain_text("100 %")  # the fill rate
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


def test_arbitrage_trades_view(
    page: sync_api.Page, writer: QuestDBWriter, reader: QuestDBReader
) -> None:
    buy = Leg("buy", "sim_a", "buy", "arbuib01b", 0.01, 100.0, "filled", 0.01, 100.0)
    unwind = Leg("unwind", "sim_a", "sell", "arbuib01h2", 0.01, None, "filled", 0.01, 99.9)
    trade = ArbitrageTrade(
        "arbuib01",
        "BTC-USDT.sim_a.sim_b",
        "BTC/USDT",
        "sim_a",
        "sim_b",
        0.01,
        100.0,
        101.0,
        80.0,
        10.0,
        [buy, unwind],
        "unwound",
        ts_us=int(time.time() * 1_000_000),
        seq=3,
    )
    TradeStore(writer, reader).save(trade)
    reader.wait_visible("arbitrage_trades")
    page.locator('nav button[data-view="arbitrage-trades"]').click()
    row = page.locator('#arbitrage-trades-table tr[data-trade-id="arbuib01"]')
    expect(row).to_have_attribute("data-status", "unwound")
    expect(row).to_contain_text("unwind sell 0.01/0.01 on sim_a (filled)")
    _shot(page, "arbitrage-trades")


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


# A pixel of the series' colour (#3b82f6) near the middle point of a uPlot chart.
_DRAWN = """f => {
  const u = f.plot;
  const i = Math.floor((u.data[0].length - 1) / 2);
  const x = Math.round(u.valToPos(u.data[0][i], "x", true));
  const y = Math.round(u.valToPos(u.data[1][i], "y", true));
  const px = u.ctx.getImageData(x - 3, y - 3, 7, 7).data;
  for (let k = 0; k < px.length; k += 4) {
    if (px[k + 3] > 0 && px[k + 2] > 200 && px[k] < 120) return true;
  }
  return false;
}"""


def test_chart_draws_one_point_and_many(page: sync_api.Page) -> None:
    page.locator('nav button[data-view="portfolio"]').click()
    page.evaluate(
        """async () => {
          const { lineChart } = await import("/dashboard/assets/js/charts.js");
          const t0 = Date.UTC(2026, 0, 1);
          const many = Array.from({ length: 50 }, (_, i) => ({ t: t0 + i * 60_000, v: 100 + i }));
          const box = document.createElement("div");
          box.id = "chart-probe";
          box.append(
            lineChart([{ name: "one", points: [{ t: t0, v: 42 }] }], { title: "one point" }),
            lineChart([{ name: "many", points: many }], { title: "many points" }),
            lineChart([{ name: "none", points: [] }], { title: "no points" }),
          );
          document.body.append(box);  // outside the views: their refresh would remove it
        }"""
    )
    one, many, empty = (page.locator("#chart-probe figure.chart").nth(i) for i in range(3))
    expect(empty).to_contain_text("no data yet")
    for chart in (one, many):
        page.wait_for_function(_DRAWN, arg=chart.element_handle())
        caption, canvas = chart.locator("figcaption").bounding_box(), chart.locator("canvas")
        legend = chart.locator(".u-legend").bounding_box()
        plot = canvas.bounding_box()
        assert caption and legend and plot
        assert caption["y"] + caption["height"] <= plot["y"], "the title overlaps the plot"
        assert legend["y"] >= plot["y"] + plot["height"] - 1, "the legend overlaps the plot"
    labels = many.evaluate("f => f.plot.axes[0]._values.filter(Boolean)")  # drawn on the canvas
    assert len(labels) >= 3, f"the time axis labels only its ends: {labels}"
    many.locator(".u-over").hover()  # scrolls it into view, the cursor at its centre
    tip = many.locator(".chart-tooltip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text(re.compile(r"2026-01-01 00:\d\d:00"))
    expect(tip).to_contain_text(re.compile(r"many: 1\d\d"))
    page.mouse.move(0, 0)
    page.evaluate("document.querySelector('#chart-probe').remove()")


def _column(table: sync_api.Locator, label: str) -> list[float]:
    labels = [t.strip() for t in table.locator("thead th").all_inner_texts()]
    index = next(i for i, t in enumerate(labels) if t.rstrip(" ▲▼") == label)
    cells = table.locator(f"tbody tr td:nth-child({index + 1})").all_inner_texts()
    return [float(c.split()[0].replace(",", "")) for c in cells]


def test_tables_sort_by_column(page: sync_api.Page) -> None:
    page.locator('nav button[data-view="portfolio"]').click()
    table = page.locator("#holdings-table table")
    header = table.locator("th", has_text="total")
    expect(header).to_have_class("n")  # numbers are right-aligned, header included
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    totals = _column(table, "total")
    assert len(totals) >= 2 and totals == sorted(totals)
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert _column(table, "total") == sorted(totals, reverse=True)
    align = table.locator("tbody td.n").first.evaluate("td => getComputedStyle(td).textAlign")
    assert align == "right"


def test_cancel_reachable_at_1280_px(page: sync_api.Page, simulator: SimulatorServer) -> None:
    page.set_viewport_size({"width": 1280, "height": 800})
    try:
        page.locator('nav button[data-view="orders"]').click()
        bid, _ = _book(simulator)
        _ticket(page, amount="0.001", price=f"{bid * 0.99:.2f}", client_order_id="ui-narrow-1")
        row = _order_row(page, "ui-narrow-1")
        expect(row).to_have_attribute("data-status", "new")
        row.scroll_into_view_if_needed()
        button = row.get_by_role("button", name="Cancel")
        box = button.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 1280, box
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        hit = button.evaluate(
            "b => { const r = b.getBoundingClientRect();"
            " return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === b; }"
        )
        assert hit, "another element covers the Cancel button"
        button.click()
        expect(row).to_have_attribute("data-status", "canceled")
        _shot(page, "orders-1280")
    finally:
        page.set_viewport_size({"width": 1440, "height": 900})


def test_symbol_picker_with_live_quote(page: sync_api.Page, running: RunningService) -> None:
    page.locator('nav button[data-view="orders"]').click()
    ticket = page.locator("#order-ticket")
    exchange = ticket.locator("[name=exchange]").input_value()
    venue = running.service.venues[exchange]
    picker = ticket.locator("[name=symbol]")
    assert picker.locator("option").all_inner_texts() == venue.symbols()
    assert picker.input_value() == SYMBOL
    quote = page.locator("#ticket-quote")
    expect(quote).to_have_attribute("data-live", "true")
    number = r"[\d,]+\.?\d*"
    expect(quote).to_contain_text(
        re.compile(f"{exchange} BTC/USDT: bid {number} · ask {number} · mid {number} · spread")
    )
    other = next(s for s in venue.symbols() if s != SYMBOL)
    picker.select_option(other)
    expect(quote).to_contain_text(f"{exchange} {other}: bid")
    step = float(ticket.locator("[name=price]").get_attribute("step") or "nan")
    assert step == venue.rules(other).price_increment
    picker.select_option(SYMBOL)


def test_order_book_view(page: sync_api.Page, simulator: SimulatorServer) -> None:
    page.locator('nav button[data-view="book"]').click()
    expect(page.locator("#view-book")).to_have_attribute("data-ready", "true")
    expect(page.locator("#book-levels")).to_have_attribute("data-live", "true")
    bids = page.locator("#book-levels table.bid tbody tr")
    asks = page.locator("#book-levels table.ask tbody tr")
    assert 1 <= bids.count() <= 10 and 1 <= asks.count() <= 10

    def best(rows: sync_api.Locator) -> float:
        return float(rows.first.locator("td").first.inner_text().replace(",", ""))

    sim_bid, sim_ask = _book(simulator)
    assert best(bids) < best(asks)
    assert best(bids) == pytest.approx(sim_bid, rel=0.01)
    assert best(asks) == pytest.approx(sim_ask, rel=0.01)
    stamp = page.locator("#book-time")
    first = stamp.inner_text()
    simulator.engine("sim_a").advance(2)  # the book moves: the view follows the stream
    expect(stamp).not_to_have_text(first, timeout=5_000)
    expect(page.locator("#book-quote")).to_contain_text("spread")
    _shot(page, "order-book")


def test_algorithm_forms(page: sync_api.Page) -> None:
    page.locator('nav button[data-view="algos"]').click()
    form = page.locator("#algo-launcher")
    pick = form.locator("[name=algo]")
    pick.select_option("iceberg")
    expect(form.locator('[name="params.price"]')).to_be_visible()
    expect(form.locator('[name="params.display"]')).to_be_visible()
    expect(form.locator('[name="params.duration_s"]')).to_have_count(0)
    pick.select_option("stop")
    kinds = form.locator('[name="params.kind"] option').all_inner_texts()
    assert kinds[1:] == ["stop_loss", "take_profit", "trailing"]
    pick.select_option("twap")
    styles = form.locator('[name="params.execution.style"] option').all_inner_texts()
    assert styles[1:] == ["aggressive", "passive", "auto"]
    form.locator("[name=quantity]").fill("0.01")
    form.locator("[name=algo_id]").fill("ui_twap_bad")
    form.locator('[name="params.duration_s"]').fill("60")
    form.locator('[name="params.slices"]').fill("3")
    form.locator('[name="params.interval_s"]').fill("10")
    form.get_by_role("button", name="Start algorithm").click()
    expect(page.locator("#algo-result")).to_contain_text("exactly one of slices and interval_s")
    _shot(page, "algorithm-form")


@pytest.fixture(scope="module")
def role_users(reader: QuestDBReader) -> dict[Role, tuple[str, str]]:
    """(user name, token) of one new user per role."""
    store = UserStore(reader)
    suffix = datetime.now(UTC).strftime("%H%M%S%f")
    users = {}
    for role in (Role.VIEWER, Role.TRADER, Role.RISK):
        name = f"ui-{role}-{suffix}"
        store.add_user(name, role, "test")
        users[role] = (name, store.issue_token(name, "browser", None, "test").token)
    return users


@pytest.mark.parametrize("role", [Role.VIEWER, Role.TRADER, Role.RISK])
def test_actions_follow_the_role(
    browser: sync_api.Browser,
    running: RunningService,
    role_users: dict[Role, tuple[str, str]],
    role: Role,
) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        tab = context.new_page()
        tab.goto(f"{running.url}/dashboard")
        name, token = role_users[role]
        tab.get_by_label("User token").fill(token)
        tab.get_by_role("button", name="Sign in").click()
        expect(tab.locator("#whoami")).to_have_text(f"{name} · {role}")
        may = {
            "kill switch": role == Role.RISK,
            "audit view": role == Role.RISK,
            "order ticket": role == Role.TRADER,
            "cancel column": role == Role.TRADER,
            "algorithm launcher": role == Role.TRADER,
        }

        def check(what: str, locator: sync_api.Locator) -> None:
            if may[what]:
                expect(locator, f"{role} should see the {what}").to_be_visible()
            else:
                expect(locator, f"{role} should not see the {what}").to_be_hidden()

        check("kill switch", tab.locator("#kill-switch"))
        check("audit view", tab.locator('nav button[data-view="audit"]'))
        tab.locator('nav button[data-view="orders"]').click()
        expect(tab.locator("#view-orders")).to_have_attribute("data-ready", "true")
        check("order ticket", tab.locator("#order-ticket"))
        check("cancel column", tab.locator("#orders-table th.actions"))
        tab.locator('nav button[data-view="algos"]').click()
        expect(tab.locator("#view-algos")).to_have_attribute("data-ready", "true")
        check("algorithm launcher", tab.locator("#algo-launcher"))
        _shot(tab, f"role-{role}")
    finally:
        context.close()


def test_audit_view_with_filters(
    page: sync_api.Page, running: RunningService, role_users: dict[Role, tuple[str, str]]
) -> None:
    viewer, token = role_users[Role.VIEWER]
    with running.client(token) as as_viewer:
        refused = as_viewer.post("/risk/kill-switch", json={"engaged": True})
        assert refused.status_code == 403
    page.locator('nav button[data-view="audit"]').click()
    expect(page.locator("#view-audit")).to_have_attribute("data-ready", "true")
    rows = page.locator("#audit-table tbody tr")
    expect(rows.first).to_have_attribute("data-outcome", re.compile("^(allowed|denied)$"))
    filters = page.locator("#audit-filters")
    filters.locator("[name=user]").fill(viewer)
    filters.locator("[name=outcome]").select_option("denied")
    filters.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-action", "set_kill_switch")
    expect(rows.first).to_have_attribute("data-user", viewer)
    _shot(page, "audit")
    filters.locator("[name=outcome]").select_option("allowed")
    filters.get_by_role("button", name="Filter").click()
    expect(page.locator("#audit-table tr.empty")).to_contain_text("no audit event matches")


def test_api_docs_offline_with_authorize(
    browser: sync_api.Browser, running: RunningService
) -> None:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    outside: list[str] = []

    def only_the_service(route: sync_api.Route) -> None:
        if route.request.url.startswith(running.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_service)
    try:
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        tab.goto(f"{running.url}/docs")
        title = tab.locator(".swagger-ui .info .title")
        expect(title).to_contain_text("Delta Works", timeout=20_000)  # a 1.5 MB bundle to parse
        tab.locator(".swagger-ui .auth-wrapper .authorize").click()
        dialog = tab.locator(".swagger-ui .modal-ux")
        dialog.locator("input").fill(TOKEN)
        dialog.get_by_role("button", name="Apply credentials").click()
        expect(dialog.get_by_role("button", name="Remove authorization")).to_be_visible()
        dialog.locator("button.btn-done").click()
        operation = tab.locator(".opblock", has=tab.locator('[data-path="/status"]'))
        operation.locator(".opblock-summary").click()
        operation.get_by_role("button", name="Try it out").click()
        operation.get_by_role("button", name="Execute").click()
        status = operation.locator(".live-responses-table tbody .response-col_status").first
        expect(status).to_have_text("200")
        expect(operation.locator(".curl-command")).to_contain_text("Authorization: Bearer")
        _shot(tab, "swagger-authorized")
        tab.goto(f"{running.url}/redoc")
        heading = tab.get_by_role("heading", name=re.compile("Delta Works execution service"))
        expect(heading).to_be_visible(timeout=20_000)
        expect(tab.get_by_text("bearer", exact=False).first).to_be_visible()
        _shot(tab, "redoc")
        assert not outside, f"the documentation reached outside the service: {outside}"
    finally:
        context.close()


def test_sign_out_forgets_the_token(page: sync_api.Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#signin")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0
    page.reload()
    expect(page.locator("#signin")).to_be_visible()
    expect(page.locator("#app")).to_be_hidden()


def test_a_down_venue_is_shown_with_its_reason(
    browser: sync_api.Browser, settings: Settings, simulator: SimulatorServer
) -> None:
    with_live = settings.model_copy(update={"exchanges": (*settings.exchanges, LIVE)})
    with pytest.MonkeyPatch.context() as env:
        env.setenv(LIVE.api_key_env, "not-a-key")
        env.setenv(LIVE.secret_env, "not-a-secret")
        with serving(with_live, simulator) as started:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            tab = context.new_page()
            tab.goto(f"{started.url}/dashboard")
            tab.get_by_label("User token").fill(TOKEN)
            tab.get_by_role("button", name="Sign in").click()
            banner = tab.locator("#venues-banner")
            expect(banner).to_contain_text("Venue live_down is down (retrying): ")
            expect(banner).not_to_contain_text("sim_a")
            _shot(tab, "venue-down")
            context.close()
