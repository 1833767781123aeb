// Order ticket with a symbol picker and the live quote, orders and fills updated live from the
// WebSocket; cancel per order (for roles that may trade).

import { del, get, post } from "../api.js";
import { el, notice, num, replaceTable, resort, table, tableRow, time } from "../dom.js";
import { markets, quoteText, symbolOptions, watchBook } from "../markets.js";
import { can } from "../session.js";
import * as stream from "../stream.js";

const OPEN = new Set(["pending_new", "new", "partially_filled", "pending_cancel"]);
const TYPES = ["limit", "market", "stop_loss", "stop_loss_limit", "take_profit", "take_profit_limit"];
const MAX_ROWS = 200;
const PREFERRED_SYMBOL = "BTC/USDT";

const orders = new Map();
const fills = [];
let ordersTable = null;
let fillsTable = null;
let stopQuote = () => {};

const created = (o) => Date.parse(o.created) || 0;

const orderColumns = () => [
  { label: "created", value: (o) => time(o.created), sort: created },
  { label: "order id", value: (o) => o.order_id, className: "id" },
  { label: "client id", value: (o) => o.client_order_id, className: "id" },
  { label: "exchange", value: (o) => o.exchange },
  { label: "symbol", value: (o) => o.symbol },
  { label: "side", value: (o) => o.side, className: "side" },
  { label: "type", value: (o) => o.type },
  { label: "amount", value: (o) => num(o.amount), className: "n", sort: (o) => o.amount },
  { label: "price", value: (o) => num(o.price), className: "n", sort: (o) => o.price ?? "" },
  { label: "filled", value: (o) => num(o.filled), className: "n", sort: (o) => o.filled },
  { label: "avg", value: (o) => num(o.average), className: "n", sort: (o) => o.average ?? "" },
  { label: "status", value: (o) => el("span", { class: `status ${o.status}` }, o.status) },
  { label: "reason", value: (o) => o.reason || "", className: "wrap" },
  ...(can("trade")
    ? [
        {
          label: "",
          className: "actions",
          value: (o) =>
            OPEN.has(o.status) && o.status !== "pending_cancel"
              ? el("button", { class: "small", onclick: () => cancel(o) }, "Cancel")
              : "",
        },
      ]
    : []),
];

const fillColumns = [
  { label: "time", value: (f) => time(f.ts), sort: (f) => Date.parse(f.ts) || 0 },
  { label: "exchange", value: (f) => f.exchange },
  { label: "symbol", value: (f) => f.symbol },
  { label: "side", value: (f) => f.side, className: "side" },
  { label: "price", value: (f) => num(f.price), className: "n", sort: (f) => f.price },
  { label: "amount", value: (f) => num(f.amount), className: "n", sort: (f) => f.amount },
  { label: "fee", value: (f) => `${num(f.fee)} ${f.fee_currency || ""}`, className: "n", sort: (f) => f.fee },
  { label: "client id", value: (f) => f.client_order_id || "", className: "id" },
];

const orderAttrs = (o) => ({
  dataset: { orderId: o.order_id, clientOrderId: o.client_order_id, status: o.status },
});

const fillAttrs = (f) => ({ dataset: { fillId: f.fill_id } });

async function cancel(order) {
  try {
    upsert(await del(`/orders/${encodeURIComponent(order.order_id)}`));
  } catch (error) {
    notice(document.getElementById("ticket-result"), `cancel failed: ${error.message}`, "error");
  }
}

function upsert(order) {
  const known = orders.get(order.order_id);
  if (known && known.seq > order.seq) return;
  orders.set(order.order_id, order);
  if (!ordersTable) return;
  const body = ordersTable.tBodies[0];
  const row = tableRow(orderColumns(), order, orderAttrs(order));
  const old = body.querySelector(`tr[data-order-id="${CSS.escape(order.order_id)}"]`);
  if (old) old.replaceWith(row);
  else {
    body.querySelector("tr.empty")?.remove();
    body.prepend(row);
  }
  resort(ordersTable);
}

function addFill(fill) {
  fills.unshift(fill);
  fills.length = Math.min(fills.length, MAX_ROWS);
  if (!fillsTable) return;
  const body = fillsTable.tBodies[0];
  body.querySelector("tr.empty")?.remove();
  body.prepend(tableRow(fillColumns, fill, fillAttrs(fill)));
  resort(fillsTable);
}

stream.on("order", upsert);
stream.on("fill", addFill);

function field(label, input) {
  return el("label", {}, el("span", {}, label), input);
}

