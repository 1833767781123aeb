// Algorithm launcher (one form per algorithm, built from /dashboard/api/algo-forms) and parent
// orders' progress; actions only for roles that may trade.

import { ApiError, get, paths, request } from "../api.js";
import { el, notice, num, replaceTable, table, time } from "../dom.js";
import { lineChart, progressBar } from "../charts.js";
import { markets, symbolOptions } from "../markets.js";
import { can } from "../session.js";
import * as stream from "../stream.js";

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
  ...(can("trade")
    ? [
        {
          label: "",
          className: "actions",
          value: (a) =>
            (ACTIONS[a.status] || [])
              .filter((name) => api.actions[name])
              .map((name) => el("button", { class: "small", onclick: () => act(name, a.algo_id) }, name)),
        },
      ]
    : []),
];

// Transaction-cost analysis of a finished parent order (GET /execution-reports/{id}).
const TCA_ROWS = [
  ["fill rate", (r) => `${num(r.fill_rate * 100, 1)} %`],
  ["average price", (r) => num(r.average_price, 8)],
  ["arrival mid", (r) => num(r.arrival_mid, 8)],
  ["interval VWAP (market trades)", (r) => num(r.interval_vwap, 8)],
  ["participation", (r) => (r.participation_rate == null ? "" : `${num(r.participation_rate * 100, 2)} %`)],
  ["shortfall vs arrival, bps", (r) => num(r.shortfall_bps, 2)],
  ["  spread, bps", (r) => num(r.spread_bps, 2)],
  ["  impact, bps", (r) => num(r.impact_bps, 2)],
  ["  timing, bps", (r) => num(r.timing_bps, 2)],
  ["  fees, bps", (r) => num(r.fees_bps, 2)],
  ["slippage vs interval VWAP, bps", (r) => num(r.slippage_vwap_bps, 2)],
];

async function showCosts(algoId) {
  const box = root.querySelector("#algo-tca");
  let report;
  try {
    report = await get(`/execution-reports/${encodeURIComponent(algoId)}`);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    box.replaceChildren(el("p", { class: "muted" }, `${algoId}: no execution costs yet, they are reported once it has ended.`));
    return;
  }
  box.replaceChildren(
    el("h3", {}, `${algoId}: execution costs`),
    table(
      [
        { label: "measure", value: (row) => row[0] },
        { label: "value", value: (row) => row[1](report), className: "n" },
      ],
      TCA_ROWS,
    ),
  );
}

