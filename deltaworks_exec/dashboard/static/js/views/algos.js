// Algorithm launcher (when the service has an algorithm API) and parent orders' progress.

import { ApiError, get, paths, request } from "../api.js";
import { el, notice, num, table, time } from "../dom.js";
import { lineChart, progressBar } from "../charts.js";
import * as stream from "../stream.js";

const DEFAULT_PARAMS = {
  twap: { duration_s: 60, slices: 6 },
  vwap: { duration_s: 300, bucket_s: 60, days: 5 }, // volume profile from the candles table
  iceberg: { price: 60000, display: 0.01 },
  bracket: { take_profit: 66000, stop_loss: 57000 },
};
const ACTIONS = { pending: ["cancel"], running: ["pause", "cancel"], paused: ["resume", "cancel"] };

let root = null;
let api = { launch: null, actions: {} };
let selected = null;
const latest = new Map(); // algo_id -> latest progress event (QuestDB or WebSocket)

/** Which algorithm endpoints the service's OpenAPI schema offers. */
function discover(schema) {
  const found = { launch: schema["/algos"]?.post ? "/algos" : null, actions: {} };
  for (const [path, methods] of Object.entries(schema)) {
    const match = path.match(/^\/algos\/\{[^}]+\}(?:\/(pause|resume|cancel))?$/);
    if (!match) continue;
    if (match[1] && methods.post) found.actions[match[1]] = { method: "POST", path };
    if (!match[1] && methods.delete && !found.actions.cancel) {
      found.actions.cancel = { method: "DELETE", path };
    }
  }
  return found;
}

async function act(name, algoId) {
  const { method, path } = api.actions[name];
  const url = path.replace(/\{[^}]+\}/, encodeURIComponent(algoId));
  const result = root.querySelector("#algo-result");
  try {
    await request(method, url);
    notice(result, `${name}: ${algoId}`, "ok");
  } catch (error) {
    notice(result, `${name} failed: ${error.message}`, "error");
  }
  await view.refresh();
}

const columns = () => [
  { label: "algo id", value: (a) => el("button", { class: "link", onclick: () => showHistory(a.algo_id) }, a.algo_id) },
  { label: "algo", value: (a) => a.algo || "" },
  { label: "market", value: (a) => `${a.exchange || ""} ${a.symbol || ""}` },
  { label: "side", value: (a) => a.side || "", className: "side" },
  { label: "qty", value: (a) => num(a.quantity), className: "n" },
  { label: "filled", value: (a) => num(a.filled), className: "n" },
  { label: "schedule", value: (a) => num(a.target), className: "n" },
  { label: "progress vs schedule", value: (a) => progressBar(a.filled, a.target, a.quantity) },
  { label: "avg", value: (a) => num(a.average), className: "n" },
  { label: "status", value: (a) => el("span", { class: `status ${a.status}` }, a.status || "") },
  { label: "last event", value: (a) => `${time(a.ts)} ${a.message || ""}` },
  {
    label: "",
    value: (a) =>
      (ACTIONS[a.status] || [])
        .filter((name) => api.actions[name])
        .map((name) => el("button", { class: "small", onclick: () => act(name, a.algo_id) }, name)),
  },
];

async function showHistory(algoId) {
  selected = algoId;
  let events;
  try {
    events = await get(`/dashboard/api/algos/${encodeURIComponent(algoId)}/events`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return; // not stored yet
    throw error;
  }
  const points = (key) => events.map((e) => ({ t: Date.parse(e.ts), v: e[key] }));
  root.querySelector("#algo-chart").replaceChildren(
    lineChart(
      [
        { name: "filled", points: points("filled") },
        { name: "schedule", points: points("target"), dashed: true },
      ],
      { title: `${algoId}: filled against schedule` },
    ),
  );
}

function launcher(venues) {
  if (!api.launch) {
    return el(
      "p",
      { class: "notice info", id: "algo-launcher-missing" },
      "This service has no algorithm API (POST /algos) yet: parent orders below are read from algo_events.",
    );
  }
  const params = el("textarea", { name: "params", rows: 3, spellcheck: "false" });
  const algo = el("select", { name: "algo" }, Object.keys(DEFAULT_PARAMS).map((a) => el("option", {}, a)));
  const fill = () => (params.value = JSON.stringify(DEFAULT_PARAMS[algo.value]));
  algo.addEventListener("change", fill);
  fill();
  const field = (label, input) => el("label", {}, el("span", {}, label), input);
  const form = el(
    "form",
    { id: "algo-launcher", class: "ticket", "aria-label": "algorithm launcher" },
    field("algorithm", algo),
    field("exchange", el("select", { name: "exchange" }, venues.map((v) => el("option", {}, v)))),
    field("symbol", el("input", { name: "symbol", value: "BTC/USDT", required: true })),
    field("side", el("select", { name: "side" }, el("option", {}, "buy"), el("option", {}, "sell"))),
    field("quantity", el("input", { name: "quantity", type: "number", step: "any", min: "0", required: true })),
    field("algo id", el("input", { name: "algo_id", placeholder: "optional" })),
    field("parameters (JSON)", params),
    el("button", { type: "submit", class: "primary" }, "Start algorithm"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = root.querySelector("#algo-result");
    const data = Object.fromEntries(new FormData(form));
    let parsed;
    try {
      parsed = JSON.parse(data.params || "{}");
    } catch (error) {
      notice(result, `parameters are not valid JSON: ${error.message}`, "error");
      return;
    }
    const body = { ...data, quantity: Number(data.quantity), params: parsed };
    if (!body.algo_id) delete body.algo_id;
    try {
      const started = await request("POST", api.launch, body);
      selected = started?.algo_id || selected;
      notice(result, `started ${started?.algo_id || body.algo}`, "ok");
    } catch (error) {
      notice(result, `algorithm refused: ${error.message}`, "error");
    }
    await view.refresh();
  });
  return form;
}

function remember(event) {
  const known = latest.get(event.algo_id);
  if (!known || known.seq <= event.seq) latest.set(event.algo_id, event);
}

function renderTable() {
  const rows = [...latest.values()].sort((a, b) => Date.parse(b.ts) - Date.parse(a.ts));
  root.querySelector("#algos-table").replaceChildren(
    table(columns(), rows, {
      rowAttrs: (a) => ({ dataset: { algoId: a.algo_id, status: a.status } }),
      empty: "no parent orders yet",
    }),
  );
  return rows;
}

stream.on("algo", (event) => {
  remember(event);
  if (root?.querySelector("#algos-table")) renderTable();
});

export const view = {
  id: "algos",
  title: "Algorithms",
  interval: 2000,
  async render(container) {
    root = container;
    api = discover(await paths());
    const venues = await get("/venues");
    root.replaceChildren(
      el("h2", {}, "Launch"),
      launcher(venues),
      el("div", { id: "algo-result" }),
      el("h2", {}, "Parent orders ", el("small", {}, "progress against schedule")),
      el("div", { class: "scroll", id: "algos-table" }),
      el("div", { id: "algo-chart", class: "chart-box" }),
    );
    await this.refresh();
  },
  async refresh() {
    for (const event of await get("/dashboard/api/algos?limit=50")) remember(event);
    const algos = renderTable();
    const current = algos.some((a) => a.algo_id === selected) ? selected : algos[0]?.algo_id;
    if (current) await showHistory(current);
  },
};