/** Symbols of the chosen exchange, the price and amount steps, and the live quote beside it. */
async function pickMarket(form, quoteBox) {
  const exchange = form.elements.exchange.value;
  const symbolSelect = form.elements.symbol;
  const known = await markets(exchange);
  if (symbolSelect.dataset.exchange !== exchange) {
    symbolOptions(symbolSelect, [...known.keys()], symbolSelect.value || PREFERRED_SYMBOL);
    symbolSelect.dataset.exchange = exchange;
  }
  const market = known.get(symbolSelect.value);
  form.elements.price.step = market?.price_increment ?? "any";
  form.elements.stop_price.step = market?.price_increment ?? "any";
  form.elements.amount.step = market?.amount_increment ?? "any";
  form.elements.amount.min = market?.min_amount || 0;
  stopQuote();
  quoteBox.dataset.symbol = symbolSelect.value;
  quoteBox.textContent = `${exchange} ${symbolSelect.value}: waiting for the book…`;
  quoteBox.dataset.live = "false";
  stopQuote = watchBook(exchange, symbolSelect.value, (book) => {
    if (book.exchange !== exchange || book.symbol !== symbolSelect.value) return;
    quoteBox.textContent = `${exchange} ${book.symbol}: ${quoteText(book, market)}`;
    quoteBox.dataset.live = "true";
  });
}

function ticket(venues) {
  const result = el("div", { id: "ticket-result" });
  const quoteBox = el("div", { id: "ticket-quote", class: "quote", role: "status", "aria-label": "live quote" });
  const optional = (name, attrs = {}) =>
    el("input", { name, type: "number", step: "any", min: "0", ...attrs });
  const form = el(
    "form",
    { id: "order-ticket", class: "ticket", "aria-label": "order ticket" },
    field("exchange", el("select", { name: "exchange" }, venues.map((v) => el("option", {}, v)))),
    field("symbol", el("select", { name: "symbol", "aria-label": "symbol", required: true })),
    field("side", el("select", { name: "side" }, el("option", {}, "buy"), el("option", {}, "sell"))),
    field("type", el("select", { name: "type" }, TYPES.map((t) => el("option", {}, t)))),
    field("amount", optional("amount", { required: true })),
    field("price", optional("price")),
    field("stop price", optional("stop_price")),
    field(
      "time in force",
      el("select", { name: "time_in_force" }, ["", "GTC", "IOC", "FOK", "PO"].map((t) => el("option", { value: t }, t || "default"))),
    ),
    field("client order id", el("input", { name: "client_order_id", placeholder: "optional" })),
    el("button", { type: "submit", class: "primary" }, "Submit order"),
  );
  const repick = () => pickMarket(form, quoteBox).catch((error) => notice(result, `markets: ${error.message}`, "error"));
  form.elements.exchange.addEventListener("change", repick);
  form.elements.symbol.addEventListener("change", repick);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = {};
    for (const [key, value] of new FormData(form)) {
      if (value === "") continue;
      body[key] = ["amount", "price", "stop_price"].includes(key) ? Number(value) : value;
    }
    try {
      const order = await post("/orders", body);
      upsert(order);
      const kind = order.status === "rejected" ? "error" : "ok";
      const why = order.reason ? ` (${order.reason})` : "";
      notice(result, `order ${order.client_order_id}: ${order.status}${why}`, kind);
    } catch (error) {
      notice(result, `order refused: ${error.message}`, "error");
    }
  });
  return { node: el("div", {}, quoteBox, form, result), ready: repick() };
}

export const view = {
  id: "orders",
  title: "Orders",
  async render(root) {
    const venues = await get("/venues");
    ordersTable = table(orderColumns(), [], { rowAttrs: orderAttrs, empty: "no orders yet" });
    fillsTable = table(fillColumns, [], { empty: "no fills yet" });
    const parts = [];
    if (can("trade") && venues.length) {
      const { node, ready } = ticket(venues);
      parts.push(el("h2", {}, "Order ticket"), node);
      await ready;
    }
    root.replaceChildren(
      ...parts,
      el("h2", {}, "Orders ", el("small", {}, "live")),
      el("div", { class: "scroll", id: "orders-table" }, ordersTable),
      el("h2", {}, "Fills ", el("small", {}, "live")),
      el("div", { class: "scroll", id: "fills-table" }, fillsTable),
    );
    await this.refresh();
  },
  async refresh() {
    const [recentOrders, recentFills] = await Promise.all([
      get(`/orders?limit=${MAX_ROWS}`),
      get(`/dashboard/api/fills?limit=${MAX_ROWS}`),
    ]);
    for (const order of recentOrders.reverse()) upsert(order);
    const seen = new Set(fills.map((f) => f.fill_id));
    fills.push(...recentFills.filter((f) => !seen.has(f.fill_id)));
    fills.sort((a, b) => Date.parse(b.ts) - Date.parse(a.ts));
    fills.length = Math.min(fills.length, MAX_ROWS);
    const next = table(fillColumns, fills, { rowAttrs: fillAttrs, empty: "no fills yet" });
    replaceTable(fillsTable.parentNode, next);
    fillsTable = next;
  },
};
