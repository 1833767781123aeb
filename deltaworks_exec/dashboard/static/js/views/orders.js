// Order ticket, orders and fills, updated live from the WebSocket; cancel per order.

import { del, get, post } from "../api.js";
import { el, notice, num, table, tableRow, time } from "../dom.js";
import * as stream from "../stream.js";

const OPEN = new Set(["pending_new", "new", "partially_filled", "pending_cancel"]);
const TYPES = ["limit", "market", "stop_loss", "stop_loss_limit", "take_profit", "take_profit_limit"];
const MAX_ROWS = 200;

const orders = new Map();
const fills = [];
let ordersBody = null;
let fillsBody = null;

const orderColumns = [
  { label: "created", value: (o) => time(o.created) },
  { label: "client id", value: (o) => o.client_order_id },
  { label: "exchange", value: (o) => o.exchange },
  { label: "symbol", value: (o) => o.symbol },
  { label: "side", value: (o) => o.side, className: "side" },
  { label: "type", value: (o) => o.type },
  { label: "amount", value: (o) => num(o.amount), className: "n" },
  { label: "price", value: (o) => num(o.price), className: "n" },
  { label: "filled", value: (o) => num(o.filled), className: "n" },
  { label: "avg", value: (o) => num(o.average), className: "n" },
  { label: "status", value: (o) => el("span", { class: `status ${o.status}` }, o.status) },
  { label: "reason", value: (o) => o.reason || "" },
  {
    label: "",
    value: (o) =>
      OPEN.has(o.status) && o.status !== "pending_cancel"
        ? el("button", { class: "small", onclick: () => cancel(o) }, "Cancel")
        : "",
  },
];

const fillColumns = [
  { label: "time", value: (f) => time(f.ts) },
  { label: "exchange", value: (f) => f.exchange },
  { label: "symbol", value: (f) => f.symbol },
  { label: "side", value: (f) => f.side, className: "side" },
  { label: "price", value: (f) => num(f.price), className: "n" },
  { label: "amount", value: (f) => num(f.amount), className: "n" },
  { label: "fee", value: (f) => `${num(f.fee)} ${f.fee_currency || ""}`, className: "n" },
  { label: "client id", value: (f) => f.client_order_id || "" },
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
  if (!ordersBody) return;
  const row = tableRow(orderColumns, order, orderAttrs(order));
  const old = ordersBody.querySelector(`tr[data-order-id="${CSS.escape(order.order_id)}"]`);
  if (old) old.replaceWith(row);
  else {
    ordersBody.querySelector("tr.empty")?.remove();
    ordersBody.prepend(row);
  }
}

function addFill(fill) {
  fills.unshift(fill);
  fills.length = Math.min(fills.length, MAX_ROWS);
  if (!fillsBody) return;
  fillsBody.querySelector("tr.empty")?.remove();
  fillsBody.prepend(tableRow(fillColumns, fill, fillAttrs(fill)));
}

stream.on("order", upsert);
stream.on("fill", addFill);

function field(label, input) {
  return el("label", {}, el("span", {}, label), input);
}

function ticket(venues) {
  const result = el("div", { id: "ticket-result" });
  const optional = (name, attrs = {}) =>
    el("input", { name, type: "number", step: "any", min: "0", ...attrs });
  const form = el(
    "form",
    { id: "order-ticket", class: "ticket", "aria-label": "order ticket" },
    field("exchange", el("select", { name: "exchange" }, venues.map((v) => el("option", {}, v)))),
    field("symbol", el("input", { name: "symbol", value: "BTC/USDT", required: true })),
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
  return el("div", {}, form, result);
}

export const view = {
  id: "orders",
  title: "Orders",
  async render(root) {
    const venues = await get("/venues");
    const ordersTable = table(orderColumns, [], { rowAttrs: orderAttrs });
    const fillsTable = table(fillColumns, []);
    ordersBody = ordersTable.tBodies[0];
    fillsBody = fillsTable.tBodies[0];
    root.replaceChildren(
      el("h2", {}, "Order ticket"),
      ticket(venues),
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
    const body = table(fillColumns, fills, { rowAttrs: fillAttrs }).tBodies[0];
    fillsBody.replaceWith(body);
    fillsBody = body;
  },
};
