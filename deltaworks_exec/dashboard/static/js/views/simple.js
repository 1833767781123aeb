// Read-only tables: recent withdrawals and arbitrage opportunities.

import { get } from "../api.js";
import { el, num, replaceTable, table, time } from "../dom.js";

function tableView(id, title, path, columns, empty) {
  let root = null;
  return {
    id,
    title,
    async render(container) {
      root = container;
      await this.refresh();
    },
    async refresh() {
      const rows = await get(path);
      if (!root.querySelector(`#${id}-table`)) root.replaceChildren(el("div", { class: "scroll", id: `${id}-table` }));
      replaceTable(root.querySelector(`#${id}-table`), table(columns, rows, { empty }));
    },
  };
}

export const withdrawals = tableView(
  "withdrawals",
  "Withdrawals",
  "/dashboard/api/withdrawals?limit=100",
  [
    { label: "time", value: (w) => time(w.ts) },
    { label: "exchange", value: (w) => w.exchange },
    { label: "kind", value: (w) => w.kind || "" },
    { label: "asset", value: (w) => w.asset || "" },
    { label: "amount", value: (w) => num(w.amount), className: "n" },
    { label: "fee", value: (w) => num(w.fee), className: "n" },
    { label: "network", value: (w) => w.network || "" },
    { label: "status", value: (w) => el("span", { class: `status ${w.status}` }, w.status || "") },
    { label: "id", value: (w) => w.withdrawal_id },
  ],
  "no withdrawals synced yet: run the pipelines (make demo)",
);

export const arbitrage = tableView(
  "arbitrage",
  "Arbitrage",
  "/dashboard/api/arbitrage?limit=100",
  [
    { label: "time", value: (a) => time(a.ts) },
    { label: "symbol", value: (a) => a.symbol },
    { label: "buy on", value: (a) => a.buy_exchange },
    { label: "at", value: (a) => num(a.buy_price), className: "n" },
    { label: "sell on", value: (a) => a.sell_exchange },
    { label: "at", value: (a) => num(a.sell_price), className: "n" },
    { label: "amount", value: (a) => num(a.amount), className: "n" },
    { label: "gross bps", value: (a) => num(a.gross_edge_bps, 1), className: "n" },
    { label: "net bps", value: (a) => el("strong", {}, num(a.net_edge_bps, 1)), className: "n" },
  ],
  "no opportunities recorded: run the arbitrage scanner",
);
