// Holdings and portfolio value by exchange and account type (from the pipelines' tables).

import { get } from "../api.js";
import { el, money, num, replaceTable, table, time } from "../dom.js";
import { lineChart } from "../charts.js";

const holdingColumns = [
  { label: "exchange", value: (h) => h.exchange },
  { label: "account", value: (h) => h.account_type },
  { label: "asset", value: (h) => h.asset },
  { label: "free", value: (h) => num(h.free), className: "n" },
  { label: "used", value: (h) => num(h.used), className: "n" },
  { label: "total", value: (h) => num(h.total), className: "n" },
  { label: "price", value: (h) => num(h.price), className: "n" },
  { label: "value", value: (h) => `${money(h.value)} ${h.quote || ""}`, className: "n" },
  { label: "snapshot", value: (h) => time(h.ts) },
];

const filters = { exchange: "", account_type: "" };

function select(name, values) {
  const node = el(
    "select",
    { name, "aria-label": name },
    el("option", { value: "" }, `all ${name.replace("_", " ")}s`),
    values.map((v) => el("option", { value: v, selected: v === filters[name] }, v)),
  );
  node.addEventListener("change", () => {
    filters[name] = node.value;
    view.refresh();
  });
  return node;
}

function cards(latest) {
  const total = latest.reduce((sum, p) => sum + (p.value || 0), 0);
  const quote = latest[0]?.quote || "";
  return el(
    "div",
    { class: "cards" },
    el("div", { class: "card total" }, el("span", {}, "total"), el("strong", {}, `${money(total)} ${quote}`)),
    latest.map((p) =>
      el(
        "div",
        { class: "card", dataset: { exchange: p.exchange, accountType: p.account_type } },
        el("span", {}, `${p.exchange} · ${p.account_type}`),
        el("strong", {}, `${money(p.value)} ${p.quote || ""}`),
        p.unpriced_assets ? el("small", {}, `${p.unpriced_assets} unpriced`) : null,
      ),
    ),
  );
}

function chart(history) {
  const series = new Map();
  for (const p of history) {
    const key = `${p.exchange} · ${p.account_type}`;
    if (!series.has(key)) series.set(key, []);
    series.get(key).push({ t: Date.parse(p.ts), v: p.value });
  }
  const lines = [...series].map(([name, points]) => ({ name, points }));
  return lineChart(lines, { title: "portfolio value by exchange and account type" });
}

let root = null;

/** The holdings table, sorted as the user last sorted it. */
function holdingsTable(holdings) {
  const holder = el("div", { class: "scroll", id: "holdings-table" });
  const previous = root.querySelector("#holdings-table table");
  if (previous) holder.append(previous);
  replaceTable(holder, table(holdingColumns, holdings, { empty: "no holdings snapshot yet: run the pipelines (make demo)" }));
  return holder;
}

export const view = {
  id: "portfolio",
  title: "Portfolio",
  async render(container) {
    root = container;
    await this.refresh();
  },
  async refresh() {
    const [portfolio, everything] = await Promise.all([
      get("/dashboard/api/portfolio"),
      get("/dashboard/api/holdings"),
    ]);
    const keep = (p) =>
      (!filters.exchange || p.exchange === filters.exchange) &&
      (!filters.account_type || p.account_type === filters.account_type);
    const holdings = everything.filter(keep);
    const exchanges = [...new Set(everything.map((h) => h.exchange))].sort();
    const accounts = [...new Set(everything.map((h) => h.account_type))].sort();
    root.replaceChildren(
      el("div", { class: "filters" }, select("exchange", exchanges), select("account_type", accounts)),
      cards(portfolio.latest.filter(keep)),
      el("div", { class: "chart-box" }, chart(portfolio.history.filter(keep))),
      el("h2", {}, "Holdings ", el("small", {}, "latest snapshot of each account")),
      holdingsTable(holdings),
    );
  },
};
