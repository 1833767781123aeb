// Backtest runs with their metrics, and the equity and drawdown curves of the selected run.

import { get } from "../api.js";
import { el, money, num, replaceTable, table, time } from "../dom.js";
import { lineChart } from "../charts.js";

let root = null;
let selected = null;

const columns = [
  { label: "run", value: (r) => el("button", { class: "link", onclick: () => show(r.run_id) }, r.run_id) },
  { label: "created", value: (r) => time(r.ts) },
  { label: "strategy", value: (r) => r.strategy || "" },
  { label: "mode", value: (r) => r.mode || "" },
  { label: "symbols", value: (r) => r.symbols || "" },
  { label: "pnl", value: (r) => `${money(r.pnl)} ${r.quote || ""}`, className: "n" },
  { label: "return %", value: (r) => num(r.return_pct, 2), className: "n" },
  { label: "max dd %", value: (r) => num(r.max_drawdown_pct, 2), className: "n" },
  { label: "sharpe", value: (r) => num(r.sharpe, 2), className: "n" },
  { label: "fills", value: (r) => num(r.fills, 0), className: "n" },
  { label: "slippage bps", value: (r) => num(r.slippage_bps, 1), className: "n" },
];

async function show(runId) {
  selected = runId;
  const box = root.querySelector("#backtest-charts");
  const curve = await get(`/dashboard/api/backtests/${encodeURIComponent(runId)}/equity`);
  const points = (key) => curve.map((p) => ({ t: Date.parse(p.ts), v: p[key] }));
  box.replaceChildren(
    el("h2", {}, `Run ${runId}`),
    lineChart([{ name: "equity", points: points("equity") }], { title: "equity" }),
    lineChart([{ name: "drawdown %", points: points("drawdown_pct") }], { title: "drawdown %", height: 160 }),
  );
}

export const view = {
  id: "backtests",
  title: "Backtests",
  async render(container) {
    root = container;
    await this.refresh();
  },
  async refresh() {
    const runs = await get("/dashboard/api/backtests?limit=50");
    const holder = el("div", { class: "scroll", id: "backtests-table" });
    const previous = root.querySelector("#backtests-table table");
    if (previous) holder.append(previous);
    replaceTable(
      holder,
      table(columns, runs, {
        rowAttrs: (r) => ({ dataset: { runId: r.run_id } }),
        empty: el(
          "span",
          {},
          "no backtest runs stored yet: run one with ",
          el("code", {}, "deltaworks-exec backtest ma_cross --exchange sim_a --symbol BTC/USDT --store"),
        ),
      }),
    );
    root.replaceChildren(holder, el("div", { id: "backtest-charts", class: "chart-box" }));
    const runId = runs.some((r) => r.run_id === selected) ? selected : runs[0]?.run_id;
    if (runId) await show(runId);
  },
};
