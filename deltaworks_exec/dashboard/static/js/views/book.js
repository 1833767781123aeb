// Order book of one market: the top levels of both sides, live from the service's book stream.

import { get } from "../api.js";
import { el, fixed } from "../dom.js";
import { digits, markets, quoteText, symbolOptions, watchBook } from "../markets.js";

const LEVELS = 10;
let root = null;
let stop = () => {};

function side(levels, kind, market, widest) {
  const d = digits(market);
  const rows = levels.slice(0, LEVELS).map(([price, amount]) =>
    el(
      "tr",
      { class: kind },
      el("td", { class: "n" }, fixed(price, d.price)),
      el("td", { class: "n" }, fixed(amount, d.amount)),
      el("td", { class: "depth" }, el("meter", { min: 0, max: widest, value: amount, "aria-hidden": "true" })),
    ),
  );
  if (!rows.length) rows.push(el("tr", { class: "empty" }, el("td", { colspan: 3 }, `no ${kind === "bid" ? "bids" : "asks"}`)));
  return el(
    "table",
    { class: `book-side ${kind}`, "aria-label": kind === "bid" ? "bids" : "asks" },
    el("thead", {}, el("tr", {}, el("th", { class: "n" }, kind === "bid" ? "bid" : "ask"), el("th", { class: "n" }, "amount"), el("th", {}, ""))),
    el("tbody", {}, rows),
  );
}

function draw(book, market) {
  const widest = Math.max(1e-12, ...book.bids.slice(0, LEVELS).map((l) => l[1]), ...book.asks.slice(0, LEVELS).map((l) => l[1]));
  root.querySelector("#book-quote").textContent = quoteText(book, market);
  root.querySelector("#book-levels").replaceChildren(side(book.bids, "bid", market, widest), side(book.asks, "ask", market, widest));
  const stamp = root.querySelector("#book-time");
  stamp.textContent = `as of ${new Date(book.ts_ms).toISOString().slice(11, 19)} UTC`;
  root.querySelector("#book-levels").dataset.live = "true";
}

async function follow() {
  const exchange = root.querySelector("[name=book-exchange]").value;
  const symbolSelect = root.querySelector("[name=book-symbol]");
  const known = await markets(exchange);
  if (symbolSelect.dataset.exchange !== exchange) {
    symbolOptions(symbolSelect, [...known.keys()], symbolSelect.value || "BTC/USDT");
    symbolSelect.dataset.exchange = exchange;
  }
  const symbol = symbolSelect.value;
  stop();
  root.querySelector("#book-levels").dataset.live = "false";
  root.querySelector("#book-levels").replaceChildren(el("p", { class: "notice info" }, `waiting for the ${exchange} ${symbol} book…`));
  stop = watchBook(exchange, symbol, (book) => {
    if (book.exchange === exchange && book.symbol === symbol) draw(book, known.get(symbol));
  });
}

export const view = {
  id: "book",
  title: "Order book",
  async render(container) {
    root = container;
    const venues = await get("/venues");
    if (!venues.length) {
      root.replaceChildren(el("p", { class: "notice info" }, "no venue connected"));
      return;
    }
    const exchange = el("select", { name: "book-exchange", "aria-label": "exchange" }, venues.map((v) => el("option", {}, v)));
    const symbol = el("select", { name: "book-symbol", "aria-label": "symbol" });
    exchange.addEventListener("change", follow);
    symbol.addEventListener("change", follow);
    root.replaceChildren(
      el("div", { class: "filters" }, exchange, symbol, el("span", { id: "book-quote", class: "quote" }), el("small", { id: "book-time" })),
      el("div", { id: "book-levels", class: "book" }),
    );
    await follow();
  },
  async refresh() {},
};
