// The arbitrage executor: enabled pairs, and its trades with legs, residual and realised edge.

import { get } from "../api.js";
import { el, money, num, table, time } from "../dom.js";

let root = null;

const pairColumns = [
  { label: "pair", value: (p) => p.pair_id },
  { label: "amount", value: (p) => num(p.amount), className: "n" },
  { label: "min edge bps", value: (p) => num(p.min_edge_bps, 2), className: "n" },
  { label: "retry bound bps", value: (p) => num(p.retry_bound_bps, 2), className: "n" },
  { label: "enabled", value: (p) => (p.enabled ? "yes" : "no") },
];

const legText = (l) =>
  `${l.role} ${l.side} ${num(l.filled)}/${num(l.amount)} on ${l.exchange} (${l.status})`;

const tradeColumns = [
  { label: "time", value: (t) => time(t.ts) },
  { label: "trade", value: (t) => t.trade_id },
  { label: "status", value: (t) => el("span", { class: `status ${t.status}` }, t.status) },
  { label: "symbol", value: (t) => t.symbol },
  { label: "buy on", value: (t) => t.buy_exchange },
  { label: "sell on", value: (t) => t.sell_exchange },
  { label: "bought", value: (t) => num(t.bought), className: "n" },
  { label: "sold", value: (t) => num(t.sold), className: "n" },
  { label: "residual", value: (t) => num(t.residual), className: "n" },
  { label: "edge", value: (t) => money(t.realised_edge), className: "n" },
  { label: "edge bps", value: (t) => num(t.realised_edge_bps, 1), className: "n" },
  { label: "legs", value: (t) => el("ul", { class: "legs" }, t.legs.map((l) => el("li", {}, legText(l)))) },
  { label: "message", value: (t) => t.message },
];

export const view = {
  id: "arbitrage-trades",
  title: "Arb trades",
  async render(container) {
    root = container;
    await this.refresh();
  },
  async refresh() {
    const [pairs, trades] = await Promise.all([get("/arbitrage/pairs"), get("/arbitrage/trades?limit=100")]);
    root.replaceChildren(
      el("h2", {}, "Pairs"),
      el("div", { class: "scroll", id: "arbitrage-pairs-table" }, table(pairColumns, pairs, {
        empty: "no pair enabled: deltaworks-exec arb enable SYMBOL VENUE_A VENUE_B --amount --min-edge-bps",
      })),
      el("h2", {}, "Trades"),
      el("div", { class: "scroll", id: "arbitrage-trades-table" }, table(tradeColumns, trades, {
        rowAttrs: (t) => ({ dataset: { tradeId: t.trade_id, status: t.status } }),
        empty: "no arbitrage trades yet",
      })),
    );
  },
};