async function showHistory(algoId) {
  selected = algoId;
  await showCosts(algoId);
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

/** An input for one parameter field ({name, kind, required, default, choices, help}). */
function paramInput(spec) {
  const name = `params.${spec.name}`;
  const hint = spec.default === null || spec.default === undefined ? (spec.required ? "required" : "optional") : `default ${spec.default}`;
  let input;
  if (spec.kind === "boolean") {
    input = el("select", { name }, el("option", { value: "" }, hint), el("option", {}, "true"), el("option", {}, "false"));
  } else if (spec.kind === "choice") {
    input = el("select", { name }, el("option", { value: "" }, hint), spec.choices.map((c) => el("option", {}, c)));
  } else if (spec.kind === "numbers") {
    input = el("input", { name, placeholder: `comma-separated numbers, ${hint}`, inputmode: "decimal" });
  } else {
    input = el("input", { name, type: "number", step: spec.kind === "integer" ? "1" : "any", placeholder: hint, required: spec.required });
  }
  return el("label", { title: spec.help || null }, el("span", {}, spec.name.replace(".", " · ")), input);
}

/** The parameters of the form's inputs, typed and nested (`execution.style`), blanks left out. */
function readParams(form, specs) {
  const params = {};
  for (const spec of specs) {
    const raw = form.elements[`params.${spec.name}`]?.value.trim();
    if (!raw) continue;
    let value = raw;
    if (spec.kind === "number" || spec.kind === "integer") value = Number(raw);
    if (spec.kind === "boolean") value = raw === "true";
    if (spec.kind === "numbers") value = raw.split(/[\s,]+/).filter(Boolean).map(Number);
    const path = spec.name.split(".");
    let target = params;
    for (const key of path.slice(0, -1)) target = target[key] ??= {};
    target[path.at(-1)] = value;
  }
  return params;
}

function launcher(venues, forms) {
  if (!api.launch) {
    return el(
      "p",
      { class: "notice info", id: "algo-launcher-missing" },
      "This service has no algorithm API (POST /algos) yet: parent orders below are read from algo_events.",
    );
  }
  const field = (label, input) => el("label", {}, el("span", {}, label), input);
  const algo = el("select", { name: "algo" }, Object.keys(forms).map((a) => el("option", {}, a)));
  const exchange = el("select", { name: "exchange" }, venues.map((v) => el("option", {}, v)));
  const symbol = el("select", { name: "symbol", "aria-label": "symbol" });
  const params = el("fieldset", { class: "params", id: "algo-params" });
  const form = el(
    "form",
    { id: "algo-launcher", class: "ticket", "aria-label": "algorithm launcher" },
    field("algorithm", algo),
    field("exchange", exchange),
    field("symbol", symbol),
    field("side", el("select", { name: "side" }, el("option", {}, "buy"), el("option", {}, "sell"))),
    field("quantity", el("input", { name: "quantity", type: "number", step: "any", min: "0", required: true })),
    field("algo id", el("input", { name: "algo_id", placeholder: "optional" })),
    params,
    el("button", { type: "submit", class: "primary" }, "Start algorithm"),
  );
  const showParams = () => {
    params.dataset.algo = algo.value;
    params.replaceChildren(el("legend", {}, `${algo.value} parameters`), ...forms[algo.value].map(paramInput));
  };
  const showSymbols = async () => {
    const known = await markets(exchange.value);
    symbolOptions(symbol, [...known.keys()], symbol.value || "BTC/USDT");
  };
  algo.addEventListener("change", showParams);
  exchange.addEventListener("change", showSymbols);
  showParams();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = root.querySelector("#algo-result");
    const body = {
      algo: algo.value,
      exchange: exchange.value,
      symbol: symbol.value,
      side: form.elements.side.value,
      quantity: Number(form.elements.quantity.value),
      params: readParams(form, forms[algo.value]),
    };
    if (form.elements.algo_id.value) body.algo_id = form.elements.algo_id.value;
    try {
      const started = await request("POST", api.launch, body);
      selected = started?.algo_id || selected;
      notice(result, `started ${started?.algo_id || body.algo}`, "ok");
    } catch (error) {
      notice(result, `algorithm refused: ${error.message}`, "error");
    }
    await view.refresh();
  });
  return { form, ready: showSymbols() };
}

function remember(event) {
  const known = latest.get(event.algo_id);
  if (!known || known.seq <= event.seq) latest.set(event.algo_id, event);
}

function renderTable() {
  const rows = [...latest.values()].sort((a, b) => Date.parse(b.ts) - Date.parse(a.ts));
  replaceTable(
    root.querySelector("#algos-table"),
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
    const launch = [];
    if (can("trade")) {
      const [venues, forms] = await Promise.all([get("/venues"), get("/dashboard/api/algo-forms")]);
      const built = launcher(venues, forms);
      if (built instanceof Node) launch.push(el("h2", {}, "Launch"), built);
      else {
        await built.ready;
        launch.push(el("h2", {}, "Launch"), built.form);
      }
    }
    root.replaceChildren(
      ...launch,
      el("div", { id: "algo-result" }),
      el("h2", {}, "Parent orders ", el("small", {}, "progress against schedule")),
      el("div", { class: "scroll", id: "algos-table" }),
      el("div", { id: "algo-chart", class: "chart-box" }),
      el("div", { id: "algo-tca" }),
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
