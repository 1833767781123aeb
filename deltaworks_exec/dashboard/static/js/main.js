// Sign-in by user token, navigation between the views the role may see, periodic refresh,
// the kill switch (for roles that may use it).

import { ApiError, get, post, request, token, whenUnauthorized } from "./api.js";
import { el, notice } from "./dom.js";
import { can, session, setSession } from "./session.js";
import * as stream from "./stream.js";
import { view as algos } from "./views/algos.js";
import { view as arbitrageTrades } from "./views/arbitrage_trades.js";
import { view as audit } from "./views/audit.js";
import { view as backtests } from "./views/backtests.js";
import { view as book } from "./views/book.js";
import { view as orders } from "./views/orders.js";
import { view as portfolio } from "./views/portfolio.js";
import { arbitrage, withdrawals } from "./views/simple.js";

// A view with `permission` is shown only to roles that grant it.
const ALL_VIEWS = [
  portfolio, orders, book, algos, arbitrage, arbitrageTrades, backtests, withdrawals, audit,
];
let VIEWS = ALL_VIEWS;
const REFRESH_MS = 10_000;
const $ = (selector) => document.querySelector(selector);

const rendered = new Set();
let active = null;
let lastRefresh = 0;
let busy = false;
let killEngaged = false;

async function run(work) {
  busy = true;
  try {
    await work();
    notice($("#view-error"), "");
  } catch (error) {
    if (!(error instanceof ApiError && [401, 403].includes(error.status))) {
      notice($("#view-error"), `could not load ${active.title.toLowerCase()}: ${error.message}`, "error");
    }
  } finally {
    busy = false;
    lastRefresh = Date.now();
  }
}

async function show(id) {
  active = VIEWS.find((v) => v.id === id) || VIEWS[0];
  for (const button of document.querySelectorAll("nav button")) {
    button.setAttribute("aria-current", button.dataset.view === active.id ? "page" : "false");
  }
  for (const section of document.querySelectorAll("main > section")) {
    section.hidden = section.id !== `view-${active.id}`;
  }
  const section = $(`#view-${active.id}`);
  const view = active;
  await run(() => (rendered.has(view.id) ? view.refresh() : view.render(section)));
  rendered.add(view.id);
  section.dataset.ready = "true";
}

let venuesChecked = 0;

/** Venues out of service (`/status` venues_down): one line each with the reason. */
async function showVenuesDown() {
  venuesChecked = Date.now();
  const down = Object.entries((await get("/status")).venues_down || {});
  const banner = $("#venues-banner");
  banner.hidden = down.length === 0;
  banner.replaceChildren(
    ...down.map(([name, d]) =>
      el("div", {}, `Venue ${name} is down${d.retrying ? " (retrying)" : ""}: ${d.reason}`),
    ),
  );
}

function tick() {
  if (!token.get()) return;
  if (Date.now() - venuesChecked >= REFRESH_MS) showVenuesDown().catch(() => {});
  if (!active || busy) return;
  if (Date.now() - lastRefresh >= (active.interval || REFRESH_MS) && rendered.has(active.id)) {
    run(() => active.refresh());
  }
}

function showKillSwitch(engaged) {
  killEngaged = engaged;
  const button = $("#kill-switch");
  button.textContent = engaged ? "Kill switch ON: release" : "Kill switch";
  button.classList.toggle("engaged", engaged);
  document.body.classList.toggle("halted", engaged);
  $("#kill-banner").hidden = !engaged;
}

function askKillSwitch() {
  const dialog = $("#kill-dialog");
  $("#kill-dialog-text").textContent = killEngaged
    ? "Release the kill switch? New orders will be accepted again."
    : "Engage the kill switch? Every open order is canceled and new orders are refused.";
  $("#kill-confirm").textContent = killEngaged ? "Release" : "Engage kill switch";
  $("#kill-reason").value = "";
  dialog.showModal();
}

async function confirmKillSwitch(event) {
  event.preventDefault();
  const dialog = $("#kill-dialog");
  const reason = $("#kill-reason").value || null;
  dialog.close();
  try {
    const result = await post("/risk/kill-switch", { engaged: !killEngaged, reason });
    showKillSwitch(result.engaged);
    const what = result.engaged ? `ON: canceled ${result.canceled} open orders` : "released";
    notice($("#action-result"), `kill switch ${what}`, result.engaged ? "error" : "ok");
  } catch (error) {
    notice($("#action-result"), `kill switch failed: ${error.message}`, "error");
  }
}

/** Navigation and sections for the views the signed-in role may see. */
function layout() {
  VIEWS = ALL_VIEWS.filter((v) => !v.permission || can(v.permission));
  rendered.clear();
  $("nav").replaceChildren(
    ...VIEWS.map((v) =>
      el("button", { type: "button", dataset: { view: v.id }, onclick: () => (location.hash = v.id) }, v.title),
    ),
  );
  $("main").replaceChildren(...VIEWS.map((v) => el("section", { id: `view-${v.id}`, hidden: true })));
  const { user, role } = session();
  $("#whoami").textContent = `${user} · ${role}`;
  $("#kill-switch").hidden = !can("risk");
}

async function start() {
  setSession(await get("/dashboard/api/me"));
  layout();
  $("#signin").hidden = true;
  $("#app").hidden = false;
  stream.connect(token.get());
  showKillSwitch((await get("/risk/kill-switch")).engaged);
  await showVenuesDown();
  await show(location.hash.slice(1));
}

function signOut(message = "") {
  token.clear();
  stream.disconnect();
  $("#app").hidden = true;
  $("#signin").hidden = false;
  notice($("#signin-error"), message, "error");
  $("#token").focus();
}

async function signIn(event) {
  event.preventDefault();
  const candidate = $("#token").value.trim();
  if (!candidate) return notice($("#signin-error"), "Enter your user token.", "error");
  try {
    await request("GET", "/dashboard/api/me", undefined, candidate);
  } catch (error) {
    const refused = error instanceof ApiError && [401, 403].includes(error.status);
    const message = refused
      ? `Wrong token: the service refused it (${error.status} ${error.message}).`
      : `Cannot sign in: ${error.message}`;
    return notice($("#signin-error"), message, "error");
  }
  token.set(candidate);
  $("#token").value = "";
  await start();
}

function build() {
  $("#signin-form").addEventListener("submit", signIn);
  $("#sign-out").addEventListener("click", () => signOut());
  $("#kill-switch").addEventListener("click", askKillSwitch);
  $("#kill-form").addEventListener("submit", confirmKillSwitch);
  $("#kill-cancel").addEventListener("click", () => $("#kill-dialog").close());
  window.addEventListener("hashchange", () => token.get() && show(location.hash.slice(1)));
  whenUnauthorized((status) => signOut(`The service refused the token (${status}): sign in again.`));
  stream.onStatus((state) => {
    $("#stream-status").textContent = state;
    $("#stream-status").className = `pill ${state}`;
  });
  stream.on("kill_switch", (data) => showKillSwitch(data.engaged));
  setInterval(tick, 500);
}

build();
if (token.get()) {
  start().catch(() => signOut("Sign in again."));
} else {
  signOut();
}
